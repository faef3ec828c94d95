/**
 * What replicas say to each other through PostgreSQL NOTIFY: an agent's frames (already serialized, passed
 * on as they are) and a few commands. One notification carries at most 8,000 bytes, so a larger frame (a
 * step with big tool results, an init) travels as several parts sent in the same transaction, which
 * PostgreSQL delivers together and in order.
 *
 * Payload: `replica \t seq \t part/total \t agentId \t tag \t text`, where the tag tells the receiver what
 * it needs without parsing the frame: `d<index>` delta, `s<index>` step, `i<lastIndex>` init, `S<state>`
 * state, `f` any other frame, `c<command>` a command (no text).
 */
import type { AgentState, ServerFrame } from "@texera-agent/protocol";

/** What fan-out and the sockets need to know about a frame, read once where it is made. */
export interface FrameMeta {
  /** A step frame: its index (a socket drops a step it already has). */
  step?: number;
  /** A delta frame: the index of the step it belongs to. */
  delta?: number;
  /** An init frame: the index of its last step (-1 when it has none). */
  init?: number;
  /** A state frame: the state. */
  state?: AgentState;
}

export type ClusterCommand = "stop" | "abort" | "deleted";
const COMMANDS: readonly string[] = ["stop", "abort", "deleted"] satisfies ClusterCommand[];
const STATES: readonly string[] = [
  "AVAILABLE",
  "GENERATING",
  "STOPPING",
  "UNAVAILABLE",
] satisfies AgentState[];

export function frameMeta(frame: ServerFrame): FrameMeta | undefined {
  switch (frame.type) {
    case "delta":
      return { delta: frame.index };
    case "step":
      return { step: frame.step.index };
    case "init":
      return { init: frame.steps.length > 0 ? frame.steps[frame.steps.length - 1]!.index : -1 };
    case "state":
      return { state: frame.state };
    default:
      return undefined;
  }
}

function tagOf(meta: FrameMeta | undefined): string {
  if (!meta) return "f";
  if (meta.delta !== undefined) return `d${meta.delta}`;
  if (meta.step !== undefined) return `s${meta.step}`;
  if (meta.init !== undefined) return `i${meta.init}`;
  if (meta.state !== undefined) return `S${meta.state}`;
  return "f";
}

/**
 * Characters of text per notification. A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair,
 * two units, is 4), so 2,500 units stay under PostgreSQL's 8,000-byte limit with the header.
 */
export const PART_CHARS = 2_500;

/** The notifications that carry one frame (or command) from `replica`. */
export function encodeFrame(
  replica: string,
  seq: number,
  agentId: string,
  text: string,
  meta: FrameMeta | undefined,
): string[] {
  return encode(replica, seq, agentId, tagOf(meta), text);
}

export function encodeCommand(
  replica: string,
  seq: number,
  agentId: string,
  command: ClusterCommand,
): string[] {
  return encode(replica, seq, agentId, `c${command}`, "");
}

function encode(replica: string, seq: number, agentId: string, tag: string, text: string): string[] {
  if (text.length <= PART_CHARS) return [`${replica}\t${seq}\t1/1\t${agentId}\t${tag}\t${text}`];
  const parts: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(at + PART_CHARS, text.length);
    // never cut a surrogate pair in two: each half alone would be sent as U+FFFD
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(text.slice(at, end));
    at = end;
  }
  return parts.map((part, i) => `${replica}\t${seq}\t${i + 1}/${parts.length}\t${agentId}\t${tag}\t${part}`);
}

export type Received =
  | { kind: "frame"; replica: string; agentId: string; text: string; meta: FrameMeta | undefined }
  | { kind: "command"; replica: string; agentId: string; command: ClusterCommand };

/**
 * Puts notifications back together. Parts of one frame arrive one after another from their replica;
 * parts from several replicas may interleave, so unfinished frames are kept per replica.
 */
export class EnvelopeReader {
  private readonly partial = new Map<string, { seq: string; parts: string[]; total: number }>();

  /** The whole frame or command once its last part is in; undefined for a part, a malformed payload. */
  read(payload: string): Received | undefined {
    const fields = splitFields(payload);
    if (!fields) return undefined;
    const [replica, seq, position, agentId, tag, text] = fields;
    const slash = position.indexOf("/");
    const part = Number(position.slice(0, slash));
    const total = Number(position.slice(slash + 1));
    if (!(part >= 1 && total >= part)) return undefined;
    let whole = text;
    if (total > 1) {
      let pending = this.partial.get(replica);
      if (part === 1) {
        pending = { seq, parts: [], total };
        this.partial.set(replica, pending);
      }
      if (!pending || pending.seq !== seq || pending.parts.length !== part - 1) {
        this.partial.delete(replica);
        return undefined;
      }
      pending.parts.push(text);
      if (part < total) return undefined;
      this.partial.delete(replica);
      whole = pending.parts.join("");
    }
    return decodeTag(replica, agentId, tag, whole);
  }
}

function splitFields(payload: string): [string, string, string, string, string, string] | undefined {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const tab = payload.indexOf("\t", from);
    if (tab < 0) return undefined;
    out.push(payload.slice(from, tab));
    from = tab + 1;
  }
  out.push(payload.slice(from));
  return out as [string, string, string, string, string, string];
}

function decodeTag(replica: string, agentId: string, tag: string, text: string): Received | undefined {
  const kind = tag[0];
  const rest = tag.slice(1);
  if (kind === "c") {
    return COMMANDS.includes(rest)
      ? { kind: "command", replica, agentId, command: rest as ClusterCommand }
      : undefined;
  }
  let meta: FrameMeta | undefined;
  if (kind === "d" || kind === "s" || kind === "i") {
    const n = Number(rest);
    if (!Number.isInteger(n)) return undefined;
    meta = kind === "d" ? { delta: n } : kind === "s" ? { step: n } : { init: n };
  } else if (kind === "S") {
    if (!STATES.includes(rest)) return undefined;
    meta = { state: rest as AgentState };
  } else if (kind !== "f") {
    return undefined;
  }
  return { kind: "frame", replica, agentId, text, meta };
}
