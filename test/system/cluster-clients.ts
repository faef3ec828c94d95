/**
 * Clients for the cluster suites: a react socket that records every frame with its arrival time and can
 * wait for one, agent creation over REST in bounded batches, a check that one run's frames are whole and
 * in order, the replicas' Prometheus gauges, and percentiles.
 */
import {
  type Agent,
  type ClientFrame,
  type ReActStep,
  type ServerFrame,
  stepKind,
} from "@texera-agent/protocol";
import WebSocket from "ws";

export interface Received {
  frame: ServerFrame;
  /** performance.now() when it arrived. */
  at: number;
}

type Waiter = {
  from: number;
  test: (frame: ServerFrame) => boolean;
  resolve: (r: Received & { position: number }) => void;
};

/** Why a socket did not open: the HTTP status of a refused upgrade, or a connection error. */
export class SocketRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status} ${body}`);
  }
}

/**
 * One /api/agents/:id/react socket. `open` resolves once `init` has arrived; every frame after is kept in
 * `frames` (init is frames[0]).
 */
export class ReactClient {
  readonly frames: Received[] = [];
  /** The close code (1006: the connection dropped) and when, once closed. */
  closeCode: number | undefined;
  closedAt: number | undefined;
  readonly closed: Promise<number>;
  private readonly waiters = new Set<Waiter>();

  private constructor(
    readonly ws: WebSocket,
    readonly label: string,
  ) {
    this.closed = new Promise((resolve) => {
      ws.on("close", (code) => {
        this.closeCode = code;
        this.closedAt = performance.now();
        resolve(code);
      });
    });
    ws.on("error", () => {});
    ws.on("message", (data) => {
      const received = { frame: JSON.parse(data.toString()) as ServerFrame, at: performance.now() };
      const position = this.frames.push(received) - 1;
      for (const w of this.waiters) {
        if (position >= w.from && w.test(received.frame)) {
          this.waiters.delete(w);
          w.resolve({ ...received, position });
        }
      }
    });
  }

  /** Opens the socket with the JWT in `access-token` (or a `ticket=…` query) and waits for init. */
  static open(
    wsBase: string,
    agentId: string,
    auth: { token: string } | { ticket: string },
    options: { label?: string; timeoutMs?: number } = {},
  ): Promise<ReactClient> {
    const query =
      "token" in auth
        ? `access-token=${encodeURIComponent(auth.token)}`
        : `ticket=${encodeURIComponent(auth.ticket)}`;
    // deltas=1: these clients follow the streamed text (Texera's frontend asks for none and gets none)
    const ws = new WebSocket(`${wsBase}/api/agents/${agentId}/react?${query}&deltas=1`, {
      perMessageDeflate: false,
      maxPayload: 0,
    });
    const client = new ReactClient(ws, options.label ?? agentId);
    const timeoutMs = options.timeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`${client.label}: no init within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c));
        res.on("end", () => {
          clearTimeout(timer);
          reject(new SocketRefused(res.statusCode ?? 0, body));
        });
      });
      ws.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      void client.closed.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${client.label}: closed (${code}) before init`));
      });
      void client.next("init", 0, timeoutMs).then(
        () => {
          clearTimeout(timer);
          resolve(client);
        },
        () => {},
      );
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: ClientFrame): number {
    this.ws.send(JSON.stringify(frame));
    return performance.now();
  }

  /** The first frame at or after `from` (a position in `frames`) that passes `test`. */
  waitFor(
    test: (frame: ServerFrame) => boolean,
    from = 0,
    timeoutMs = 15_000,
    what = "the expected frame",
  ): Promise<Received & { position: number }> {
    for (let i = from; i < this.frames.length; i++) {
      const r = this.frames[i]!;
      if (test(r.frame)) return Promise.resolve({ ...r, position: i });
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        from,
        test,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `${this.label}: ${what} did not arrive within ${timeoutMs} ms; frames since ${from}: ` +
              summarize(this.frames.slice(from).map((r) => r.frame)),
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The next frame of a type at or after `from`. */
  next<T extends ServerFrame["type"]>(
    type: T,
    from = 0,
    timeoutMs = 15_000,
  ): Promise<Received & { position: number; frame: Extract<ServerFrame, { type: T }> }> {
    return this.waitFor((f) => f.type === type, from, timeoutMs, `a ${type} frame`) as Promise<
      Received & { position: number; frame: Extract<ServerFrame, { type: T }> }
    >;
  }

  /** The frames from position `from` on. */
  since(from: number): ServerFrame[] {
    return this.frames.slice(from).map((r) => r.frame);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.terminate();
  }
}

/** A short, token-free picture of frames for failure messages. */
export function summarize(frames: ServerFrame[], max = 30): string {
  const parts = frames.slice(0, max).map((f) => {
    switch (f.type) {
      case "state":
        return `state:${f.state}`;
      case "delta":
        return `delta[${f.index}]`;
      case "step":
        return `step[${f.step.index}:${stepKind(f.step)}${f.step.error ? `:${f.step.error}` : ""}]`;
      case "complete":
        return `complete:${f.reason}`;
      case "error":
        return `error:${f.code ?? "?"}`;
      case "init":
        return `init(${f.state},${f.steps.length} steps)`;
      default:
        return "?";
    }
  });
  return `[${parts.join(" ")}${frames.length > max ? ` …+${frames.length - max}` : ""}]`;
}

/**
 * What is wrong with the frames of one run, as seen by a socket that watched it from the start (the
 * frames after the message was sent, up to and including `complete`): [] when nothing is.
 * - state GENERATING first, then steps with strictly increasing indexes, the user's step first;
 * - the deltas of a step come before it, and their texts concatenate to the step's text (a system step
 *   may take the index of a turn that was cut short, whose text was never saved);
 * - the run's last step sent again as ending its message (Texera's order), then `complete` with state
 *   AVAILABLE, last, exactly once.
 */
export function runProblems(frames: ServerFrame[]): string[] {
  const problems: string[] = [];
  if (frames[0]?.type !== "state" || frames[0].state !== "GENERATING")
    problems.push(`first frame is not state GENERATING: ${summarize(frames.slice(0, 3))}`);
  const completes = frames.filter((f) => f.type === "complete");
  if (completes.length !== 1) problems.push(`${completes.length} complete frames`);
  if (frames.at(-1)?.type !== "complete") problems.push("complete is not the last frame");
  const text = new Map<number, string>();
  const done = new Set<number>();
  let lastIndex = -1;
  let sawAvailable = false;
  let resent = false;
  let first = true;
  for (const f of frames) {
    if (f.type === "delta") {
      if (done.has(f.index)) problems.push(`delta for step ${f.index} after that step`);
      if (f.index <= lastIndex) problems.push(`delta for step ${f.index} after step ${lastIndex}`);
      text.set(f.index, (text.get(f.index) ?? "") + f.text);
    } else if (f.type === "step") {
      const s = f.step;
      if (first && stepKind(s) !== "user") problems.push(`first step is ${stepKind(s)}, not the user's`);
      first = false;
      if (s.index === lastIndex && s.isEnd && !resent) {
        resent = true; // the last step again, now ending the message
        continue;
      }
      if (resent) problems.push(`step ${s.index} after the run's last step was re-sent`);
      if (s.index <= lastIndex) problems.push(`step ${s.index} after step ${lastIndex}`);
      lastIndex = s.index;
      done.add(s.index);
      const streamed = text.get(s.index);
      // A turn cut short (an upstream failure, a stop) is not saved: a system step takes its index.
      if (streamed !== undefined && stepKind(s) !== "system" && streamed !== s.content)
        problems.push(
          `step ${s.index}: deltas "${clip(streamed)}" differ from its text "${clip(s.content)}"`,
        );
      if (stepKind(s) === "agent" && s.content !== "" && streamed === undefined)
        problems.push(`step ${s.index}: no delta streamed its text`);
    } else if (f.type === "complete" && f.state === "AVAILABLE") {
      sawAvailable = true;
    }
  }
  if (!sawAvailable) problems.push("no complete with state AVAILABLE");
  if (!resent) problems.push("the run's last step was not re-sent as ending it");
  return problems;
}

const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…` : s);

/** The steps of a run as its frames carried them. */
/**
 * The steps the frames carry, once each, as Texera's frontend merges them (by id; agent.service.ts:496-509 at
 * b29e5be): a run's last step comes twice, first not ending the message, then ending it; the later wins.
 */
export function stepsIn(frames: ServerFrame[]): ReActStep[] {
  const byId = new Map<string, ReActStep>();
  for (const f of frames) if (f.type === "step") byId.set(f.step.id, f.step);
  return [...byId.values()];
}

/** Runs `task` over `items`, at most `concurrency` at a time; results in order. */
export async function inBatches<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** POST /api/agents as the token's user; throws with the answer unless 200. */
export async function createAgent(
  baseUrl: string,
  token: string,
  modelType: string,
  name: string,
): Promise<Agent> {
  const res = await fetch(`${baseUrl}/api/agents`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ modelType, name }),
  });
  if (res.status !== 200) throw new Error(`create agent ${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Agent;
}

/** GET /api/agents/:id/react-steps. */
export async function savedSteps(baseUrl: string, token: string, agentId: string): Promise<ReActStep[]> {
  const res = await fetch(`${baseUrl}/api/agents/${agentId}/react-steps`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`steps of ${agentId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { steps: ReActStep[] }).steps;
}

/** The value of an unlabelled series in a replica's GET /metrics (Prometheus text). */
export async function gauge(replicaUrl: string, name: string): Promise<number> {
  const res = await fetch(`${replicaUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) throw new Error(`${replicaUrl}/metrics: ${res.status}`);
  const text = await res.text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${replicaUrl}/metrics has no series ${name}`);
  return Number(line.slice(name.length + 1));
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
