/**
 * Several agent-service replicas on one throw-away PostgreSQL behind one gateway, each service a child
 * process as in production: llm-sim (LiteLLM's stand-in), access-control-service (its own SQLite), N
 * agent-service replicas (DATABASE_URL on the shared PostgreSQL database, AGENT_CLUSTER_SWEEP_MS set) and the
 * built-in gateway or real nginx with every replica as an upstream. Tests get the gateway's and every
 * replica's URL, tokens minted with the shared secret, and the faults: SIGKILL a replica, restart it,
 * stop and start PostgreSQL.
 *
 * DATA_DIR: each replica has its own (DuckDB spills to DATA_DIR/duckdb-tmp, which two processes must not
 * share), and every replica's DATA_DIR/datasets is a link to one shared folder, so an upload is seen by all.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSigner, type Role } from "@texera-agent/auth";
import { createTestDatabase, startTestPostgres, type TestPostgres } from "@texera-agent/db/testing";
import { freePorts } from "@texera-agent/db/testing/free-port";
import { REPO_ROOT, type RunningNginx, startNginx } from "../../scripts/lib/nginx.ts";
import { type Output, type Service, startService, waitForHealthy } from "../../scripts/lib/processes.ts";

export type ClusterGateway = "builtin" | "nginx";

/** The one model llm-sim lists in a cluster run. */
export const CLUSTER_MODEL = "sim-small";

/**
 * What llm-sim answers, chosen by the user's message (so one llm-sim serves every kind of client at once):
 * - `load <tag> <n>`: "Reply to <tag>." and n filler tokens, streamed at 150 tokens/s.
 * - `slow <tag> <n>`: first a turn with a tool call (listDatasets), so a step is saved early; then
 *   "Answer for <tag>." and n tokens at 10 tokens/s (a run that is mid-stream for n/10 s).
 * - `fault <kind> <tag>`: 500 | 429 | reset | malformed | stream-error | hang (see FAULT_CODES).
 * - anything else: echoed back.
 */
export const CLUSTER_SCENARIO = {
  name: "cluster",
  rules: [
    {
      name: "load",
      match: { lastUser: "^load (?<tag>\\S+) (?<n>\\d+)$" },
      reply: { content: "Reply to {{match:tag}}.", tokens: "{{match:n}}" },
      fault: { tokensPerSecond: 150 },
    },
    {
      name: "slow-tool",
      match: { lastUser: "^slow (?<tag>\\S+) (?<n>\\d+)$", assistantTurns: 0 },
      reply: {
        content: "Checking the datasets first.",
        toolCalls: [{ name: "listDatasets", arguments: {} }],
      },
    },
    {
      name: "slow-answer",
      match: { lastUser: "^slow (?<tag>\\S+) (?<n>\\d+)$", afterToolResult: true },
      reply: { content: "Answer for {{match:tag}}.", tokens: "{{match:n}}" },
      fault: { tokensPerSecond: 10 },
    },
    {
      name: "fault-500",
      match: { lastUser: "^fault 500 " },
      reply: { content: "never sent" },
      fault: { error: 500 },
    },
    {
      name: "fault-429",
      match: { lastUser: "^fault 429 " },
      reply: { content: "never sent" },
      fault: { error: 429, retryAfter: 0 },
    },
    {
      name: "fault-reset",
      match: { lastUser: "^fault reset " },
      reply: { content: "cut", tokens: 30 },
      fault: { resetAfterChunks: 6 },
    },
    {
      name: "fault-malformed",
      match: { lastUser: "^fault malformed " },
      reply: { content: "bad", tokens: 30 },
      fault: { malformedAfterChunks: 4 },
    },
    {
      name: "fault-stream-error",
      match: { lastUser: "^fault stream-error " },
      reply: { content: "broken", tokens: 30 },
      fault: { streamErrorAfterChunks: 5 },
    },
    {
      name: "fault-hang",
      match: { lastUser: "^fault hang " },
      reply: { content: "stuck", tokens: 30 },
      fault: { hangAfterChunks: 4 },
    },
  ],
};

/** The error code agent-service names for each `fault <kind>` of CLUSTER_SCENARIO (react/describe-upstream-error.ts). */
export const FAULT_CODES = {
  "500": "LLM_SERVER_ERROR",
  "429": "LLM_RATE_LIMITED",
  reset: "LLM_CONNECTION_LOST",
  malformed: "LLM_MALFORMED_STREAM",
  "stream-error": "LLM_SERVER_ERROR",
  hang: "LLM_TIMEOUT",
} as const;
export type FaultKind = keyof typeof FAULT_CODES;

export interface ClusterOptions {
  replicas: number;
  gateway: ClusterGateway;
  /** Extra environment for every agent-service replica (limits, LLM policy, …). */
  env?: Record<string, string>;
  /** AGENT_CLUSTER_SWEEP_MS (default 500). */
  sweepMs?: number;
  /** llm-sim's scenario (default CLUSTER_SCENARIO). */
  scenario?: unknown;
  startTimeoutMs?: number;
}

export interface Replica {
  index: number;
  url: string;
  wsUrl: string;
  port: number;
  /** The current process's pid (a restart starts a new one). */
  pid(): number | undefined;
  alive(): boolean;
}

export interface ClusterUser {
  id: number;
  name: string;
  role?: Role;
}

export interface Cluster {
  gateway: ClusterGateway;
  /** The gateway, e.g. http://127.0.0.1:41234 */
  url: string;
  wsUrl: string;
  replicas: Replica[];
  accessControlUrl: string;
  llmSimUrl: string;
  /** The agent database on the test cluster (postgres://…/cluster_…). */
  databaseUrl: string;
  sweepMs: number;
  pg: {
    /** pg_ctl restart -m fast: connections cut, back on the same port when this resolves. */
    restart(): Promise<void>;
    /** Down (connections refused) until start(). */
    stop(): Promise<void>;
    start(): Promise<void>;
  };
  /** An HS256 token for a user (REGULAR unless said), signed with the secret every service shares. */
  mint(user: ClusterUser, expiresInMinutes?: number): string;
  /** Sends `signal` to replica i and resolves when its process has exited. */
  kill(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts replica i again on its port (stopping it first if it still runs); resolves when it is healthy. */
  restartReplica(index: number): Promise<void>;
  /** Changes llm-sim's scenario for the requests that follow. */
  setScenario(scenario: unknown): Promise<void>;
  /** llm-sim's counters (see tools/llm-sim README). */
  simCounters(): Promise<Record<string, unknown>>;
  /** The lines a service printed (`replica-0`, `replica-1`, …, `access-control`, `llm-sim`, `gateway`, `nginx`). */
  linesOf(service: string): string[];
  stop(): Promise<void>;
}

const MAX_LINES_KEPT = 5_000;

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  if (!Number.isInteger(options.replicas) || options.replicas < 1)
    throw new TypeError(`replicas must be a whole number ≥ 1, got ${options.replicas}`);
  const sweepMs = options.sweepMs ?? 500;
  const root = mkdtempSync(join(tmpdir(), "texera-cluster-"));
  const secret = randomBytes(32).toString("hex"); // lowercase already: services lowercase the secret
  const masterKey = `sk-cluster-${randomBytes(12).toString("hex")}`;
  const [gatewayPort, accessControlPort, llmSimPort, ...replicaPorts] = (await freePorts(
    3 + options.replicas,
  )) as [number, number, number, ...number[]];
  const host = "127.0.0.1";
  const urlOf = (port: number) => `http://${host}:${port}`;

  const lines = new Map<string, string[]>();
  const outputFor = (name: string): Output => ({
    json: true,
    color: false,
    write: (line) => {
      // processes.ts pads the prefix; keep the raw line per service
      const text = line.slice(line.indexOf("]") + 1).trimStart();
      const kept = lines.get(name) ?? [];
      if (kept.length === 0) lines.set(name, kept);
      kept.push(text);
      if (kept.length > MAX_LINES_KEPT) kept.splice(0, kept.length - MAX_LINES_KEPT);
    },
  });
  const linesOf = (name: string) => lines.get(name) ?? [];

  // The caller's own settings for these would change what is under test.
  const inherited: Record<string, string | undefined> = { ...process.env };
  for (const name of [
    "PORT",
    "HOST",
    "DATA_DIR",
    "DATABASE_URL",
    "AUTH_JWT_SECRET",
    "AUTH_CONF_PATH",
    "LITELLM_BASE_URL",
    "LITELLM_MASTER_KEY",
    "METRICS_TOKEN",
    "LOG_LEVEL",
  ])
    delete inherited[name];
  const launch = (name: string, entry: string, env: Record<string, string>, args: string[] = []) =>
    startService(name, [join(REPO_ROOT, entry), ...args], {
      cwd: REPO_ROOT,
      env: { ...inherited, HOST: host, LOG_LEVEL: "warn", ...env },
      output: outputFor(name),
    });

  let pg: TestPostgres | undefined;
  let sim: Service | undefined;
  let accessControl: Service | undefined;
  let gatewayService: Service | undefined;
  let nginx: RunningNginx | undefined;
  const replicaServices: Array<Service | undefined> = [];

  async function stopAll(): Promise<void> {
    await nginx?.stop().catch(() => {});
    await gatewayService?.stop(3000);
    await Promise.all(replicaServices.map((s) => s?.stop(5000)));
    await Promise.all([accessControl?.stop(3000), sim?.stop(3000)]);
    await pg?.stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }

  try {
    const scenarioFile = join(root, "scenario.json");
    writeFileSync(scenarioFile, JSON.stringify(options.scenario ?? CLUSTER_SCENARIO));
    const [startedPg] = await Promise.all([
      startTestPostgres(),
      (async () => {
        sim = launch(
          "llm-sim",
          "tools/llm-sim/dist/main.js",
          { PORT: String(llmSimPort), LITELLM_MASTER_KEY: masterKey, LLM_SIM_MODELS: CLUSTER_MODEL },
          ["--scenario", scenarioFile],
        );
        accessControl = launch("access-control", "services/access-control/dist/main.js", {
          PORT: String(accessControlPort),
          DATA_DIR: join(root, "access-control"),
          AUTH_JWT_SECRET: secret,
        });
      })(),
    ]);
    pg = startedPg;
    const databaseUrl = await createTestDatabase(pg.url, "cluster");

    const sharedDatasets = join(root, "datasets");
    mkdirSync(sharedDatasets, { recursive: true });
    const replicaEnv = (index: number): Record<string, string> => {
      const dataDir = join(root, `replica-${index}`);
      mkdirSync(dataDir, { recursive: true });
      try {
        symlinkSync(sharedDatasets, join(dataDir, "datasets"), "dir");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      return {
        PORT: String(replicaPorts[index]),
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        AUTH_JWT_SECRET: secret,
        LITELLM_BASE_URL: urlOf(llmSimPort),
        LITELLM_MASTER_KEY: masterKey,
        AGENT_CLUSTER_SWEEP_MS: String(sweepMs),
        // the user directory is access-control's SQLite file here, not the replicas' PostgreSQL database
        DIRECTORY_URL: `sqlite:${join(root, "access-control", "access-control.sqlite")}`,
        ...options.env,
      };
    };
    const startReplica = (index: number): Service => {
      const service = launch(`replica-${index}`, "services/agent/dist/main.js", replicaEnv(index));
      replicaServices[index] = service;
      return service;
    };
    const timeout = options.startTimeoutMs ?? 120_000;
    await Promise.all([
      waitForHealthy(`${urlOf(llmSimPort)}/health`, sim, timeout),
      waitForHealthy(`${urlOf(accessControlPort)}/api/healthcheck`, accessControl, timeout),
      // Migrations take a lock in the database, so replicas may start together.
      ...replicaPorts.map((port, i) =>
        waitForHealthy(`${urlOf(port)}/api/healthcheck`, startReplica(i), timeout),
      ),
    ]);

    const webRoot = join(root, "web");
    mkdirSync(webRoot, { recursive: true });
    writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>cluster test</title>\n");
    if (options.gateway === "builtin") {
      gatewayService = launch("gateway", "services/gateway/dist/main.js", {
        PORT: String(gatewayPort),
        ACCESS_CONTROL_URL: urlOf(accessControlPort),
        AGENT_SERVICE_URL: replicaPorts.map(urlOf).join(","),
        WEB_DIST: webRoot,
      });
      await waitForHealthy(`${urlOf(gatewayPort)}/api/healthcheck`, gatewayService, timeout);
    } else {
      const print = outputFor("nginx");
      nginx = await startNginx({
        prefix: join(root, "nginx"),
        listen: `${host}:${gatewayPort}`,
        webRoot,
        accessControl: `${host}:${accessControlPort}`,
        agentService: replicaPorts.map((p) => `${host}:${p}`),
        workerProcesses: 1,
        onStderr: (text) => {
          for (const line of text.split("\n")) if (line) print.write(`[nginx] ${line}`);
        },
      });
      await waitForHealthy(`${urlOf(gatewayPort)}/api/healthcheck`, undefined, timeout);
    }

    const simControl = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${urlOf(llmSimPort)}${path}`, {
        method,
        headers: { authorization: `Bearer ${masterKey}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`llm-sim ${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const testPg = pg;

    const replicas: Replica[] = replicaPorts.map((port, index) => ({
      index,
      port,
      url: urlOf(port),
      wsUrl: `ws://${host}:${port}`,
      pid: () => replicaServices[index]?.child.pid,
      alive: () => {
        const child = replicaServices[index]?.child;
        return child !== undefined && child.exitCode === null && child.signalCode === null;
      },
    }));
    const replicaAt = (index: number): Replica => {
      const replica = replicas[index];
      if (!replica) throw new TypeError(`no replica ${index} (there are ${replicas.length})`);
      return replica;
    };

    return {
      gateway: options.gateway,
      url: urlOf(gatewayPort),
      wsUrl: `ws://${host}:${gatewayPort}`,
      replicas,
      accessControlUrl: urlOf(accessControlPort),
      llmSimUrl: urlOf(llmSimPort),
      databaseUrl,
      sweepMs,
      pg: {
        restart: () => testPg.restart(),
        stop: () => testPg.stopServer(),
        start: () => testPg.startServer(),
      },
      mint(user, expiresInMinutes = 120) {
        const sign = createSigner({ secret, expiresInMinutes });
        return sign({ userName: user.name, userId: user.id, role: user.role ?? "REGULAR" }).token;
      },
      async kill(index, signal = "SIGKILL") {
        replicaAt(index);
        const service = replicaServices[index];
        if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return;
        service.child.kill(signal);
        await service.exited;
      },
      async restartReplica(index) {
        const replica = replicaAt(index);
        await replicaServices[index]?.stop(5000);
        await waitForHealthy(`${replica.url}/api/healthcheck`, startReplica(index), timeout);
      },
      setScenario: async (scenario) => {
        await simControl("PUT", "/sim/scenario", scenario);
      },
      simCounters: () => simControl("GET", "/sim/counters"),
      linesOf,
      stop: stopAll,
    };
  } catch (error) {
    const tail = [...lines.entries()]
      .map(([name, kept]) => `--- ${name}\n${kept.slice(-30).join("\n")}`)
      .join("\n");
    await stopAll();
    throw new Error(`the cluster did not start: ${(error as Error).message}\n${tail}`);
  }
}
