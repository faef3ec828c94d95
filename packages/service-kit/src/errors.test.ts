// The error handler tells a client that left mid-request from a dependency that is down.
import { connect } from "node:net";
import { Writable } from "node:stream";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { installErrorHandling } from "./errors.ts";

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(String(chunk));
    done();
  },
});

async function appThat(route: (raw: import("node:http").IncomingMessage) => Promise<never>) {
  const app = Fastify({ logger: { level: "info", stream: sink } });
  // every ECONNRESET looks like a database outage to this predicate, as isDatabaseUnreachable's does
  installErrorHandling(app, { unavailable: (e) => (e as { code?: string }).code === "ECONNRESET" });
  app.addContentTypeParser("application/octet-stream", (_req, _payload, done) => done(null));
  app.post("/upload", async (request) => route(request.raw));
  await app.listen({ port: 0, host: "127.0.0.1" });
  return app;
}

let app: Awaited<ReturnType<typeof appThat>> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  lines.length = 0;
});

describe("installErrorHandling", () => {
  it("logs a request whose client reset the connection as the client leaving, not the database", async () => {
    let thrown!: () => void;
    const failed = new Promise<void>((resolve) => (thrown = resolve));
    app = await appThat(
      (raw) =>
        new Promise<never>((_resolve, reject) => {
          raw.on("close", () => {
            // what a body reader sees when its client is gone
            reject(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
            setTimeout(thrown, 50);
          });
          raw.resume();
        }),
    );
    const { port } = app.server.address() as { port: number };
    const socket = connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.write(
      "POST /upload HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\ncontent-length: 100000\r\n\r\nabc",
    );
    await new Promise((r) => setTimeout(r, 50));
    socket.resetAndDestroy();
    await failed;
    const log = lines.join("");
    expect(log).toContain("the client closed the connection before its request was read");
    expect(log).not.toContain("the database is unreachable");
  });

  it("still answers 503 for the same error while the client waits", async () => {
    app = await appThat(async () => {
      throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    });
    const { port } = app.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/upload`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: "x",
    });
    expect(res.status).toBe(503);
    expect(lines.join("")).toContain("the database is unreachable");
  });
});
