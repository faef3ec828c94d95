import { once } from "node:events";
import { connect, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { StartTurns } from "./start-turns.ts";

describe("StartTurns", () => {
  it("takes one message per turn of the event loop, in order, with the loop's other work between them", async () => {
    const order: string[] = [];
    // a loopback connection: what the first run's turn writes is a reply the loop can read next
    const server = createServer((socket) => socket.on("data", () => order.push("reply read")));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const client = connect((server.address() as { port: number }).port, "127.0.0.1");
    await once(client, "connect");
    await new Promise((resolve) => setTimeout(resolve, 20)); // the server has accepted it
    try {
      const turns = new StartTurns(1);
      const waited = ["a", "b", "c"].map((agent) =>
        turns.wait(agent).then(() => {
          order.push(agent);
          if (agent === "a") client.write("x");
        }),
      );
      await Promise.all(waited);
      await new Promise((resolve) => setTimeout(resolve, 20));
      // handled all in one turn, the reply would wait behind the last message: a, b, c, reply read
      expect(order).toEqual(["a", "reply read", "b", "c"]);
    } finally {
      client.destroy();
      server.close();
    }
  });

  it("marks a waiting message of the agent stopped, and only that agent's", async () => {
    const turns = new StartTurns();
    const a = turns.wait("a");
    const b = turns.wait("b");
    expect(turns.stop("a")).toBe(true);
    expect(turns.stop("nobody")).toBe(false);
    expect(await a).toBe(true);
    expect(await b).toBe(false);
    // once taken, a message is no longer waiting
    expect(turns.stop("a")).toBe(false);
  });
});
