import { describe, expect, it } from "vitest";
import { createHs256Check } from "./hs256.ts";
import { mintRaw } from "./testing.ts";

const KEY = "hs256-check-test-secret-0123456789abcdef";
const check = createHs256Check(Buffer.from(KEY));
const payload = { sub: "alice", userId: 7, role: "REGULAR", exp: 4e9 };

function code(token: string): string {
  try {
    check(token);
    return "accepted";
  } catch (error) {
    return (error as { code?: string }).code ?? `threw ${String(error)}`;
  }
}

/** A token over raw segments (any text), signed with KEY. */
function signedSegments(header: string, body: string): string {
  const [, , sig] = mintRaw(header, body, KEY).split(".");
  const enc = (s: string) => Buffer.from(s).toString("base64url");
  return `${enc(header)}.${enc(body)}.${sig}`;
}

describe("createHs256Check", () => {
  it("returns the payload of a good token, with either common header", () => {
    expect(check(mintRaw({ alg: "HS256", typ: "JWT" }, payload, KEY))).toEqual(payload);
    expect(check(mintRaw({ alg: "HS256" }, payload, KEY))).toEqual(payload);
  });

  it("accepts exactly the canonical spelling of the signature's last character", () => {
    const good = mintRaw({ alg: "HS256" }, payload, KEY);
    const head = good.slice(0, -1);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const accepted = [...alphabet].filter((c) => code(head + c) !== "ERR_JWT_SIGNATURE_INVALID");
    expect(accepted).toEqual([good.at(-1)]);
    // and the rule is the decoder's: only a character that survives a decode/encode round trip is legal
    for (const c of alphabet) {
      const sig = good.slice(good.lastIndexOf(".") + 1, -1) + c;
      const roundTrips = Buffer.from(sig, "base64url").toString("base64url") === sig;
      if (!roundTrips) expect(code(head + c)).toBe("ERR_JWT_SIGNATURE_INVALID");
    }
  });

  it("refuses a critical header extension, even when signed", () => {
    expect(code(mintRaw({ alg: "HS256", crit: ["exp"] }, payload, KEY))).toBe("ERR_JWT_MALFORMED");
    expect(code(mintRaw({ alg: "HS256", crit: null }, payload, KEY))).toBe("ERR_JWT_MALFORMED");
  });

  it("refuses a header that is not a JSON object, even when signed", () => {
    expect(code(signedSegments("[1]", JSON.stringify(payload)))).toBe("ERR_JWT_MALFORMED");
    expect(code(signedSegments("not json", JSON.stringify(payload)))).toBe("ERR_JWT_MALFORMED");
    expect(code(signedSegments("null", JSON.stringify(payload)))).toBe("ERR_JWT_MALFORMED");
  });

  it("checks the signature before it reads the payload", () => {
    const token = signedSegments('{"alg":"HS256"}', "not json");
    expect(code(token)).toBe("ERR_JWT_MALFORMED"); // signed: the payload is read, and is not JSON
    const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
    expect(code(forged)).toBe("ERR_JWT_SIGNATURE_INVALID");
  });

  it("remembers accepted headers by their exact text only", () => {
    const good = mintRaw({ alg: "HS256" }, payload, KEY);
    expect(code(good)).toBe("accepted");
    // same JSON meaning, other text: decoded and judged again; other alg after a remembered one: refused
    expect(code(mintRaw({ alg: "HS256", typ: "JWT", kid: "k" }, payload, KEY))).toBe("accepted");
    expect(code(mintRaw({ alg: "HS512" }, payload, KEY))).toBe("ERR_JWT_ALG_NOT_ALLOWED");
    for (let i = 0; i < 40; i++) expect(code(mintRaw({ alg: "HS256", n: i }, payload, KEY))).toBe("accepted");
    expect(code(mintRaw({ alg: "none" }, payload, KEY))).toBe("ERR_JWT_ALG_NOT_ALLOWED");
    expect(code(good)).toBe("accepted");
  });

  it("refuses a signature made with another key", () => {
    expect(code(mintRaw({ alg: "HS256" }, payload, `${KEY}x`))).toBe("ERR_JWT_SIGNATURE_INVALID");
  });
});
