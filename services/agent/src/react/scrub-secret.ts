import type { ModelList } from "@texera-agent/protocol";

/**
 * Removes a secret (the LiteLLM master key) from text that came from upstream, in every spelling the
 * service can compute: as it is, in any letter case, with separators between its characters
 * (`s k - 1 2`, `s-k-1-2`), percent-, `\xNN`- or `\u00NN`-escaped character by character, as hex, and as
 * base64 or base64url at any alignment (inside a longer encoded string), of the key and of its upper and
 * lower case. Long pieces of the key (8 characters) go too: some gateways echo part of a wrong key.
 *
 * How: the text is reduced to a skeleton (escapes decoded, separators dropped, letters lowercased) with a
 * map back to the text; every needle is reduced the same way and found with indexOf. No regular expression
 * is built from the key, so the cost is linear in the text whatever the text holds.
 */
export type SecretScrubber = (text: string) => string;

const REDACTED = "[REDACTED]";
/** Between characters of an echoed key: whitespace and punctuation a formatter or a person may add. */
const SEPARATORS = new Set([..." \t\r\n\f\v-_.:,;|/\\'\"`+*=<>()[]{}"]);
const PIECE = 8;
const MIN_NEEDLE = 6;

export function createSecretScrubber(secret: string | undefined): SecretScrubber {
  if (!secret || secret.length < 4) return (text) => text;
  const needles = needlesOf(secret);
  return (text) => scrub(text, needles);
}

/** One-off form of createSecretScrubber. */
export function scrubSecret(text: string, secret: string | undefined): string {
  return createSecretScrubber(secret)(text);
}

function needlesOf(secret: string): string[] {
  const found = new Set<string>();
  const add = (spelling: string) => {
    const { skeleton } = skeletonOf(spelling);
    if (skeleton.length >= MIN_NEEDLE) found.add(skeleton);
  };
  const own = skeletonOf(secret).skeleton;
  if (own.length >= MIN_NEEDLE || own.length === secret.length) found.add(own);
  for (let i = 0; i + PIECE <= own.length; i += PIECE / 2) found.add(own.slice(i, i + PIECE));
  for (const variant of new Set([secret, secret.toUpperCase(), secret.toLowerCase()])) {
    const bytes = Buffer.from(variant, "utf8");
    add(bytes.toString("hex"));
    for (const core of base64Cores(bytes)) add(core);
  }
  // the longest first, so a whole key is replaced in one piece rather than piece by piece
  return [...found].filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * The base64 characters that depend on the key's bytes alone, at each of the three alignments the key can
 * have inside a longer base64 string (base64url differs only in `+/` vs `-_`, which the skeleton drops).
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [bytes.toString("base64")];
  for (let offset = 1; offset <= 2; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const whole = Math.floor((offset + bytes.length) / 3) * 4;
    cores.push(encoded.slice(4, whole));
  }
  for (let offset = 0; offset <= 2; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(3)]).toString("base64");
    const start = offset === 0 ? 0 : 4;
    const whole = Math.floor((offset + bytes.length) / 3) * 4;
    cores.push(encoded.slice(start, whole));
  }
  return cores;
}

interface Skeleton {
  skeleton: string;
  /** For each skeleton character: where its spelling starts and ends in the text. */
  starts: number[];
  ends: number[];
}

function skeletonOf(text: string): Skeleton {
  let skeleton = "";
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  while (i < text.length) {
    const { char, length } = decodedAt(text, i);
    if (!SEPARATORS.has(char)) {
      skeleton += char.toLowerCase();
      starts.push(i);
      ends.push(i + length);
    }
    i += length;
  }
  return { skeleton, starts, ends };
}

const HEX2 = /^[0-9a-fA-F]{2}$/;

/** The character at `i`, decoding one `%NN`, `\xNN` or `\u00NN` escape. */
function decodedAt(text: string, i: number): { char: string; length: number } {
  const c = text[i]!;
  if (c === "%" && HEX2.test(text.slice(i + 1, i + 3))) {
    return { char: String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 3), 16)), length: 3 };
  }
  if (c === "\\" && text[i + 1] === "x" && HEX2.test(text.slice(i + 2, i + 4))) {
    return { char: String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16)), length: 4 };
  }
  if (c === "\\" && text[i + 1] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
    return { char: String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16)), length: 6 };
  }
  return { char: c, length: 1 };
}

function scrub(text: string, needles: string[]): string {
  const { skeleton, starts, ends } = skeletonOf(text);
  const ranges: [number, number][] = [];
  for (const needle of needles) {
    for (let at = skeleton.indexOf(needle); at >= 0; at = skeleton.indexOf(needle, at + 1)) {
      ranges.push([starts[at]!, ends[at + needle.length - 1]!]);
    }
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = "";
  let cursor = 0;
  for (const [start, end] of ranges) {
    if (end <= cursor) continue;
    if (start > cursor) out += text.slice(cursor, start);
    if (start >= cursor) out += REDACTED;
    cursor = end;
  }
  return out + text.slice(cursor);
}

/** LiteLLM's model list with the secret scrubbed from every text field (an upstream could echo it there). */
export function scrubModelList(list: ModelList, scrub: SecretScrubber): ModelList {
  return {
    ...list,
    data: list.data.map((model) => ({ ...model, id: scrub(model.id), owned_by: scrub(model.owned_by) })),
  };
}
