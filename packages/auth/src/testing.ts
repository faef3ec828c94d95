import { createHmac } from "node:crypto";

/** Builds a compact JWS by hand, so tests can craft any header, payload or signature. */
export function mintRaw(header: unknown, payload: unknown, key: string | Buffer): string {
  const enc = (v: unknown) =>
    Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
  const input = `${enc(header)}.${enc(payload)}`;
  const sig = createHmac("sha256", key).update(input).digest("base64url");
  return `${input}.${sig}`;
}
