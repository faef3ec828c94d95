import { resolve } from "node:path";
import { isPostgresUrl } from "@texera-agent/db";
import { intFromEnv } from "@texera-agent/service-kit";

/** Where the user directory is and how agent-service keeps up with it, and the per-user socket cap. */
export interface IdentityConfig {
  /**
   * access-control's directory database (read-only), or undefined for none (DIRECTORY_URL=none): then every
   * token is judged by its claims alone, as for users a directory does not know.
   */
  directoryUrl: string | undefined;
  refreshMs: number;
  maxStalenessMs: number;
  /** Open sockets of one user on one replica; the next upgrade is refused with 429. 0: no cap. */
  maxSocketsPerUser: number;
}

export const DEFAULT_MAX_SOCKETS_PER_USER = 20;
/** access-control's embedded directory file (services/access-control/src/service.ts DATABASE_FILE). */
const DIRECTORY_FILE = "access-control.sqlite";

/**
 * DIRECTORY_URL (default: DATABASE_URL when it is PostgreSQL, which both services share; else the SQLite file
 * access-control keeps in DATA_DIR, resolved as access-control resolves it), DIRECTORY_REFRESH_MS,
 * DIRECTORY_MAX_STALENESS_MS (the same names and bounds as access-control's), AGENT_MAX_SOCKETS_PER_USER.
 */
export function loadIdentityConfig(env: Record<string, string | undefined>): IdentityConfig {
  const refreshMs = intFromEnv(env, "DIRECTORY_REFRESH_MS", 1_000, { min: 10, max: 5_000 });
  const maxStalenessMs = intFromEnv(env, "DIRECTORY_MAX_STALENESS_MS", 5_000, { min: refreshMs, max: 5_000 });
  const raw = env.DIRECTORY_URL?.trim();
  let directoryUrl: string | undefined;
  if (raw === "none") directoryUrl = undefined;
  else if (raw) {
    if (!isPostgresUrl(raw) && !raw.startsWith("sqlite:")) {
      throw new TypeError(
        'DIRECTORY_URL must start with postgres://, postgresql:// or sqlite:, or be "none"',
      );
    }
    directoryUrl = raw;
  } else if (isPostgresUrl(env.DATABASE_URL)) directoryUrl = env.DATABASE_URL;
  else {
    const dataDir = resolve(env.INIT_CWD || process.cwd(), env.DATA_DIR || "./data");
    directoryUrl = `sqlite:${resolve(dataDir, DIRECTORY_FILE)}`;
  }
  return {
    directoryUrl,
    refreshMs,
    maxStalenessMs,
    maxSocketsPerUser: intFromEnv(env, "AGENT_MAX_SOCKETS_PER_USER", DEFAULT_MAX_SOCKETS_PER_USER, {
      max: 100_000,
    }),
  };
}
