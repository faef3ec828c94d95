import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** scrypt cost: N = 2^logN, block size r, parallelism p. Memory is about 128·N·r bytes. */
export interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or an unreadable hash; never throws for either. */
  verify(password: string, encoded: string): Promise<boolean>;
}

const KEY_BYTES = 32;
const SALT_BYTES = 16;
// $scrypt$ln=15,r=8,p=1$<salt>$<hash>, salt and hash in unpadded base64 (the PHC string format).
const PHC =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,64})\$([A-Za-z0-9+/]{32,128})$/;
const LIMITS = { logN: [1, 22], r: [1, 32], p: [1, 16] } as const;

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.logN;
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFC"),
      salt,
      length,
      { N, r: params.r, p: params.p, maxmem: 256 * N * params.r * params.p + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

function checkParams(params: ScryptParams): boolean {
  return (Object.keys(LIMITS) as (keyof ScryptParams)[]).every((k) => {
    const value = params[k];
    return Number.isInteger(value) && value >= LIMITS[k][0] && value <= LIMITS[k][1];
  });
}

/**
 * Password hashing with node:crypto scrypt (memory-hard, runs on libuv's thread pool, so logins never
 * block the authorize hot path). Each hash string carries its own parameters and salt, so raising the cost
 * later keeps old hashes verifiable.
 */
export function createPasswordHasher(params: ScryptParams): PasswordHasher {
  if (!checkParams(params)) throw new TypeError(`scrypt parameters out of range: ${JSON.stringify(params)}`);
  const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "");
  return {
    async hash(password) {
      const salt = randomBytes(SALT_BYTES);
      const key = await derive(password, salt, params, KEY_BYTES);
      return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
    },
    async verify(password, encoded) {
      const m = PHC.exec(encoded);
      if (!m) return false;
      const stored: ScryptParams = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
      if (!checkParams(stored)) return false;
      const expected = Buffer.from(m[5]!, "base64");
      if (expected.length !== KEY_BYTES) return false; // a truncated hash must not verify a prefix
      const actual = await derive(password, Buffer.from(m[4]!, "base64"), stored, expected.length);
      return timingSafeEqual(actual, expected);
    },
  };
}
