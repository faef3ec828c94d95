// POST /chat/completions: parse, pick the reply from the scenario, apply the faults, answer.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { completionBody, finalizeReply, promptTokens, replayEvents, streamEvents } from "./completion.ts";
import { parseChatRequest, viewTurn } from "./conversation.ts";
import { modelCounters } from "./counters.ts";
import {
  badRequest,
  budgetExceeded,
  contextWindowExceeded,
  firstChunkError,
  injectedError,
  SimHttpError,
  unknownModel,
  unsupportedParams,
} from "./errors.ts";
import {
  type Fault,
  FaultSpecError,
  hasFailure,
  MODEL_FAULT_SEPARATOR,
  mergeFaults,
  parseFaultSpec,
  withoutFailures,
} from "./fault.ts";
import { readJson, sendError, sendJson } from "./http-util.ts";
import { PlaceholderError } from "./placeholders.ts";
import { planReply } from "./scenario.ts";
import { writeStream } from "./sse-writer.ts";
import type { RecordedRequest, SimState } from "./state.ts";
import { sleep, untilAborted } from "./timing.ts";

export const FAULT_HEADER = "x-sim-fault";

function recordHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === "authorization" || k === "x-litellm-api-key" || k === "api-key" || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/** Counts the request once its response closes: finished in full, reset by us, or dropped by the client. */
function track(
  state: SimState,
  rec: RecordedRequest,
  res: ServerResponse,
  abort: AbortController,
  base: () => string | undefined,
) {
  const c = state.counters;
  const started = performance.now();
  c.chatRequests++;
  c.inFlight++;
  let resetByUs = false;
  res.once("close", () => {
    c.inFlight--;
    if (!res.writableFinished) {
      rec.outcome = resetByUs ? "faulted" : "aborted";
      abort.abort();
    } else if (rec.outcome === "pending") rec.outcome = "completed";
    const model = base();
    const m = model !== undefined ? modelCounters(c, model) : undefined;
    if (rec.outcome === "completed") {
      c.completed++;
      if (m) m.completed++;
    } else if (rec.outcome === "aborted") {
      c.aborted++;
      if (m) m.aborted++;
    } else if (rec.outcome === "error") {
      c.errors++;
      if (m) m.errors++;
    } else if (rec.outcome === "faulted") {
      c.faulted++;
      if (m) m.faulted++;
    }
    state.log?.(
      `${rec.path} model=${rec.model ?? "-"} stream=${rec.stream} status=${rec.status ?? "-"} ` +
        `outcome=${rec.outcome} rule=${rec.rule ?? "-"} ${Math.round(performance.now() - started)}ms`,
    );
  });
  return {
    reset() {
      resetByUs = true;
      res.socket?.resetAndDestroy();
    },
  };
}

export async function handleChat(state: SimState, req: IncomingMessage, res: ServerResponse, path: string) {
  const rec: RecordedRequest = {
    seq: ++state.seq,
    receivedAt: Date.now(),
    path,
    headers: recordHeaders(req),
    body: undefined,
    model: undefined,
    user: undefined,
    stream: false,
    rule: undefined,
    fault: undefined,
    status: undefined,
    outcome: "pending",
  };
  state.requests.push(rec);
  if (state.requests.length > state.maxRecorded)
    state.requests.splice(0, state.requests.length - state.maxRecorded);
  const abort = new AbortController();
  let baseModel: string | undefined;
  const tracker = track(state, rec, res, abort, () => baseModel);
  try {
    await answer(state, req, res, rec, abort.signal, tracker, (m) => {
      baseModel = m;
    });
  } catch (err) {
    const e =
      err instanceof FaultSpecError || err instanceof PlaceholderError
        ? badRequest(`llm-sim: ${err.message}`)
        : err instanceof SimHttpError
          ? err
          : undefined;
    rec.outcome = "error";
    rec.status = e?.status ?? 500;
    sendError(res, e ?? err);
  }
}

async function answer(
  state: SimState,
  req: IncomingMessage,
  res: ServerResponse,
  rec: RecordedRequest,
  signal: AbortSignal,
  tracker: { reset(): void },
  setBase: (m: string) => void,
) {
  const body = await readJson(req);
  rec.body = body;
  if (typeof body === "object" && body !== null) {
    const b = body as Record<string, unknown>;
    if (typeof b.model === "string") rec.model = b.model;
    if (typeof b.user === "string") rec.user = b.user;
    rec.stream = b.stream === true;
  }
  const chat = parseChatRequest(body);
  const sep = chat.model.indexOf(MODEL_FAULT_SEPARATOR);
  const named = sep < 0 ? chat.model : chat.model.slice(0, sep);
  // A listed name, or a name a wildcard route matches (`anthropic/*`): faults and counters go by the route.
  const base = resolveModel(state, named);
  if (base === undefined) throw unknownModel(chat.model);
  setBase(base);
  const m = modelCounters(state.counters, base);
  m.chat++;
  if (chat.stream) {
    state.counters.streamedRequests++;
    m.streamed++;
  }
  const suffixFault = sep < 0 ? undefined : parseFaultSpec(chat.model.slice(sep + 1), "model fault suffix");
  const header = req.headers[FAULT_HEADER];
  const headerFault = typeof header === "string" ? parseFaultSpec(header, FAULT_HEADER) : undefined;

  const plan = planReply(state.scenario, { ...chat, model: base }, viewTurn(chat.messages));
  rec.rule = plan.rule;
  const fault = gateFailures(
    state,
    base,
    mergeFaults(state.faults.get("*"), state.faults.get(base), suffixFault, headerFault, plan.fault),
  );
  rec.fault = fault;

  await sleep(fault.latencyMs ?? 0, signal);
  if (signal.aborted) return;
  const streamError = fault.streamErrorAfterChunks !== undefined;
  if (fault.budgetExceeded !== undefined) throw budgetExceeded(fault.budgetExceeded);
  if (fault.error !== undefined && !(chat.stream && streamError))
    throw injectedError(fault.error, fault.retryAfter, fault.retrySignal, named);
  if (!chat.stream && streamError)
    throw injectedError(fault.error ?? 500, fault.retryAfter, fault.retrySignal, named);
  if (fault.rejectSampling === 1) {
    const b = body as Record<string, unknown>;
    for (const param of ["temperature", "top_p"]) {
      if (b[param] !== undefined) throw unsupportedParams(named, param, b[param]);
    }
  }
  if (fault.contextWindow !== undefined) {
    const requested = promptTokens(chat);
    if (requested > fault.contextWindow) throw contextWindowExceeded(named, fault.contextWindow, requested);
  }
  if (fault.firstChunkError !== undefined) {
    // LiteLLM holds the headers until the first chunk; an error chunk becomes the HTTP status.
    await sleep(fault.firstTokenMs ?? 0, signal);
    if (signal.aborted) return;
    throw firstChunkError(fault.firstChunkError);
  }

  const capped =
    fault.truncateAfterTokens === undefined
      ? chat
      : {
          ...chat,
          maxTokens: Math.min(chat.maxTokens ?? Number.POSITIVE_INFINITY, fault.truncateAfterTokens),
        };
  const reply = finalizeReply(plan, capped, named);
  const headers = { "x-litellm-call-id": randomUUID(), "x-litellm-model-group": base };
  if (!chat.stream) {
    if (fault.hangAfterChunks !== undefined) return untilAborted(signal);
    const rate = fault.tokensPerSecond ?? 0;
    const tokenMs = rate > 0 ? (Math.max(reply.tokens.length, 1) * 1000) / rate : 0;
    await sleep((fault.firstTokenMs ?? 0) + tokenMs, signal);
    if (signal.aborted) return;
    if (fault.resetAfterChunks !== undefined) return tracker.reset();
    rec.status = 200;
    if (fault.malformedAfterChunks !== undefined) {
      rec.outcome = "faulted";
      const text = JSON.stringify(completionBody(reply));
      const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(cut),
        ...headers,
      });
      res.end(cut);
      return;
    }
    sendJson(res, 200, completionBody(reply), headers);
    return;
  }

  rec.status = 200;
  if (fault.malformedAfterChunks !== undefined) rec.outcome = "faulted";
  if (streamError) rec.outcome = "error";
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    ...headers,
  });
  // LiteLLM sends its headers with the first chunk (holdHeaders); OpenAI sends them at once.
  if (fault.holdHeaders !== 1) res.flushHeaders();
  const events = plan.chunks ? replayEvents(plan.chunks) : streamEvents(reply, chat.includeUsage, fault);
  await writeStream(res, events, fault, { signal, reset: tracker.reset });
}

/** The listed model a request names: itself, or the first wildcard route that matches it. */
export function resolveModel(state: SimState, name: string): string | undefined {
  if (state.models.has(name) && !name.includes("*")) return name;
  if (name.includes("*")) return undefined;
  return state.modelList.find((m) => m.includes("*") && wildcard(m).test(name));
}

function wildcard(pattern: string): RegExp {
  const parts = pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".+")}$`, "s");
}

/**
 * failFirst: the failure fields apply to the first N requests of this model and fault, then drop away.
 * failFirst with no failure field fails with HTTP 500.
 */
function gateFailures(state: SimState, model: string, fault: Fault): Fault {
  if (fault.failFirst === undefined) return fault;
  const key = `${model}\u0000${JSON.stringify(fault)}`;
  const seen = state.failSeen.get(key) ?? 0;
  state.failSeen.set(key, seen + 1);
  if (seen >= fault.failFirst) return withoutFailures(fault);
  return hasFailure(fault) ? fault : { ...fault, error: 500 };
}
