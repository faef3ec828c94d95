import type { ServerFrame } from "@texera-agent/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AgentSocket,
  type AgentSocketOptions,
  backoffDelay,
  type ConnectionStatus,
  DEFAULT_BACKOFF,
  liveState,
  parseServerFrame,
  reactSocketUrl,
  type WebSocketLike,
} from "./agent-socket.ts";
import { makeAgent, makeStep, makeWorkflow } from "./test-fixtures.ts";

class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  readyState = 0;
  onopen: WebSocketLike["onopen"] = null;
  onmessage: WebSocketLike["onmessage"] = null;
  onclose: WebSocketLike["onclose"] = null;
  onerror: WebSocketLike["onerror"] = null;
  readonly sent: string[] = [];
  closedWith: number | undefined;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  // server side
  accept() {
    this.readyState = 1;
    this.onopen?.({});
  }
  deliver(frame: unknown) {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code, reason: "" });
  }
}

const initFrame: ServerFrame = {
  type: "init",
  agent: makeAgent(),
  state: "AVAILABLE",
  steps: [],
  headId: "step-initial",
  operatorResults: {},
  workflowContent: makeWorkflow(),
};

function setup(overrides: Partial<AgentSocketOptions> = {}) {
  const frames: ServerFrame[] = [];
  const statuses: ConnectionStatus[] = [];
  let token = "t1";
  const socket = new AgentSocket({
    url: () => `ws://host/api/agents/a/react?access-token=${token}`,
    onFrame: (f) => frames.push(f),
    onStatus: (s) => statuses.push(s),
    createSocket: (url) => new FakeWebSocket(url),
    random: () => 1,
    ...overrides,
  });
  return {
    socket,
    frames,
    statuses,
    setToken: (t: string) => {
      token = t;
    },
    last: () => FakeWebSocket.instances[FakeWebSocket.instances.length - 1]!,
  };
}

beforeEach(() => {
  FakeWebSocket.instances = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("AgentSocket", () => {
  it("connects, reports status, passes frames on and sends client frames", () => {
    const { socket, frames, statuses, last } = setup();
    socket.start();
    expect(statuses).toEqual([{ kind: "connecting", attempt: 0 }]);
    expect(socket.send({ type: "stop" })).toBe(false);
    last().accept();
    last().deliver(initFrame);
    last().deliver({ type: "delta", index: 0, text: "hi" });
    expect(statuses.at(-1)).toEqual({ kind: "open" });
    expect(frames.map((f) => f.type)).toEqual(["init", "delta"]);
    expect(socket.send({ type: "message", content: "go" })).toBe(true);
    expect(last().sent).toEqual(['{"type":"message","content":"go"}']);
  });

  it("ignores frames it cannot read", () => {
    const onInvalidFrame = vi.fn();
    const { socket, frames, last } = setup({ onInvalidFrame });
    socket.start();
    last().accept();
    last().deliver("not json");
    last().deliver({ type: "bogus" });
    last().deliver({ type: "delta", index: "1", text: "x" });
    expect(frames).toEqual([]);
    expect(onInvalidFrame).toHaveBeenCalledTimes(3);
  });

  it("reconnects after a drop with growing delays, and with the current token", async () => {
    const { socket, statuses, last, setToken } = setup({
      backoff: { initialMs: 100, maxMs: 1000, factor: 2 },
    });
    socket.start();
    last().accept();
    last().deliver(initFrame);
    setToken("t2");
    last().drop();
    expect(statuses.at(-1)).toEqual({ kind: "reconnecting", attempt: 1, delayMs: 100 });
    await vi.advanceTimersByTimeAsync(99);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(last().url).toContain("access-token=t2");

    last().drop(); // refused before opening
    expect(statuses.at(-1)).toEqual({ kind: "reconnecting", attempt: 2, delayMs: 200 });
    await vi.advanceTimersByTimeAsync(200);
    last().drop();
    expect(statuses.at(-1)).toEqual({ kind: "reconnecting", attempt: 3, delayMs: 400 });
    await vi.advanceTimersByTimeAsync(400);

    // a connection that delivers init resets the backoff
    last().accept();
    last().deliver(initFrame);
    last().drop();
    expect(statuses.at(-1)).toEqual({ kind: "reconnecting", attempt: 1, delayMs: 100 });
    socket.close();
  });

  it("gives up when the check says so (signed out, agent deleted)", async () => {
    const check = vi
      .fn<() => Promise<string | null>>()
      .mockResolvedValueOnce(null)
      .mockResolvedValue("This agent no longer exists.");
    const { socket, statuses, last } = setup({ check, backoff: { initialMs: 10, maxMs: 10, factor: 1 } });
    socket.start();
    last().drop();
    await vi.advanceTimersByTimeAsync(10);
    expect(check).toHaveBeenCalledTimes(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    last().drop();
    await vi.advanceTimersByTimeAsync(10);
    expect(check).toHaveBeenCalledTimes(2);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(statuses.at(-1)).toEqual({ kind: "closed", reason: "This agent no longer exists." });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it("stops at once, in words, when the server closes for lost access (4401, 4403); other closes reconnect", async () => {
    for (const [code, words] of [
      [4401, /session expired/],
      [4403, /access to agents was withdrawn/],
    ] as const) {
      FakeWebSocket.instances = [];
      // the caller is not signed in any more (4401), or is but has no access (4403: never asked)
      const check = vi.fn<() => Promise<string | null>>().mockResolvedValue(code === 4401 ? "Sign in" : null);
      const { socket, statuses, last } = setup({ check, backoff: { initialMs: 10, maxMs: 10, factor: 1 } });
      socket.start();
      last().accept();
      last().deliver(initFrame);
      last().drop(code);
      await vi.advanceTimersByTimeAsync(0); // 4401: after the check
      const closed = statuses.at(-1);
      expect(closed?.kind).toBe("closed");
      expect(closed?.kind === "closed" && closed.reason).toMatch(words);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(FakeWebSocket.instances).toHaveLength(1);
      expect(check).toHaveBeenCalledTimes(code === 4401 ? 1 : 0);
      socket.close();
    }
    // an expired token already renewed (another tab signed in again): reconnect at once, no backoff
    FakeWebSocket.instances = [];
    const renewed = setup({
      check: async () => null,
      backoff: { initialMs: 10_000, maxMs: 10_000, factor: 1 },
    });
    renewed.socket.start();
    renewed.last().drop(4401);
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(renewed.statuses.some((s) => s.kind === "closed")).toBe(false);
    renewed.socket.close();
    FakeWebSocket.instances = [];
    const { socket, statuses, last } = setup({ backoff: { initialMs: 10, maxMs: 10, factor: 1 } });
    socket.start();
    last().drop(1013); // too slow to follow the stream: reconnect
    expect(statuses.at(-1)?.kind).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(10);
    expect(FakeWebSocket.instances).toHaveLength(2);
    socket.close();
  });

  it("retries when the check itself fails", async () => {
    const check = vi.fn<() => Promise<string | null>>().mockRejectedValue(new Error("offline"));
    const { socket, last } = setup({ check, backoff: { initialMs: 10, maxMs: 10, factor: 1 } });
    socket.start();
    last().drop();
    await vi.advanceTimersByTimeAsync(10);
    expect(FakeWebSocket.instances).toHaveLength(2);
    socket.close();
  });

  it("reconnectNow skips the wait", async () => {
    const { socket, last } = setup({ backoff: { initialMs: 5000, maxMs: 5000, factor: 1 } });
    socket.start();
    last().drop();
    socket.reconnectNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    socket.close();
  });

  it("close stops everything, including a pending reconnect and late events", async () => {
    const { socket, frames, last } = setup();
    socket.start();
    const first = last();
    first.accept();
    socket.close();
    expect(first.closedWith).toBe(1000);
    first.deliver(initFrame);
    first.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(frames).toEqual([]);
    expect(FakeWebSocket.instances).toHaveLength(1);

    const second = setup();
    second.socket.start();
    second.last().drop();
    second.socket.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
});

describe("backoffDelay", () => {
  it("grows by the factor up to the cap, with jitter in [50%, 100%]", () => {
    const full = (attempt: number) => backoffDelay(attempt, DEFAULT_BACKOFF, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(full)).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(1000);
  });
});

describe("reactSocketUrl", () => {
  it("uses wss on https and escapes the id and token", () => {
    expect(reactSocketUrl({ protocol: "https:", host: "x.org" }, "a b", "t+/=")).toBe(
      "wss://x.org/api/agents/a%20b/react?access-token=t%2B%2F%3D",
    );
    expect(reactSocketUrl({ protocol: "http:", host: "localhost:8080" }, "id", "t")).toBe(
      "ws://localhost:8080/api/agents/id/react?access-token=t",
    );
  });
});

describe("parseServerFrame", () => {
  const step = makeStep(0);
  it("accepts each well-formed frame type", () => {
    const frames: unknown[] = [
      initFrame,
      { ...initFrame, steps: [step, makeStep(1, { kind: "user" })] },
      { type: "state", state: "GENERATING" },
      { type: "delta", index: 0, text: "" },
      { type: "step", step },
      { type: "step", step: { ...step, afterWorkflowContent: makeWorkflow("a") }, operatorResults: {} },
      { type: "complete", state: "AVAILABLE", operatorResults: {}, runId: "r", reason: "done" },
      { type: "error", error: "m" },
      { type: "error", error: "m", code: "AGENT_BUSY" },
      {
        type: "headChange",
        headId: "s0",
        steps: [step],
        workflowContent: makeWorkflow(),
        operatorResults: {},
      },
    ];
    for (const f of frames) expect(parseServerFrame(JSON.stringify(f))).toEqual(f);
  });

  it("rejects malformed frames", () => {
    const bad: unknown[] = [
      "{",
      "null",
      "[]",
      42,
      JSON.stringify({ type: "init", steps: [], state: "AVAILABLE" }),
      JSON.stringify({ type: "step", step: { ...step, afterWorkflowContent: { operators: [] } } }),
      JSON.stringify({ type: "error", message: "the old field" }),
      JSON.stringify({ type: "headChange", steps: [] }),
      JSON.stringify({ type: "shout", text: "unknown frame type" }),
      // what the schemas say beyond the frame's outline: a whole step, a known state, a known end reason
      JSON.stringify({ type: "step", step: { index: 0, id: "s0" } }),
      JSON.stringify({ type: "state", state: "DANCING" }),
      JSON.stringify({
        type: "complete",
        state: "AVAILABLE",
        operatorResults: {},
        runId: "r",
        reason: "why",
      }),
      JSON.stringify({ type: "delta", index: 0.5, text: "" }),
      JSON.stringify({
        ...initFrame,
        agent: { ...initFrame.agent, id: "not-a-uuid-but-thirty-six-chars-long" },
      }),
    ];
    for (const raw of bad) expect(parseServerFrame(raw), String(raw)).toBeNull();
  });
});

describe("liveState", () => {
  it("says offline while the browser is, and never calls a lost socket live", () => {
    expect(liveState({ kind: "open" }, true)).toBe("live");
    expect(liveState({ kind: "open" }, false)).toBe("offline");
    expect(liveState({ kind: "connecting", attempt: 0 }, true)).toBe("connecting");
    expect(liveState({ kind: "connecting", attempt: 2 }, true)).toBe("reconnecting");
    expect(liveState({ kind: "reconnecting", attempt: 1, delayMs: 500 }, true)).toBe("reconnecting");
    expect(liveState({ kind: "reconnecting", attempt: 1, delayMs: 500 }, false)).toBe("offline");
    expect(liveState({ kind: "closed", reason: "signed out" }, true)).toBe("disconnected");
    expect(liveState({ kind: "closed", reason: "signed out" }, false)).toBe("disconnected");
  });
});
