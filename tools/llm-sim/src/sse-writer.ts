// Writes a stream's events paced by tokens per second, and injects the stream faults at their chunk.
import type { ServerResponse } from "node:http";
import type { StreamEvents } from "./completion.ts";
import { injectedError } from "./errors.ts";
import type { Fault } from "./fault.ts";
import { sleep, untilAborted } from "./timing.ts";

export const MALFORMED_EVENT = 'data: {"id":"llm-sim-malformed","choices":[{"delta":{"content":\n\n';

type Action = "malformed" | "streamError" | "reset" | "hang";

export interface StreamControl {
  signal: AbortSignal;
  /** Destroys the socket with a TCP reset (the caller records it as the simulator's own doing). */
  reset(): void;
}

/** Faults at their chunk counts, clamped so that each fires before `data: [DONE]`. */
function plannedActions(fault: Fault, total: number): Map<number, Action[]> {
  const at = new Map<number, Action[]>();
  const add = (n: number | undefined, action: Action) => {
    if (n === undefined) return;
    const k = Math.min(n, total - 1);
    at.set(k, [...(at.get(k) ?? []), action]);
  };
  add(fault.malformedAfterChunks, "malformed");
  add(fault.streamErrorAfterChunks, "streamError");
  add(fault.resetAfterChunks, "reset");
  add(fault.hangAfterChunks, "hang");
  return at;
}

function write(res: ServerResponse, data: string, signal: AbortSignal): Promise<void> {
  if (res.write(data)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    res.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Streams `plan` after the headers were sent; resolves when the stream ended, hung up or was aborted. */
export async function writeStream(
  res: ServerResponse,
  plan: StreamEvents,
  fault: Fault,
  ctl: StreamControl,
): Promise<void> {
  const { events, paced } = plan;
  const { signal } = ctl;
  const actions = plannedActions(fault, events.length);
  const rate = fault.tokensPerSecond ?? 0;
  const interval = rate > 0 ? 1000 / rate : 0;
  // Event 0 (role) goes with the first token; events after the paced ones go with the last token.
  const due = (i: number) => (interval === 0 || i <= 1 ? 0 : (Math.min(i, paced) - 1) * interval);

  await sleep(fault.firstTokenMs ?? 0, signal);
  const start = performance.now();
  let i = 0;
  while (!signal.aborted) {
    const elapsed = performance.now() - start;
    let batch = "";
    while (i < events.length && due(i) <= elapsed && !actions.has(i)) batch += events[i++];
    if (batch !== "") await write(res, batch, signal);
    if (signal.aborted) return;

    const pending = actions.get(i);
    if (pending) {
      actions.delete(i);
      for (const action of pending) {
        if (action === "malformed") {
          await write(res, MALFORMED_EVENT, signal);
        } else if (action === "streamError") {
          const err = injectedError(fault.error ?? 500, fault.retryAfter);
          res.end(`data: ${JSON.stringify(err.body())}\n\n`);
          return;
        } else if (action === "reset") {
          // Let the written chunks reach the client before the reset.
          await new Promise<void>((resolve) => res.write("", () => resolve()));
          await sleep(10, signal);
          ctl.reset();
          return;
        } else {
          await untilAborted(signal);
          return;
        }
      }
      continue;
    }
    if (i >= events.length) {
      res.end();
      return;
    }
    await sleep(due(i) - (performance.now() - start), signal);
  }
}
