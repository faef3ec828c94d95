/**
 * Messages that start runs are taken a few per turn of the event loop (`perTurn`), in the order they came.
 *
 * Handling a message up to its LLM request (the agent read, admission, the history, the prompt, the
 * request) takes a few hundred microseconds. A burst of messages that arrive together (a hundred users
 * pressing send at once) used to be handled in one turn, all of them before the loop read anything else:
 * the replies to the first requests waited behind the last message, so every run of the burst ended near
 * the end of the burst. A few messages per turn lets the loop read the replies of the runs already
 * started between them; a run's work is done closer to the order the runs came, and early runs end early
 * (the 100-session case of bench/agent.bench.ts). Not one per turn: the user steps of the messages of a
 * turn are committed together (DeferredWrites), and one commit per message cost ≈0.3 ms of CPU a run in
 * that benchmark. A lone message waits only for the end of the current turn.
 */
export class StartTurns {
  private readonly waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly perTurn = 8) {}

  /** Resolves at this message's turn, with whether a stop for its agent came while it waited. */
  wait(agentId: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiting.push({ agentId, resolve, stopped: false });
      this.schedule();
    });
  }

  /**
   * A stop for an agent whose message is waiting: its run is to be stopped as soon as it starts (the person
   * pressed stop after send, and the run had not begun). Answers whether a message of the agent waited.
   */
  stop(agentId: string): boolean {
    let found = false;
    for (const w of this.waiting) {
      if (w.agentId === agentId) {
        w.stopped = true;
        found = true;
      }
    }
    return found;
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    // An immediate set from within the check phase runs in the next turn, after its I/O.
    setImmediate(() => {
      this.scheduled = false;
      const now = this.waiting.splice(0, this.perTurn);
      this.schedule();
      for (const w of now) w.resolve(w.stopped);
    });
  }
}

interface Waiting {
  agentId: string;
  resolve: (stopped: boolean) => void;
  stopped: boolean;
}
