import { describe, expect, it } from "vitest";
import { createPasswordHasher } from "./password.ts";

describe("password hashing", () => {
  const hasher = createPasswordHasher({ logN: 4, r: 8, p: 1 });

  it("verifies the right password only, with a fresh salt each time", async () => {
    const a = await hasher.hash("pässword one");
    const b = await hasher.hash("pässword one");
    expect(a).toMatch(/^\$scrypt\$ln=4,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify("pässword one", a)).toBe(true);
    expect(await hasher.verify("pässword one".normalize("NFD"), a)).toBe(true);
    expect(await hasher.verify("password one", a)).toBe(false);
    expect(await hasher.verify("", a)).toBe(false);
  });

  it("verifies with the parameters stored in the hash, so raising the cost keeps old hashes valid", async () => {
    const old = await createPasswordHasher({ logN: 3, r: 4, p: 1 }).hash("secret");
    expect(await hasher.verify("secret", old)).toBe(true);
  });

  it("answers false, never throws, for unreadable or hostile hashes", async () => {
    const good = await hasher.hash("x");
    for (const bad of [
      "",
      "plain",
      `$scrypt$ln=99,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$${"A".repeat(43)}`,
      good.slice(0, -5),
      good.replace("ln=4", "ln=30"),
    ]) {
      expect(await hasher.verify("x", bad)).toBe(false);
    }
  });

  it("refuses nonsense parameters at start-up", () => {
    expect(() => createPasswordHasher({ logN: 0, r: 8, p: 1 })).toThrow(TypeError);
    expect(() => createPasswordHasher({ logN: 40, r: 8, p: 1 })).toThrow(TypeError);
  });
});
