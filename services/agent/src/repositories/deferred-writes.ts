import type { SqlClient, SqlStatement } from "./sql.ts";

/**
 * Bookkeeping writes that nothing waits for before answering (audit events, token counters): gathered
 * during one turn of the event loop and committed together in its check phase, in one transaction. They
 * leave the path between a user's message and the LLM request, and a hundred runs starting or ending at
 * once cost one commit instead of a hundred. A failing batch is retried statement by statement, so one bad
 * row does not take the others with it. Each `add` settles when its statement is saved (or failed).
 */
export class DeferredWrites {
  private pending: { statement: SqlStatement; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(private readonly sql: SqlClient) {}

  add(statement: SqlStatement): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ statement, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  /** Commits what is pending now (also called on shutdown). */
  async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      await this.sql.batch(batch.map((p) => p.statement));
      for (const p of batch) p.resolve();
    } catch {
      for (const p of batch) {
        await this.sql.execute(p.statement.text, p.statement.params).then(p.resolve, p.reject);
      }
    }
  }
}
