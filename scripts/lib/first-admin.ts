import { randomBytes } from "node:crypto";
import {
  createPasswordHasher,
  createUsersService,
  loadConfig,
  openUserDatabase,
} from "@texera-agent/access-control";

export interface FirstAdmin {
  name: string;
  /** Set only when this call created the admin with a generated password: print it once. */
  generatedPassword?: string;
  created: boolean;
}

/**
 * Makes sure access-control-service's directory has an ADMIN before the service starts: creates ADMIN_USER
 * (default `admin`) with ADMIN_PASSWORD, or with a generated password that the caller prints once. Does
 * nothing when an ADMIN exists (the password is never changed here).
 */
export async function ensureFirstAdmin(env: Record<string, string | undefined>): Promise<FirstAdmin> {
  const name = env.ADMIN_USER || "admin";
  const given = env.ADMIN_PASSWORD;
  if (given !== undefined && given !== "" && given.length < 8) {
    throw new TypeError("ADMIN_PASSWORD must be at least 8 characters");
  }
  const password = given || randomBytes(12).toString("base64url");
  const config = loadConfig(env);
  const { database, repository } = await openUserDatabase(config);
  try {
    const users = createUsersService({ repository, hasher: createPasswordHasher(config.scrypt) });
    const { created } = await users.ensureAdmin({ name, password });
    return { name, created, ...(created && !given ? { generatedPassword: password } : {}) };
  } finally {
    await database.close();
  }
}
