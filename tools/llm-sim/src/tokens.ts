// Tokens, the simulator's way: a token is a word with the whitespace before it. Joining the pieces of
// splitTokens(text) gives back `text` exactly, so a streamed reply reassembles to the same string.

const TOKEN = /\s*\S+|\s+$/g;

export function splitTokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  let n = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.exec(text) !== null) n++;
  return n;
}

// Tool-call arguments are JSON, not prose: count them as a tokenizer would, about 4 characters a token.
export function countJsonTokens(json: string): number {
  return Math.ceil(json.length / 4);
}

const WORDS = (
  "the data flows from a source operator through filters and joins into a sink where results wait " +
  "for the next run of the workflow and every operator keeps its own schema ports and settings"
).split(" ");

/** A reply of exactly `n` tokens (words), for benchmarks that need a known reply size. */
export function fillerText(n: number): string {
  if (n <= 0) return "";
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = WORDS[i % WORDS.length]!;
  return parts.join(" ");
}

/** Splits tool-call arguments into several stream pieces (code-point safe), at least two when possible. */
export function splitArguments(args: string, pieceLength = 12): string[] {
  const chars = Array.from(args);
  if (chars.length === 0) return [];
  let size = pieceLength;
  if (chars.length <= pieceLength) size = Math.max(1, Math.ceil(chars.length / 2));
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(""));
  return pieces;
}
