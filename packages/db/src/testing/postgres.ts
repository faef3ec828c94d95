import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./free-port.ts";

export const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

export function postgresAvailable(): boolean {
  return existsSync(join(PG_BIN, "initdb")) && existsSync(join(PG_BIN, "pg_ctl"));
}

export interface TestPostgres {
  /** URL of the `postgres` database; create one database per test file with createTestDatabase. */
  url: string;
  port: number;
  /**
   * `pg_ctl restart -m fast`: open connections are cut, the server is back on the same port when this
   * resolves. Runs pg_ctl without blocking the caller's event loop (clients in the same process keep going).
   */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`: the server is down (connections refused) until startServer(). */
  stopServer(): Promise<void>;
  /** Starts the server stopped by stopServer() again, with the same port and options. */
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away PostgreSQL cluster in a temporary folder on a loopback port. PostgreSQL refuses to
 * run as root, so as root the cluster belongs to the `postgres` system user.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "pg-test-"));
  const dataDir = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = join(PG_BIN, cmd);
    return asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", full, ...args], { stdio: "pipe" })
      : execFileSync(full, args, { stdio: "pipe" });
  };
  if (asRoot) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), -1);
  run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  run("pg_ctl", ["-D", dataDir, "-o", opts, "-l", join(dir, "log"), "-w", "-t", "60", "start"]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const runAsync = (cmd: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const full = join(PG_BIN, cmd);
      const [file, argv]: [string, string[]] = asRoot
        ? ["runuser", ["-u", "postgres", "--", full, ...args]]
        : [full, args];
      execFile(file, argv, (error, _stdout, stderr) =>
        error ? reject(new Error(`${cmd} ${args.join(" ")}: ${error.message} ${stderr}`)) : resolve(),
      );
    });
  const ctl = (action: string, extra: string[] = []) =>
    runAsync("pg_ctl", ["-D", dataDir, "-l", join(dir, "log"), "-w", "-t", "60", ...extra, action]);
  return {
    url,
    port,
    restart: () => ctl("restart", ["-m", "fast", "-o", opts]),
    stopServer: () => ctl("stop", ["-m", "fast"]),
    startServer: () => ctl("start", ["-o", opts]),
    async stop() {
      try {
        run("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Creates a fresh database on the test cluster and returns its URL. */
export async function createTestDatabase(baseUrl: string, prefix = "t"): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
