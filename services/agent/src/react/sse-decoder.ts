/** One server-sent event: its `event:` field (null when absent) and its `data:` lines joined by "\n". */
export interface SseEvent {
  event: string | null;
  data: string;
}

/**
 * Splits a text stream into server-sent events (the WHATWG rules: lines end with \n, \r\n or \r; a blank
 * line ends an event; `data:` lines join with \n; one space after the colon is dropped; lines starting
 * with `:` are comments; `id:`/`retry:` are ignored). Text pieces may cut lines and events anywhere; an
 * event is returned once its blank line has arrived. Written for the hot path: one scan per piece.
 */
export class SseDecoder {
  private rest = "";
  private data: string[] = [];
  private event: string | null = null;
  /** The previous piece ended with \r: a \n at the start of the next one belongs to it. */
  private pendingCr = false;

  /** Decodes a piece of the stream and returns the events it completed (often none or several). */
  push(piece: string): SseEvent[] {
    let text = piece;
    if (this.pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.pendingCr = text.endsWith("\r");
    if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
    text = this.rest + text;
    const out: SseEvent[] = [];
    let start = 0;
    for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
      this.line(text.slice(start, end), out);
      start = end + 1;
    }
    this.rest = start === 0 ? text : text.slice(start);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === "") {
      if (this.data.length > 0) {
        out.push({ event: this.event, data: this.data.length === 1 ? this.data[0]! : this.data.join("\n") });
      }
      this.data = [];
      this.event = null;
      return;
    }
    const colon = line.indexOf(":");
    if (colon === 0) return; // a comment
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
  }
}
