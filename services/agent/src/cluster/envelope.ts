/**
 * What replicas say to each other through PostgreSQL NOTIFY: an agent's frames (already serialized, passed
 * on as they are) and a few commands, one record each: `agentId \t tag \t text`, where the tag tells the
 * receiver what it needs without parsing the frame: `d<index>` delta, `s<index>` step, `i<lastIndex>` init,
 * `S<state>` state, `f` any other frame, `c<command>` a command (no text). Records never hold a raw newline
 * (JSON escapes it), so the records of one flush are packed, newline-separated, into as few notifications
 * as fit PostgreSQL's 8,000-byte payload limit: a notification costs far more than its bytes (the burst of a
 * thousand streaming runs is tens of thousands of frames a second). A record too big for one notification
 * travels as numbered parts; notifications sent in one transaction arrive together and in order.
 *
 * Notification: `replica \t seq \t P \n records…` (packed) or `replica \t seq \t part/total \n piece`.
 * The sequence number also keeps two equal payloads of one transaction apart (PostgreSQL would fold them).
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
  /** A state or complete frame: the state. */
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
    case "complete":
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

export function frameRecord(agentId: string, text: string, meta: FrameMeta | undefined): string {
  return `${agentId}\t${tagOf(meta)}\t${text}`;
}

export function commandRecord(agentId: string, command: ClusterCommand): string {
  return `${agentId}\tc${command}\t`;
}

/** Bytes of records per notification: PostgreSQL takes payloads under 8,000 bytes, header included. */
export const PACK_BYTES = 7_800;

/**
 * Characters per part of a record too big to pack. A UTF-16 code unit is at most 3 bytes of UTF-8 (a
 * surrogate pair, two units, is 4), so 2,500 units stay under the limit.
 */
export const PART_CHARS = 2_500;

/** Packs records into notifications, in order; `seq` numbers them (one call per notification). */
export function packRecords(replica: string, seq: () => number, records: readonly string[]): string[] {
  const out: string[] = [];
  let pack: string[] = [];
  let bytes = 0;
  const close = () => {
    if (pack.length === 0) return;
    out.push(`${replica}\t${seq()}\tP\n${pack.join("\n")}`);
    pack = [];
    bytes = 0;
  };
  for (const record of records) {
    const size = Buffer.byteLength(record);
    if (size > PACK_BYTES) {
      close();
      const parts = split(record);
      const n = seq();
      for (let i = 0; i < parts.length; i++)
        out.push(`${replica}\t${n}\t${i + 1}/${parts.length}\n${parts[i]}`);
      continue;
    }
    if (bytes + size + 1 > PACK_BYTES) close();
    pack.push(record);
    bytes += size + 1;
  }
  close();
  return out;
}

function split(text: string): string[] {
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
  return parts;
}

export type Received =
  | { kind: "frame"; replica: string; agentId: string; text: string; meta: FrameMeta | undefined }
  | { kind: "command"; replica: string; agentId: string; command: ClusterCommand };

/**
 * Reads notifications back into records. Parts of one big record arrive one after another from their
 * replica; parts from several replicas may interleave, so unfinished records are kept per replica.
 */
export class EnvelopeReader {
  private readonly partial = new Map<string, { seq: string; parts: string[]; total: number }>();

  /** The records of a notification, in order (none for a part before the last, or a malformed one). */
  read(payload: string): Received[] {
    const newline = payload.indexOf("\n");
    if (newline < 0) return [];
    const header = payload.slice(0, newline).split("\t");
    if (header.length !== 3) return [];
    const [replica, seq, kind] = header as [string, string, string];
    const body = payload.slice(newline + 1);
    if (kind === "P") {
      const out: Received[] = [];
      for (const record of body.split("\n")) {
        const received = decodeRecord(replica, record);
        if (received) out.push(received);
      }
      return out;
    }
    const slash = kind.indexOf("/");
    const part = Number(kind.slice(0, slash));
    const total = Number(kind.slice(slash + 1));
    if (!(slash > 0 && Number.isInteger(part) && part >= 1 && total >= part)) return [];
    let pending = this.partial.get(replica);
    if (part === 1) {
      pending = { seq, parts: [], total };
      this.partial.set(replica, pending);
    }
    if (!pending || pending.seq !== seq || pending.total !== total || pending.parts.length !== part - 1) {
      this.partial.delete(replica);
      return [];
    }
    pending.parts.push(body);
    if (part < total) return [];
    this.partial.delete(replica);
    const received = decodeRecord(replica, pending.parts.join(""));
    return received ? [received] : [];
  }
}

function decodeRecord(replica: string, record: string): Received | undefined {
  const first = record.indexOf("\t");
  const second = first < 0 ? -1 : record.indexOf("\t", first + 1);
  if (second < 0) return undefined;
  return decodeTag(
    replica,
    record.slice(0, first),
    record.slice(first + 1, second),
    record.slice(second + 1),
  );
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
    if (rest === "" || !Number.isInteger(n)) return undefined;
    meta = kind === "d" ? { delta: n } : kind === "s" ? { step: n } : { init: n };
  } else if (kind === "S") {
    if (!STATES.includes(rest)) return undefined;
    meta = { state: rest as AgentState };
  } else if (kind !== "f") {
    return undefined;
  }
  return { kind: "frame", replica, agentId, text, meta };
}
