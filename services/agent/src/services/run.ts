import type { Lease } from "../cluster/coordinator.ts";
import { DeltaCoalescer } from "../live/delta-coalescer.ts";

/** Why a run was stopped before it ended by itself. */
export type StopCause = "user" | "shutdown" | "database";

/**
 * One answered message, all of it in one place, owned by RunsService: the right to run (the lease, held
 * until its last frame is out), the abort controller, the streamed text, why it was stopped. The socket
 * that asked for it only forwards frames; fan-out only fans out.
 */
export class Run {
  state: "GENERATING" | "STOPPING" = "GENERATING";
  readonly controller = new AbortController();
  stopCause: StopCause | undefined;
  /** The agent was deleted: the run ends at once and writes nothing more. */
  deleted = false;
  /** Its row was closed as done in the transaction of its last step. */
  closedWithLastStep = false;
  /** The model's text as it streams; its `sent` is the step in progress so far, for a socket that joins late. */
  readonly deltas: DeltaCoalescer;
  /** Settles when the run has ended and saved its last words. */
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly agentId: string,
    readonly lease: Lease,
    emitDelta: (index: number, text: string, urgent: boolean) => void,
  ) {
    this.deltas = new DeltaCoalescer(emitDelta);
  }

  stop(cause: StopCause): void {
    this.stopCause = cause;
    this.state = "STOPPING";
    this.controller.abort();
  }
}
