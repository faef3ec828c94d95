import type { SqlClient, SqlStatement } from "./sql.ts";

/**
 * Group commit: the writes of one turn of the event loop (the steps of every run that completed one, run
 * rows, audit events, token counters) are committed together in its check phase, in one transaction, so a
 * hundred runs starting or ending at once cost one commit instead of a hundred (and a write that nothing
 * waits for, like an audit event, leaves the path to the LLM request). A group of statements is atomic:
 * when the shared transaction fails, each group is tried again on its own, so one bad group does not take
 * the others with it. Each `add` settles when its group is saved (or failed): whoever must not go on before
 * the data is durable (a step frame, the LLM request) waits for it. Once `maxPending` groups wait, they are
 * committed at once: a long turn (a burst of a hundred replies) lets its first runs finish early instead of
 * holding every one of them to its end.
 */
export class DeferredWrites {
  private pending: { group: SqlStatement[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    /** The client the statements are made with and committed through. */
    readonly sql: SqlClient,
    private readonly maxPending = 16,
  ) {}

  add(statements: SqlStatement | readonly SqlStatement[]): Promise<void> {
    const group = Array.isArray(statements) ? [...statements] : [statements as SqlStatement];
    return new Promise((resolve, reject) => {
      this.pending.push({ group, resolve, reject });
      if (this.pending.length >= this.maxPending) {
        void this.flush();
        return;
      }
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    });
  }

  /** Commits what is pending now (also called on shutdown). */
  async flush(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      await this.sql.batch(batch.length === 1 ? batch[0]!.group : batch.flatMap((p) => p.group));
      for (const p of batch) p.resolve();
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const p of batch) await this.sql.batch(p.group).then(p.resolve, p.reject);
    }
  }
}
