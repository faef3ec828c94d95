/**
 * Starts the whole system the way `npm start` does (scripts/start.ts, built, as a process: llm-sim demo,
 * access-control-service, agent-service, and the built-in gateway or real nginx), on free loopback ports
 * with a temporary DATA_DIR, and gives tests what they need: URLs, tokens, users, captured output, the
 * nginx access log, and a way to stop one service. The gateway, nginx and browser suites all use it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSigner, type Role } from "@texera-agent/auth";
import { freePorts } from "@texera-agent/db/testing/free-port";
import type { User } from "@texera-agent/protocol";
import { REPO_ROOT } from "../../scripts/lib/nginx.ts";
import { startTap, type Tap } from "./tap.ts";

export { freePorts };

export type GatewayKind = "builtin" | "nginx";
export type ServiceName = "access-control" | "agent" | "llm-sim" | "gateway";

export interface StartSystemOptions {
  gateway: GatewayKind;
  /** Put a recording proxy between the gateway and agent-service (see tap.ts). */
  tap?: boolean;
  /** The web app folder to serve; default apps/web/dist (built by CI before the system suites). */
  webDist?: string;
  /** Build the web app if it is missing, as `npm start` does (default: no, to keep suites fast). */
  buildWeb?: boolean;
  /** ADMIN_PASSWORD for the first start; `null` lets scripts/start.ts generate and print one. */
  adminPassword?: string | null;
  /** Use this DATA_DIR (kept after stop) instead of a fresh temporary one. */
  dataDir?: string;
  /** Extra environment for scripts/start.ts and so every service. */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export interface MintOptions {
  userName: string;
  userId: number;
  role: Role;
  email?: string;
  /** Token lifetime (default 60). */
  expiresInMinutes?: number;
  /** The signing clock: a date in the past mints an already expired token. */
  issuedAt?: Date;
  /** Sign with another secret (a forged token). */
  secret?: string;
}

export interface RunningSystem {
  gateway: GatewayKind;
  /** The gateway, e.g. http://127.0.0.1:41234 */
  url: string;
  wsUrl: string;
  dataDir: string;
  ports: { gateway: number; accessControl: number; agent: number; llmSim: number };
  /** Direct URLs of the services behind the gateway (tests only; users never call them). */
  services: { accessControl: string; agent: string; llmSim: string };
  admin: { username: string; password: string };
  /** The LiteLLM master key llm-sim and agent-service share in this run. */
  masterKey: string;
  tap?: Tap;
  /** nginx's access log (nginx gateway only). */
  accessLog?: string;
  /** Everything scripts/start.ts and its children printed so far (pino JSON lines, prefixed). */
  output(): string;
  /** The lines one service printed, without the prefix. */
  linesOf(service: ServiceName | "nginx" | "start"): string[];
  mint(options: MintOptions): string;
  login(username: string, password: string): Promise<string>;
  /** Adds a user through the gateway with the admin's token; returns it with a fresh login token. */
  createUser(input: {
    username: string;
    password?: string;
    role: Role;
    email?: string;
  }): Promise<User & { token: string }>;
  setRole(userId: number, role: Role): Promise<User>;
  /** The pid of each process scripts/start.ts started, as it printed them. */
  childPids(): Partial<Record<ServiceName, number>>;
  /** Ctrl-C as a terminal sends it (SIGINT to scripts/start.ts's process group); resolves with its exit. */
  interrupt(): Promise<number | string>;
  /** SIGTERM to one service started by scripts/start.ts; resolves when it has exited. */
  stopService(service: Exclude<ServiceName, "gateway">): Promise<void>;
  stop(): Promise<void>;
}

export async function startSystem(options: StartSystemOptions): Promise<RunningSystem> {
  const [gatewayPort, accessControlPort, agentPort, llmSimPort, tapPort] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "texera-system-"));
  const nginxPrefix = join(dataDir, "nginx");
  const givenPassword =
    options.adminPassword === undefined ? "admin-password-for-tests" : options.adminPassword;
  const masterKey = `sk-test-${Math.random().toString(36).slice(2)}`;
  const tap = options.tap ? await startTap(tapPort, { host: "127.0.0.1", port: agentPort }) : undefined;

  // The machine's own settings for these would change what is under test: start from the embedded defaults.
  const inherited: Record<string, string | undefined> = { ...process.env };
  for (const name of [
    "LITELLM_BASE_URL",
    "AUTH_JWT_SECRET",
    "AUTH_CONF_PATH",
    "DATABASE_URL",
    "ADMIN_PASSWORD",
  ]) {
    delete inherited[name];
  }
  const env: Record<string, string | undefined> = {
    ...inherited,
    PORT: String(gatewayPort),
    HOST: "127.0.0.1",
    ACCESS_CONTROL_PORT: String(accessControlPort),
    AGENT_PORT: String(agentPort),
    LLM_SIM_PORT: String(llmSimPort),
    DATA_DIR: dataDir,
    ADMIN_USER: "admin",
    ...(givenPassword ? { ADMIN_PASSWORD: givenPassword } : {}),
    LITELLM_MASTER_KEY: masterKey,
    LOG_FORMAT: "json",
    NO_COLOR: "1",
    NGINX_PREFIX: nginxPrefix,
    NGINX_WORKERS: "1",
    SKIP_WEB_BUILD: options.buildWeb ? "0" : "1",
    ...(options.webDist ? { WEB_DIST: options.webDist } : {}),
    ...(tap ? { GATEWAY_AGENT_SERVICE_URL: tap.url } : {}),
    ...options.env,
  };

  // As `npm start` runs it: the built script (test/system/build-once.ts builds it) under plain node.
  const args = [
    join(REPO_ROOT, "scripts/dist/start.js"),
    ...(options.gateway === "nginx" ? ["--nginx"] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    output += text;
  });
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    output += text;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );

  const pidOf = (service: string): number | undefined => {
    const match = new RegExp(`started ${service} \\(pid (\\d+)\\)`).exec(output);
    return match ? Number(match[1]) : undefined;
  };

  async function stopAll(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const done = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!done) forceKill(child, ["llm-sim", "access-control", "agent", "gateway"].map(pidOf));
    }
    await tap?.close();
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  }

  try {
    await waitFor(
      () => output.includes("Open http://"),
      exited,
      () => output,
      options.startTimeoutMs ?? 120_000,
    );
  } catch (error) {
    await stopAll();
    throw error;
  }

  const url = `http://127.0.0.1:${gatewayPort}`;
  const printed = /first admin created: user "[^"]+", password: (\S+)/.exec(output)?.[1];
  const adminPassword = givenPassword ?? printed ?? "(set on an earlier start)";
  const secret = readFileSync(join(dataDir, "jwt-secret"), "utf8").trim();

  async function login(username: string, password: string): Promise<string> {
    const res = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login of ${username}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }
  let adminToken: string | undefined;
  const asAdmin = async () => {
    adminToken ??= await login("admin", adminPassword);
    return { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
  };

  const system: RunningSystem = {
    gateway: options.gateway,
    url,
    wsUrl: url.replace("http:", "ws:"),
    dataDir,
    ports: { gateway: gatewayPort, accessControl: accessControlPort, agent: agentPort, llmSim: llmSimPort },
    services: {
      accessControl: `http://127.0.0.1:${accessControlPort}`,
      agent: `http://127.0.0.1:${agentPort}`,
      llmSim: `http://127.0.0.1:${llmSimPort}`,
    },
    admin: { username: "admin", password: adminPassword },
    masterKey,
    ...(tap ? { tap } : {}),
    ...(options.gateway === "nginx" ? { accessLog: join(nginxPrefix, "access.log") } : {}),
    output: () => output,
    linesOf(service) {
      const prefix = `[${service}]`;
      return output
        .split("\n")
        .filter((line) => line.startsWith(prefix))
        .map((line) => line.slice(prefix.length).trimStart());
    },
    mint(o) {
      const issuedAt = o.issuedAt;
      const sign = createSigner({
        secret: o.secret ?? secret,
        expiresInMinutes: o.expiresInMinutes ?? 60,
        ...(issuedAt ? { currentDate: () => issuedAt } : {}),
      });
      return sign({
        userName: o.userName,
        userId: o.userId,
        role: o.role,
        ...(o.email ? { email: o.email } : {}),
      }).token;
    },
    login,
    async createUser(input) {
      const password = input.password ?? `pw-${input.username}-0123456789`;
      const res = await fetch(`${url}/api/auth/users`, {
        method: "POST",
        headers: await asAdmin(),
        body: JSON.stringify({ username: input.username, password, role: input.role, email: input.email }),
      });
      if (res.status !== 201) throw new Error(`create ${input.username}: ${res.status} ${await res.text()}`);
      const user = (await res.json()) as User;
      // Users who may not sign in get a token minted with the shared secret instead.
      const token =
        input.role === "REGULAR" || input.role === "ADMIN"
          ? await login(input.username, password)
          : system.mint({ userName: user.name, userId: user.id, role: input.role });
      return { ...user, token };
    },
    async setRole(userId, role) {
      const res = await fetch(`${url}/api/auth/users/${userId}`, {
        method: "PATCH",
        headers: await asAdmin(),
        body: JSON.stringify({ role }),
      });
      if (res.status !== 200) throw new Error(`set role of ${userId}: ${res.status} ${await res.text()}`);
      return (await res.json()) as User;
    },
    async stopService(service) {
      const pid = pidOf(service);
      if (!pid) throw new Error(`scripts/start.ts did not start ${service}`);
      process.kill(pid, "SIGTERM");
      await waitFor(
        () => output.includes(`[start]`) && new RegExp(`${service} exited \\(`).test(output),
        exited,
        () => output,
        15_000,
      );
    },
    childPids() {
      const pids: Partial<Record<ServiceName, number>> = {};
      for (const name of ["llm-sim", "access-control", "agent", "gateway"] as const) {
        const pid = pidOf(name);
        if (pid) pids[name] = pid;
      }
      return pids;
    },
    async interrupt() {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGINT");
      return exited;
    },
    stop: stopAll,
  };
  return system;
}

function forceKill(child: ChildProcess, pids: Array<number | undefined>): void {
  for (const pid of pids) {
    if (!pid) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  child.kill("SIGKILL");
}

async function waitFor(
  ready: () => boolean,
  exited: Promise<number | string>,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  let exitCode: number | string | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (exitCode !== undefined) throw new Error(`scripts/start.ts exited (${exitCode}):\n${output()}`);
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms; output so far:\n${output()}`);
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
