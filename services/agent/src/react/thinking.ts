/** An Anthropic thinking block as LiteLLM streams and accepts it on an assistant message. */
export type ThinkingBlock =
  | { type: "thinking"; thinking: string; signature?: string }
  | { type: "redacted_thinking"; data: string };

const MAX_BLOCKS = 32;

/**
 * Joins the `delta.thinking_blocks` pieces of a stream into whole blocks: LiteLLM sends each thinking delta
 * as a one-block list with a piece of the text, and the block's signature in a later piece of its own;
 * a redacted block comes whole. A new thinking block starts after a signed one.
 */
export class ThinkingJoiner {
  private readonly blocks: ThinkingBlock[] = [];

  push(pieces: unknown[]): void {
    for (const raw of pieces) {
      const piece = raw as { type?: unknown; thinking?: unknown; signature?: unknown; data?: unknown } | null;
      if (piece?.type === "redacted_thinking" && typeof piece.data === "string") {
        if (this.blocks.length < MAX_BLOCKS)
          this.blocks.push({ type: "redacted_thinking", data: piece.data });
        continue;
      }
      if (piece?.type !== "thinking") continue;
      let last = this.blocks[this.blocks.length - 1];
      if (last?.type !== "thinking" || last.signature !== undefined) {
        if (this.blocks.length >= MAX_BLOCKS) return;
        last = { type: "thinking", thinking: "" };
        this.blocks.push(last);
      }
      if (typeof piece.thinking === "string") last.thinking += piece.thinking;
      if (typeof piece.signature === "string" && piece.signature !== "") last.signature = piece.signature;
    }
  }

  /** The blocks Anthropic accepts back: thinking with a signature, and redacted ones. */
  finish(): ThinkingBlock[] {
    return this.blocks.filter((b) => b.type === "redacted_thinking" || b.signature !== undefined);
  }
}
