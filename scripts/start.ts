/**
 * `npm start` (built-in gateway) and `npm run start:nginx` (real nginx with deploy/single-node/nginx.conf):
 * the whole system on one machine, on embedded defaults. See scripts/README.md for every variable.
 *
 * Runs as JavaScript built by scripts/build.mjs (`npm start` builds first, then runs scripts/dist/start.js),
 * and starts every service from its built bundle under plain `node`: no npm or tsx process in the tree.
 *
 * Order: JWT secret and first admin (before any service, so two services never race to create them),
 * web build if missing, llm-sim (only when LITELLM_BASE_URL is unset), access-control-service,
 * agent-service, the gateway. Each is awaited on its health check. Ctrl-C stops them all.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { resolveJwtSecret } from "@texera-agent/auth";
import { ensureFirstAdmin } from "./lib/first-admin.ts";
import { REPO_ROOT, type RunningNginx, startNginx } from "./lib/nginx.ts";
import { consoleOutput, prefixer, type Service, startService, waitForHealthy } from "./lib/processes.ts";
import { ensureWebBuilt } from "./lib/web-build.ts";

const DEMO_MODEL = "demo-offline-model";
const DEMO_SCENARIO = join(REPO_ROOT, "services/agent/samples/demo-scenario.json");

const env = process.env;
const useNginx = process.argv.includes("--nginx");
const output = consoleOutput(env);
const say = prefixer("start", output);

function port(name: string, fallback: number): number {
  const raw = env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new TypeError(`${name} must be a port number from 1 to 65535, got "${raw}"`);
  }
  return value;
}

const host = env.HOST || "127.0.0.1";
const ports = {
  gateway: port("PORT", 8080),
  accessControl: port("ACCESS_CONTROL_PORT", 9096),
  agent: port("AGENT_PORT", 3001),
  llmSim: port("LLM_SIM_PORT", 4000),
};
const dataDir = resolve(env.DATA_DIR || "./data");
const DEFAULT_WEB_DIST = join(REPO_ROOT, "apps/web/dist");
const webDist = resolve(env.WEB_DIST || DEFAULT_WEB_DIST);
const loopback = "127.0.0.1";

/** What every child inherits: the caller's environment without the variables that mean something else here. */
function childEnv(extra: Record<string, string | undefined>): Record<string, string | undefined> {
  const base: Record<string, string | undefined> = { ...env };
  for (const name of ["PORT", "HOST", "ADMIN_PASSWORD", "LITELLM_MASTER_KEY", "LITELLM_BASE_URL"])
    delete base[name];
  return { ...base, DATA_DIR: dataDir, ...extra };
}

const services: Service[] = [];
let nginx: RunningNginx | undefined;
let nginxPrefixToRemove: string | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say("stopping every process started here");
    await nginx?.stop();
    for (const service of [...services].reverse()) await service.stop();
    if (nginxPrefixToRemove) rmSync(nginxPrefixToRemove, { recursive: true, force: true });
    say("stopped");
  }
  process.exit(code);
}

// A crash of this script must not leave children behind (they run in their own process groups).
process.on("exit", () => {
  for (const service of services) if (service.child.exitCode === null) service.child.kill("SIGKILL");
  if (nginx?.process.exitCode === null) nginx.process.kill("SIGKILL");
});
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

function launch(
  name: string,
  entry: string,
  extraEnv: Record<string, string | undefined>,
  args: string[] = [],
) {
  const built = join(REPO_ROOT, entry);
  if (!existsSync(built)) throw new Error(`${entry} is not built: run \`npm run build\` (npm start does)`);
  const service = startService(name, [built, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(extraEnv),
    output,
  });
  services.push(service);
  say(`started ${name} (pid ${service.child.pid})`);
  service.exited.then((code) => {
    if (stopping) return;
    say(
      `${name} exited (${code}); the others keep running` +
        (name === "access-control" ? " and the gateway refuses /api/agents until it is back" : "") +
        ". Ctrl-C stops everything.",
    );
  });
  return service;
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const secret = resolveJwtSecret({ env, dataDir });
  say(`data folder: ${dataDir}`);
  say(`JWT secret: ${secret.source}${secret.generated ? " (generated now, kept for the next start)" : ""}`);

  const admin = await ensureFirstAdmin({ ...env, DATA_DIR: dataDir });
  if (admin.generatedPassword) {
    say("┌──────────────────────────────────────────────────────────────");
    say(`│ first admin created: user "${admin.name}", password: ${admin.generatedPassword}`);
    say("│ shown this once; set ADMIN_PASSWORD before the first start to choose it");
    say("└──────────────────────────────────────────────────────────────");
  } else if (admin.created) {
    say(`first admin created: user "${admin.name}" with the password from ADMIN_PASSWORD`);
  } else if (env.ADMIN_PASSWORD) {
    say("the directory already has an ADMIN: ADMIN_PASSWORD is used only when the first admin is created");
  }

  if (webDist !== DEFAULT_WEB_DIST) {
    if (!existsSync(join(webDist, "index.html"))) say(`WEB_DIST (${webDist}) has no index.html`);
  } else if (env.SKIP_WEB_BUILD !== "1") {
    await ensureWebBuilt(webDist, { cwd: REPO_ROOT, env: childEnv({}), output, log: say });
  }

  let litellmBaseUrl = env.LITELLM_BASE_URL;
  let masterKey = env.LITELLM_MASTER_KEY;
  if (!litellmBaseUrl) {
    masterKey ||= `sk-demo-${randomBytes(16).toString("hex")}`;
    const sim = launch(
      "llm-sim",
      "tools/llm-sim/dist/main.js",
      {
        PORT: String(ports.llmSim),
        HOST: loopback,
        LITELLM_MASTER_KEY: masterKey,
        LLM_SIM_MODELS: DEMO_MODEL,
      },
      ["--demo", "--scenario", DEMO_SCENARIO],
    );
    litellmBaseUrl = `http://${loopback}:${ports.llmSim}`;
    await waitForHealthy(`${litellmBaseUrl}/health`, sim);
    say(`LITELLM_BASE_URL is unset: offline demo model "${DEMO_MODEL}" (llm-sim), no real LLM is called`);
  } else if (!masterKey) {
    say("LITELLM_BASE_URL is set but LITELLM_MASTER_KEY is not: requests to LiteLLM carry no key");
  }

  const accessControl = launch("access-control", "services/access-control/dist/main.js", {
    PORT: String(ports.accessControl),
    HOST: loopback,
  });
  const accessControlUrl = `http://${loopback}:${ports.accessControl}`;
  const agent = launch("agent", "services/agent/dist/main.js", {
    PORT: String(ports.agent),
    HOST: loopback,
    LITELLM_BASE_URL: litellmBaseUrl,
    LITELLM_MASTER_KEY: masterKey,
  });
  const agentUrl = `http://${loopback}:${ports.agent}`;
  await Promise.all([
    waitForHealthy(`${accessControlUrl}/api/healthcheck`, accessControl),
    waitForHealthy(`${agentUrl}/api/healthcheck`, agent),
  ]);

  // Where the gateway sends agent traffic: agent-service, unless a test puts a recording tap in between.
  const gatewayAgentUrl = env.GATEWAY_AGENT_SERVICE_URL || agentUrl;
  const gatewayUrl = `http://${host.includes(":") ? `[${host}]` : host}:${ports.gateway}`;
  if (useNginx) {
    const prefix = env.NGINX_PREFIX
      ? resolve(env.NGINX_PREFIX)
      : mkdtempSync(join(tmpdir(), "texera-nginx-"));
    if (!env.NGINX_PREFIX) nginxPrefixToRemove = prefix;
    const print = prefixer("nginx", output);
    nginx = await startNginx({
      prefix,
      listen: `${host.includes(":") ? `[${host}]` : host}:${ports.gateway}`,
      webRoot: webDist,
      accessControl: new URL(accessControlUrl).host,
      agentService: new URL(gatewayAgentUrl).host,
      workerProcesses: env.NGINX_WORKERS ? Number(env.NGINX_WORKERS) : "auto",
      onStderr: (text) => {
        for (const line of text.split("\n")) if (line) print(line);
      },
    });
    say(`nginx runs with ${prefix}/nginx.conf; access log: ${nginx.accessLog}`);
    nginx.process.once("exit", (code) => {
      if (!stopping) say(`nginx exited (${code}). Ctrl-C stops everything.`);
    });
  } else {
    const gateway = launch("gateway", "services/gateway/dist/main.js", {
      PORT: String(ports.gateway),
      HOST: host,
      ACCESS_CONTROL_URL: accessControlUrl,
      AGENT_SERVICE_URL: gatewayAgentUrl,
      WEB_DIST: webDist,
    });
    await waitForHealthy(`${gatewayUrl}/api/healthcheck`, gateway);
  }
  await waitForHealthy(`${gatewayUrl}/api/healthcheck`, undefined, 10_000);

  const shown = ["127.0.0.1", "0.0.0.0", "::", "::1"].includes(host) ? "localhost" : host;
  say(`ready (${useNginx ? "nginx" : "built-in gateway"} on ${gatewayUrl})`);
  say(`Open http://${shown}:${ports.gateway} and sign in as ${admin.name}`);
}

main().catch(async (error: Error) => {
  say(`cannot start: ${error.message}`);
  await stopAll(1);
});
