import type { AgentState, ServerFrame } from "@texera-agent/protocol";
import type { DeltaCoalescer } from "./delta-coalescer.ts";

/** One watching WebSocket, seen through what fan-out needs. */
export interface Watcher {
  /** `urgent`: write it now, with anything queued before it, instead of at the end of the turn. */
  send(data: string, urgent?: boolean): void;
  close(code: number, reason: string): void;
  /** Bytes queued and not yet sent. */
  readonly bufferedAmount: number;
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
 * serialized once however many watch.
 */
export class LiveAgents {
  private readonly agents = new Map<string, LiveAgent>();

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
    return this.agents.get(id)?.state ?? "AVAILABLE";
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
    if (!live || live.watchers.size === 0) return;
    const data = JSON.stringify(frame);
    for (const w of live.watchers) sendTo(w, data, urgent);
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
    const live = this.agents.get(id);
    if (!live) return;
    for (const w of live.watchers) w.close(code, reason);
    live.watchers.clear();
    this.agents.delete(id);
  }
}

export function sendTo(watcher: Watcher, data: string, urgent = false): void {
  if (watcher.bufferedAmount > MAX_WATCHER_BUFFER_BYTES) {
    watcher.close(1013, "too slow to follow the stream; reconnect");
    return;
  }
  watcher.send(data, urgent);
}
