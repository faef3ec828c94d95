/**
 * Joins the text pieces that arrive in one burst (the chunks of one network read) into few delta frames.
 * The first piece of a burst goes out at once, marked urgent (written to the sockets now); the ones behind
 * it in the same turn of the event loop wait for its check phase and go out together, urgent too.
 * `flush()` sends at once, not urgent: it comes before a step frame (so a step never overtakes its text),
 * and the two leave in the same write. Only text already sent counts as `sent`, so a socket that joins in
 * the middle and starts from `sent` gets every piece exactly once. While `hold()` is on (the user's step
 * is not saved yet), nothing goes out: `release()` sends what was held, in order.
 */
export class DeltaCoalescer {
  private pending: { index: number; text: string } | undefined;
  private scheduled: NodeJS.Immediate | undefined;
  private held: { index: number; text: string }[] | undefined;
  /** The text of the step in progress that has gone out so far. */
  sent: { index: number; text: string } | undefined;

  constructor(private readonly emit: (index: number, text: string, urgent: boolean) => void) {}

  push(index: number, text: string): void {
    if (this.pending && this.pending.index !== index) this.flush();
    if (this.pending) this.pending.text += text;
    else this.pending = { index, text };
    if (this.scheduled) return;
    this.flush(true);
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.flush(true);
    });
  }

  flush(urgent = false): void {
    const out = this.pending;
    if (!out) return;
    this.pending = undefined;
    if (this.held) this.held.push(out);
    else this.send(out, urgent);
  }

  /** Nothing goes out until release(). */
  hold(): void {
    this.held ??= [];
  }

  /** Sends what was held, at once and in order; from now on pieces go out as they come. */
  release(): void {
    const held = this.held;
    this.held = undefined;
    for (const out of held ?? []) this.send(out, true);
  }

  private send(out: { index: number; text: string }, urgent: boolean): void {
    if (this.sent && this.sent.index === out.index) this.sent.text += out.text;
    else this.sent = { index: out.index, text: out.text };
    this.emit(out.index, out.text, urgent);
  }

  /** The step in progress was saved: its text is no longer partial. */
  reset(): void {
    this.flush();
    this.sent = undefined;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
  }
}
