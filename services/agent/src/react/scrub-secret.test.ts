import { describe, expect, it } from "vitest";
import { createSecretScrubber, scrubModelList, scrubSecret } from "./scrub-secret.ts";

const KEY = "sk-Live-0123456789abcdefGHIJ";
const scrub = createSecretScrubber(KEY);
const b64 = (s: string) => Buffer.from(s).toString("base64");
const b64url = (s: string) => Buffer.from(s).toString("base64url");
const hex = (s: string) => Buffer.from(s).toString("hex");
const spaced = (s: string, sep: string) => [...s].join(sep);
const percentAll = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");

/** What must not survive: the key's distinctive middle, in the spellings a reader could decode. */
function leaks(text: string): string[] {
  const middle = KEY.slice(8, 20);
  const probes = [middle, middle.toUpperCase(), middle.toLowerCase(), hex(middle), b64(KEY).slice(4, 20)];
  return probes.filter((p) => text.toLowerCase().includes(p.toLowerCase()));
}

describe("scrubSecret", () => {
  it.each([
    ["as it is", KEY],
    ["upper case", KEY.toUpperCase()],
    ["lower case", KEY.toLowerCase()],
    ["base64", b64(KEY)],
    ["base64 of the upper case", b64(KEY.toUpperCase())],
    ["base64url", b64url(KEY)],
    ["base64 inside a longer encoded string (offset 1)", b64(`x${KEY}`)],
    ["base64 inside a longer encoded string (offset 2)", b64(`Bearer ${KEY} tail`)],
    ["hex", hex(KEY)],
    ["hex in upper case with colons", spaced(hex(KEY).toUpperCase(), ":")],
    ["percent-encoded character by character", percentAll(KEY)],
    ["encodeURIComponent", encodeURIComponent(KEY)],
    ["spaced out", spaced(KEY, " ")],
    ["spaced out in upper case", spaced(KEY.toUpperCase(), " ")],
    ["dashes between characters", spaced(KEY, "-")],
    ["JSON unicode escapes", [...KEY].map((c) => `\\u00${c.charCodeAt(0).toString(16)}`).join("")],
    ["\\x escapes", [...KEY].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join("")],
    ["a piece of it", KEY.slice(3, 15)],
  ])("removes the key %s", (_how, spelling) => {
    const text = `upstream said: invalid api key '${spelling}' (request 42)`;
    const out = scrubSecret(text, KEY);
    expect(out).toContain("[REDACTED]");
    expect(leaks(out)).toEqual([]);
    expect(out).toMatch(/^upstream said: invalid api key '.*\[REDACTED\].*' \(request 42\)$/);
  });

  it("leaves text without the key as it is", () => {
    const text = "model gpt-4o-mini is not available: rate limit 429, retry in 20 s (id abc_123)";
    expect(scrub(text)).toBe(text);
    expect(scrubSecret("anything", undefined)).toBe("anything");
  });

  it("stays linear on hostile text (no regular expression is built from the key)", () => {
    const hostile = `${"s k - L i v e - 0 ".repeat(20_000)}!`;
    const started = performance.now();
    scrub(hostile);
    // a generous bound: catastrophic backtracking would take minutes, not a second
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("scrubs every text field of a model list", () => {
    const list = scrubModelList(
      {
        object: "list",
        data: [
          { id: "gpt-4o", object: "model", created: 1, owned_by: `team ${KEY.toUpperCase()}` },
          { id: `echo-${b64(KEY)}`, object: "model", created: 2, owned_by: "openai" },
        ],
      },
      scrub,
    );
    const body = JSON.stringify(list);
    expect(leaks(body)).toEqual([]);
    expect(list.data[0]!.id).toBe("gpt-4o");
    expect(list.data[1]!.id).toMatch(/^echo-\[REDACTED\]=*$/);
  });
});
