import { createServer, type Server } from "node:net";

/**
 * Loopback ports that were free a moment ago: each is bound on 127.0.0.1 port 0, and all are held until
 * every one is bound (so the ports differ), then closed. Another process may take one before the caller
 * binds it; tests accept that small race.
 */
export async function freePorts(count: number): Promise<number[]> {
  if (!Number.isInteger(count) || count < 1)
    throw new TypeError(`freePorts: count must be ≥ 1, got ${count}`);
  const bound = await Promise.allSettled(Array.from({ length: count }, listenOnAnyPort));
  const servers = bound.flatMap((b) => (b.status === "fulfilled" ? [b.value] : []));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  const failed = bound.find((b) => b.status === "rejected");
  if (failed) throw failed.reason;
  return ports;
}

/** One loopback port that was free a moment ago (see freePorts). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}
