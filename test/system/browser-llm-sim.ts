/**
 * The control routes of the llm-sim process that `npm start` runs for the offline demo (tools/llm-sim,
 * "Control routes"): the browser suite slows one model's stream down at run time instead of starting the
 * system differently, and reads what the simulator saw (aborted streams, the `user` field).
 */
import type { RunningSystem } from "./harness.ts";

export interface SimRequest {
  seq: number;
  model: string | undefined;
  user: string | undefined;
  stream: boolean;
  rule: string | undefined;
  outcome: "pending" | "completed" | "error" | "faulted" | "aborted";
}

export interface SimFault {
  latencyMs?: number;
  firstTokenMs?: number;
  tokensPerSecond?: number;
}

async function call(sys: RunningSystem, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sys.services.llmSim}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${sys.masterKey}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status !== 200) throw new Error(`llm-sim ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Sets a fault for one model (merged over the demo's `*` pacing, field by field). */
export async function setSimFault(sys: RunningSystem, model: string, fault: SimFault): Promise<void> {
  await call(sys, "PUT", `/sim/faults/${encodeURIComponent(model)}`, fault);
}

export async function clearSimFault(sys: RunningSystem, model: string): Promise<void> {
  await call(sys, "DELETE", `/sim/faults/${encodeURIComponent(model)}`);
}

/** Every chat request the simulator answered so far, in arrival order. */
export async function simRequests(sys: RunningSystem): Promise<SimRequest[]> {
  return (await call(sys, "GET", "/sim/requests")) as SimRequest[];
}
