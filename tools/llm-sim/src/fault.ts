import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

const Ms = Type.Number({ minimum: 0, maximum: 3_600_000 });
const Chunks = Type.Integer({ minimum: 0 });
const Flag = Type.Union([Type.Literal(0), Type.Literal(1)]);

/** How a 429 says when to try again (LiteLLM's variants); unset: `retry-after` and the body's words. */
export const RETRY_SIGNALS = ["retry-after", "retry-after-ms", "llm_provider-retry-after", "body"] as const;

/**
 * What can go wrong with a chat request. Timing fields shape every response; the failure fields
 * (error, reset, malformed, hang, streamError) apply to every request, or only to the first
 * `failFirst` requests when that is set.
 */
export const FaultSchema = Type.Object(
  {
    latencyMs: Type.Optional(Ms),
    firstTokenMs: Type.Optional(Ms),
    tokensPerSecond: Type.Optional(Type.Number({ minimum: 0 })),
    error: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    retryAfter: Type.Optional(Type.Number({ minimum: 0 })),
    failFirst: Type.Optional(Type.Integer({ minimum: 0 })),
    resetAfterChunks: Type.Optional(Chunks),
    malformedAfterChunks: Type.Optional(Chunks),
    hangAfterChunks: Type.Optional(Chunks),
    streamErrorAfterChunks: Type.Optional(Chunks),
    // LiteLLM behaviours (see README "LiteLLM behaviours"), per model or per request like the faults.
    retrySignal: Type.Optional(Type.Union(RETRY_SIGNALS.map((s) => Type.Literal(s)))),
    contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
    rejectSampling: Type.Optional(Flag),
    budgetExceeded: Type.Optional(Type.Union([Type.Literal(400), Type.Literal(429)])),
    firstChunkError: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    holdHeaders: Type.Optional(Flag),
    litellmChunks: Type.Optional(Flag),
    usageChunkWithChoice: Type.Optional(Flag),
    reasoningChunks: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000 })),
    thinkingBlocks: Type.Optional(Flag),
    truncateAfterTokens: Type.Optional(Type.Integer({ minimum: 0 })),
    toolNameEveryChunk: Type.Optional(Flag),
    toolIdEveryChunk: Type.Optional(Flag),
    toolCallsAtIndexZero: Type.Optional(Flag),
    toolArgumentsAsObject: Type.Optional(Flag),
    toolSummaryChunk: Type.Optional(Flag),
  },
  { additionalProperties: false },
);

export type Fault = Static<typeof FaultSchema>;

const FAULT_KEYS = Object.keys(FaultSchema.properties) as (keyof Fault)[];

/** The model-name separator for a per-request fault: `sim-small~error=500,failFirst=2`. */
export const MODEL_FAULT_SEPARATOR = "~";

/** A fault that cannot be used: a TypeError in-process, a 400 when it came in a request. */
export class FaultSpecError extends TypeError {
  override name = "FaultSpecError";
}

/** Checks a fault object; throws FaultSpecError naming the first bad field. */
export function checkFault(value: unknown, where = "fault"): Fault {
  if (Value.Check(FaultSchema, value)) return value;
  const first = Value.Errors(FaultSchema, value).First();
  const path = first?.path ? first.path.replace(/^\//, "").replaceAll("/", ".") : "";
  throw new FaultSpecError(`${where}${path ? `.${path}` : ""}: ${first?.message ?? "invalid"}`);
}

/**
 * Parses the text form used by the `x-sim-fault` header, the model-name suffix and the CLI:
 * `key=value` pairs separated by `,`, `;` or `&`, e.g. `error=429,retryAfter=0`.
 */
export function parseFaultSpec(spec: string, where = "fault"): Fault {
  const out: Record<string, number | string> = {};
  for (const raw of spec.split(/[,;&]/)) {
    const part = raw.trim();
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw new FaultSpecError(`${where}: expected key=value, got "${part}"`);
    const key = part.slice(0, eq).trim();
    const text = part.slice(eq + 1).trim();
    if (!(FAULT_KEYS as string[]).includes(key)) {
      throw new FaultSpecError(`${where}: unknown key "${key}" (known: ${FAULT_KEYS.join(", ")})`);
    }
    if (key === "retrySignal") {
      out[key] = text;
      continue;
    }
    const num = Number(text);
    if (text === "" || !Number.isFinite(num))
      throw new FaultSpecError(`${where}.${key}: "${text}" is not a number`);
    out[key] = num;
  }
  return checkFault(out, where);
}

/** Later faults win field by field; undefined layers are skipped. */
export function mergeFaults(...layers: (Fault | undefined)[]): Fault {
  const out: Fault = {};
  for (const layer of layers) if (layer) Object.assign(out, layer);
  return out;
}

export function hasFailure(f: Fault): boolean {
  return (
    f.error !== undefined ||
    f.resetAfterChunks !== undefined ||
    f.malformedAfterChunks !== undefined ||
    f.hangAfterChunks !== undefined ||
    f.streamErrorAfterChunks !== undefined ||
    f.budgetExceeded !== undefined ||
    f.firstChunkError !== undefined
  );
}

/** The fault with its failure fields removed: what a request gets once `failFirst` is used up. */
export function withoutFailures(f: Fault): Fault {
  const {
    error: _e,
    retryAfter: _r,
    failFirst: _f,
    resetAfterChunks: _rc,
    malformedAfterChunks: _mc,
    hangAfterChunks: _hc,
    streamErrorAfterChunks: _sc,
    budgetExceeded: _be,
    firstChunkError: _fe,
    ...timing
  } = f;
  return timing;
}
