import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { SecretConfigError } from "./errors.ts";
import { getPath, parseHocon } from "./hocon.ts";

export const MIN_SECRET_BYTES = 32;

/** Texera lowercases the configured secret before using its UTF-8 bytes as the HMAC key; so do we. */
export function keyFromSecret(secret: string): Buffer {
  return Buffer.from(secret.toLowerCase(), "utf8");
}

/** Refuses secrets that cannot protect anything. Called at start-up, so a bad value stops the service. */
export function assertStrongSecret(secret: string, origin: string): void {
  if (secret.trim().toLowerCase() === "random") {
    throw new SecretConfigError(
      `${origin} is "random": Texera generates a throw-away secret for that value, which would make tokens ` +
        "unverifiable across services. Set a fixed secret of at least 32 bytes in both services.",
    );
  }
  const bytes = Buffer.byteLength(secret.toLowerCase(), "utf8");
  if (bytes < MIN_SECRET_BYTES) {
    throw new SecretConfigError(
      `${origin} is ${bytes} bytes long; HS256 needs a secret of at least ${MIN_SECRET_BYTES} bytes ` +
        "(for example: node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\").",
    );
  }
}

export interface ResolvedSecret {
  secret: string;
  /** Where it came from, for the start-up log (never the value). */
  source: string;
  /** `auth.jwt.expiration-in-minutes` from auth.conf, when that file was used and sets it. */
  expirationMinutes?: number;
  generated: boolean;
}

export interface ResolveSecretOptions {
  env: Record<string, string | undefined>;
  /** When neither env variable is set: keep a generated secret in this folder (embedded default). */
  dataDir?: string;
}

/** `AUTH_JWT_SECRET`, else `auth.jwt.256-bit-secret` from the HOCON file at `AUTH_CONF_PATH`, else generated. */
export function resolveJwtSecret({ env, dataDir }: ResolveSecretOptions): ResolvedSecret {
  const fromEnv = env.AUTH_JWT_SECRET;
  if (fromEnv !== undefined && fromEnv !== "") {
    assertStrongSecret(fromEnv, "AUTH_JWT_SECRET");
    return { secret: fromEnv, source: "AUTH_JWT_SECRET", generated: false, ...readExpiration(env) };
  }
  const confPath = env.AUTH_CONF_PATH;
  if (confPath) {
    const { secret, expirationMinutes } = readAuthConf(confPath, env);
    assertStrongSecret(secret, `auth.jwt.256-bit-secret in ${confPath}`);
    return { secret, source: `AUTH_CONF_PATH (${confPath})`, generated: false, expirationMinutes };
  }
  if (!dataDir) {
    throw new SecretConfigError(
      "no JWT secret: set AUTH_JWT_SECRET, or AUTH_CONF_PATH to Texera's auth.conf",
    );
  }
  const file = join(dataDir, "jwt-secret");
  if (existsSync(file)) {
    const secret = readFileSync(file, "utf8").trim();
    assertStrongSecret(secret, file);
    return { secret, source: `generated secret in ${file}`, generated: false };
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return { secret, source: `generated secret in ${file}`, generated: true };
}

function readExpiration(env: Record<string, string | undefined>): { expirationMinutes?: number } {
  if (!env.AUTH_CONF_PATH) return {};
  return { expirationMinutes: readAuthConf(env.AUTH_CONF_PATH, env).expirationMinutes };
}

function readAuthConf(
  path: string,
  env: Record<string, string | undefined>,
): { secret: string; expirationMinutes?: number } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SecretConfigError(`AUTH_CONF_PATH: cannot read ${path}: ${(error as Error).message}`);
  }
  let conf: ReturnType<typeof parseHocon>;
  try {
    conf = parseHocon(text, env);
  } catch (error) {
    throw new SecretConfigError(`AUTH_CONF_PATH: ${path} is not valid HOCON: ${(error as Error).message}`);
  }
  const secret = getPath(conf, "auth.jwt.256-bit-secret");
  if (typeof secret !== "string") {
    throw new SecretConfigError(`AUTH_CONF_PATH: ${path} has no auth.jwt.256-bit-secret`);
  }
  const minutes = getPath(conf, "auth.jwt.expiration-in-minutes");
  if (minutes === undefined) return { secret };
  const expirationMinutes = Number(minutes);
  if (typeof minutes !== "string" || !(expirationMinutes > 0)) {
    throw new SecretConfigError(
      `AUTH_CONF_PATH: auth.jwt.expiration-in-minutes in ${path} must be a positive number`,
    );
  }
  return { secret, expirationMinutes };
}
