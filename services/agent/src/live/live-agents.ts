import type { AgentState, ServerFrame } from "@texera-agent/protocol";
import { type FrameMeta, frameMeta } from "../cluster/envelope.ts";
import type { DeltaCoalescer } from "./delta-coalescer.ts";

/** One watching WebSocket, seen through what fan-out needs. */
export interface Watcher {
  /**
   * `urgent`: write it now, with anything queued before it, instead of at the end of the turn. `meta` says
   * which step the frame is about (a socket drops a step it already has).
   */
  send(data: string, urgent?: boolean, meta?: FrameMeta): void;
  close(code: number, reason: string): void;
  /** Bytes queued and not yet sent. */
  readonly bufferedAmount: number;
  /** Sends a fresh `init` read from the database (after the replica lost frames, e.g. a database outage). */
  resync?(): void;
}

/** A socket whose queue grows past this is too slow to follow the stream: it is closed (it may reconnect). */
export const MAX_WATCHER_BUFFER_BYTES = 8 * 1024 * 1024;

/** What is happening to one agent right now; in memory only (the database has the history). */
export class LiveAgent {
  state: AgentState = "AVAILABLE";
  runId: string | undefined;
  controller: AbortController | undefined;
  /** Settles when the current run has ended and saved its last words. */
  done: Promise<void> | undefined;
  deleted = false;
  /** The run's text stream; its `sent` is the text of the step in progress so far, for a late joiner. */
  deltas: DeltaCoalescer | undefined;
  readonly watchers = new Set<Watcher>();
}

/**
 * The agents that are running or watched. Frames fan out to every watcher of an agent; each frame is
 * serialized once however many watch. With several replicas, the frames of runs here are also handed to
 * `publish` (to the other replicas), and `deliver` brings theirs to the sockets here.
 */
export class LiveAgents {
  private readonly agents = new Map<string, LiveAgent>();
  /** Agents running on another replica, as their state frames told (AVAILABLE ones are not kept). */
  private readonly remote = new Map<string, AgentState>();

  constructor(private readonly publish?: (id: string, data: string, meta: FrameMeta | undefined) => void) {}

  get(id: string): LiveAgent {
    let live = this.agents.get(id);
    if (!live) {
      live = new LiveAgent();
      this.agents.set(id, live);
    }
    return live;
  }

  peek(id: string): LiveAgent | undefined {
    return this.agents.get(id);
  }

  state(id: string): AgentState {
    const local = this.agents.get(id);
    if (local?.done) return local.state;
    return this.remote.get(id) ?? local?.state ?? "AVAILABLE";
  }

  /** Replaces what is known of runs on other replicas (after connecting: the runs marked running). */
  setRemoteStates(states: Iterable<[string, AgentState]>): void {
    this.remote.clear();
    for (const [id, state] of states) if (!this.agents.get(id)?.done) this.remote.set(id, state);
  }

  /** Agents with a socket on this replica. */
  watched(): string[] {
    return [...this.agents.entries()].filter(([, a]) => a.watchers.size > 0).map(([id]) => id);
  }

  running(): LiveAgent[] {
    return [...this.agents.values()].filter((a) => a.done !== undefined);
  }

  /**
   * `urgent`: written at once (model text a person waits for); otherwise the frames of one turn (a step,
   * the state, complete) are written together at its end.
   */
  broadcast(id: string, frame: ServerFrame, urgent = false): void {
    const live = this.agents.get(id);
    if (!this.publish && (!live || live.watchers.size === 0)) return;
    const data = JSON.stringify(frame);
    const meta = frameMeta(frame);
    if (meta?.state === "AVAILABLE") this.remote.delete(id);
    if (live) for (const w of live.watchers) sendTo(w, data, urgent, meta);
    this.publish?.(id, data, meta);
  }

  /** A frame from another replica, for the sockets here. */
  deliver(id: string, data: string, meta: FrameMeta | undefined): void {
    if (meta?.state !== undefined && !this.agents.get(id)?.done) {
      if (meta.state === "AVAILABLE") this.remote.delete(id);
      else this.remote.set(id, meta.state);
    }
    const live = this.agents.get(id);
    if (!live) return;
    // Frames from the database connection arrive in bursts: written together at the end of the turn.
    for (const w of live.watchers) sendTo(w, data, false, meta);
  }

  join(id: string, watcher: Watcher): LiveAgent {
    const live = this.get(id);
    live.watchers.add(watcher);
    return live;
  }

  leave(id: string, watcher: Watcher): void {
    const live = this.agents.get(id);
    if (!live) return;
    live.watchers.delete(watcher);
    this.forgetIfIdle(id);
  }

  /** Drops the entry of an agent nobody watches and nothing runs on. */
  forgetIfIdle(id: string): void {
    const live = this.agents.get(id);
    if (live && live.watchers.size === 0 && live.done === undefined) this.agents.delete(id);
  }

  /** Closes every watcher of an agent (it was deleted) and forgets it. */
  closeAll(id: string, code: number, reason: string): void {
    this.remote.delete(id);
    const live = this.agents.get(id);
    if (!live) return;
    for (const w of live.watchers) w.close(code, reason);
    live.watchers.clear();
    this.agents.delete(id);
  }
}

export function sendTo(watcher: Watcher, data: string, urgent = false, meta?: FrameMeta): void {
  if (watcher.bufferedAmount > MAX_WATCHER_BUFFER_BYTES) {
    watcher.close(1013, "too slow to follow the stream; reconnect");
    return;
  }
  watcher.send(data, urgent, meta);
}
