import type { AgentState, ServerFrame } from "@texera-agent/protocol";
import { type FrameMeta, frameMeta } from "../cluster/envelope.ts";

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
  /** The client asked for streamed `delta` frames (`?deltas=1`); others never get one. */
  readonly deltas: boolean;
  /** Sends a fresh `init` read from the database (after the replica lost frames, e.g. a database outage). */
  resync?(): void;
}

/** A socket whose queue grows past this is too slow to follow the stream: it is closed (it may reconnect). */
export const MAX_WATCHER_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * Fan-out, nothing else: frames reach every watcher of an agent (delta frames only those that asked for
 * them), each serialized once however many watch. With several replicas, frames made here are also handed
 * to `publish` (to the other replicas), and `deliver` brings theirs to the sockets here; the state frames
 * of runs elsewhere are remembered so that an agent running on another replica shows as GENERATING.
 */
export class LiveAgents {
  private readonly watchers = new Map<string, Set<Watcher>>();
  /** Agents running on another replica, as their frames told (AVAILABLE ones are not kept). */
  private readonly remote = new Map<string, AgentState>();
  /** Agents whose state a frame changed while a list of running runs was being read (that list is older). */
  private changedDuringRefresh: Set<string> | undefined;

  constructor(private readonly publish?: (id: string, data: string, meta: FrameMeta | undefined) => void) {}

  /** The state of a run on another replica, when one is known. */
  remoteState(id: string): AgentState | undefined {
    return this.remote.get(id);
  }

  /** Call before reading the runs marked running for `setRemoteStates`. */
  beginRemoteRefresh(): void {
    this.changedDuringRefresh = new Set();
  }

  /**
   * Replaces what is known of runs on other replicas (after connecting: the runs marked running). An agent
   * whose state a frame changed since `beginRemoteRefresh` keeps what the frame said: the list was read
   * before it (a run another replica closed meanwhile would otherwise show as GENERATING for good).
   */
  setRemoteStates(states: Iterable<[string, AgentState]>): void {
    const changed = this.changedDuringRefresh;
    this.changedDuringRefresh = undefined;
    for (const id of [...this.remote.keys()]) if (!changed?.has(id)) this.remote.delete(id);
    for (const [id, state] of states) if (!changed?.has(id)) this.remote.set(id, state);
  }

  /** Agents with a socket on this replica. */
  watched(): string[] {
    return [...this.watchers.keys()];
  }

  watchersOf(id: string): Iterable<Watcher> {
    return this.watchers.get(id) ?? [];
  }

  /**
   * `urgent`: written at once (model text a person waits for); otherwise the frames of one turn (a step,
   * complete) are written together at its end. `meta` defaults to what the frame says of itself; a re-sent
   * step passes null, so that a socket that has the step gets it again (Texera re-sends a run's last step).
   */
  broadcast(id: string, frame: ServerFrame, urgent = false, tag?: FrameMeta | null): void {
    const meta = tag === null ? undefined : (tag ?? frameMeta(frame));
    const watchers = this.watchers.get(id);
    if (!this.publish && !watchers) return;
    const data = JSON.stringify(frame);
    if (meta?.state === "AVAILABLE") {
      this.remote.delete(id);
      this.changedDuringRefresh?.add(id);
    }
    if (watchers)
      for (const w of watchers) if (meta?.delta === undefined || w.deltas) sendTo(w, data, urgent, meta);
    this.publish?.(id, data, meta);
  }

  /** A frame from another replica, for the sockets here. */
  deliver(id: string, data: string, meta: FrameMeta | undefined): void {
    if (meta?.state !== undefined) {
      this.changedDuringRefresh?.add(id);
      if (meta.state === "AVAILABLE") this.remote.delete(id);
      else this.remote.set(id, meta.state);
    }
    const watchers = this.watchers.get(id);
    if (!watchers) return;
    // Frames from the database connection arrive in bursts: written together at the end of the turn.
    for (const w of watchers) if (meta?.delta === undefined || w.deltas) sendTo(w, data, false, meta);
  }

  join(id: string, watcher: Watcher): void {
    let set = this.watchers.get(id);
    if (!set) {
      set = new Set();
      this.watchers.set(id, set);
    }
    set.add(watcher);
  }

  leave(id: string, watcher: Watcher): void {
    const set = this.watchers.get(id);
    if (!set) return;
    set.delete(watcher);
    if (set.size === 0) this.watchers.delete(id);
  }

  /** Closes every watcher of an agent (it was deleted) and forgets it. */
  closeAll(id: string, code: number, reason: string): void {
    this.remote.delete(id);
    this.changedDuringRefresh?.add(id);
    const set = this.watchers.get(id);
    if (!set) return;
    this.watchers.delete(id);
    for (const w of set) w.close(code, reason);
  }
}

export function sendTo(watcher: Watcher, data: string, urgent = false, meta?: FrameMeta): void {
  if (watcher.bufferedAmount > MAX_WATCHER_BUFFER_BYTES) {
    watcher.close(1013, "too slow to follow the stream; reconnect");
    return;
  }
  watcher.send(data, urgent, meta);
}
