import { describe, expect, it } from "vitest";
import { AgentSocket, type ConnectionStatus, ticketSocketUrl, type WebSocketLike } from "./agent-socket.ts";

function fakeSocket(url: string, opened: string[]): WebSocketLike {
  opened.push(url);
  return {
    readyState: 0,
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send() {},
    close() {},
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("AgentSocket with tickets", () => {
  it("opens the URL a promise resolves to, with a fresh ticket per attempt", async () => {
    const opened: string[] = [];
    let n = 0;
    const socket = new AgentSocket({
      url: async () => `ws://host/api/agents/a/react?ticket=t${++n}`,
      onFrame: () => {},
      onStatus: () => {},
      createSocket: (url) => fakeSocket(url, opened),
    });
    socket.start();
    expect(opened).toEqual([]);
    await flush();
    expect(opened).toEqual(["ws://host/api/agents/a/react?ticket=t1"]);
    socket.close();
  });

  it("counts a failed ticket request as a failed attempt and retries", async () => {
    const statuses: ConnectionStatus[] = [];
    const opened: string[] = [];
    let calls = 0;
    const socket = new AgentSocket({
      url: () =>
        ++calls === 1 ? Promise.reject(new Error("offline")) : Promise.resolve("ws://host/x?ticket=ok"),
      onFrame: () => {},
      onStatus: (s) => statuses.push(s),
      createSocket: (url) => fakeSocket(url, opened),
      backoff: { initialMs: 1, maxMs: 1 },
    });
    socket.start();
    await flush();
    expect(statuses.some((s) => s.kind === "reconnecting")).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(opened).toEqual(["ws://host/x?ticket=ok"]);
    socket.close();
  });

  it("never opens a socket after close, even when the ticket arrives later", async () => {
    const opened: string[] = [];
    let resolve!: (url: string) => void;
    const socket = new AgentSocket({
      url: () => new Promise<string>((r) => (resolve = r)),
      onFrame: () => {},
      onStatus: () => {},
      createSocket: (url) => fakeSocket(url, opened),
    });
    socket.start();
    socket.close();
    resolve("ws://host/x?ticket=late");
    await flush();
    expect(opened).toEqual([]);
  });
});

describe("ticketSocketUrl", () => {
  it("puts the ticket's path on the page's host, wss on https", () => {
    expect(ticketSocketUrl({ protocol: "https:", host: "x.org" }, "/api/agents/a/react?ticket=t")).toBe(
      "wss://x.org/api/agents/a/react?ticket=t&deltas=1",
    );
    expect(ticketSocketUrl({ protocol: "http:", host: "localhost:8080" }, "/p")).toBe(
      "ws://localhost:8080/p?deltas=1",
    );
  });
});
