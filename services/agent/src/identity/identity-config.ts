import { resolve } from "node:path";
import { isPostgresUrl } from "@texera-agent/db";
import { ConfigError } from "@texera-agent/service-kit";
import type { AgentEnvValues } from "../config.schema.ts";

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
/** The default and the upper bound of DIRECTORY_MAX_STALENESS_MS in agent-service. */
export const MAX_STALENESS_MS = 5_000;
/** access-control's embedded directory file (services/access-control/src/service.ts DATABASE_FILE). */
const DIRECTORY_FILE = "access-control.sqlite";

/**
 * DIRECTORY_URL (default: DATABASE_URL when it is PostgreSQL, which both services share; else the SQLite file
 * access-control keeps in DATA_DIR, resolved as access-control resolves it), DIRECTORY_REFRESH_MS,
 * DIRECTORY_MAX_STALENESS_MS (the same names and bounds as access-control's), AGENT_MAX_SOCKETS_PER_USER.
 */
export function loadIdentityConfig(vars: AgentEnvValues): IdentityConfig {
  const refreshMs = vars.DIRECTORY_REFRESH_MS;
  const maxStalenessMs = vars.DIRECTORY_MAX_STALENESS_MS;
  if (maxStalenessMs < refreshMs) {
    invalid(
      "DIRECTORY_MAX_STALENESS_MS",
      `DIRECTORY_MAX_STALENESS_MS must be a whole number from ${refreshMs} (DIRECTORY_REFRESH_MS) to ${MAX_STALENESS_MS}, got "${maxStalenessMs}"`,
    );
  }
  const raw = vars.DIRECTORY_URL?.trim();
  let directoryUrl: string | undefined;
  if (raw === "none") directoryUrl = undefined;
  else if (raw) {
    if (!isPostgresUrl(raw) && !raw.startsWith("sqlite:")) {
      invalid(
        "DIRECTORY_URL",
        'DIRECTORY_URL must start with postgres://, postgresql:// or sqlite:, or be "none"',
      );
    }
    directoryUrl = raw;
  } else if (isPostgresUrl(vars.DATABASE_URL)) directoryUrl = vars.DATABASE_URL;
  else {
    const dataDir = resolve(vars.INIT_CWD || process.cwd(), vars.DATA_DIR);
    directoryUrl = `sqlite:${resolve(dataDir, DIRECTORY_FILE)}`;
  }
  return {
    directoryUrl,
    refreshMs,
    maxStalenessMs,
    maxSocketsPerUser: vars.AGENT_MAX_SOCKETS_PER_USER,
  };
}

function invalid(name: string, message: string): never {
  throw new ConfigError([{ name, message }]);
}
