/**
 * Renders deploy/single-node/nginx.conf and runs real nginx with it in a temporary prefix: used by
 * `npm run start:nginx`, the system tests and the gateway benchmark. No root-only path is touched.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const NGINX_TEMPLATE = join(REPO_ROOT, "deploy/single-node/nginx.conf");

export interface NginxConfOptions {
  /** Writable folder for the pid file, temp files and access.log. */
  prefix: string;
  /** `host:port` nginx listens on. */
  listen: string;
  webRoot: string;
  accessControl: string;
  /**
   * agent-service as `host:port`, or several replicas (an array, or one string with commas:
   * `"10.0.0.1:3001,10.0.0.2:3001"`): one `server` line each in `upstream agent_service`.
   */
  agentService: string | readonly string[];
  workerProcesses?: number | "auto";
  /** Worker user; leave unset unless nginx starts as root. */
  user?: string;
  /** Benchmark baseline only: the same file with the `auth_request` line removed. */
  withoutAuthRequest?: boolean;
}

const SAFE_VALUE = /^[A-Za-z0-9_.:/@[\]-]+$/;
/** Passive health of agent-service replicas, as the built-in gateway's GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS. */
const MAX_FAILS = 1;
const FAIL_TIMEOUT = "5s";

/** The replica list: an array, or a string with commas; no empty entries, no duplicates. */
function agentServiceReplicas(option: string | readonly string[]): string[] {
  const replicas = (typeof option === "string" ? option.split(",") : [...option]).map((r) => r.trim());
  if (replicas.length === 0 || replicas.some((r) => r === "")) {
    throw new TypeError(
      `nginx agentService needs host:port entries without empty ones, got "${String(option)}"`,
    );
  }
  const duplicate = replicas.find((r, i) => replicas.indexOf(r) !== i);
  if (duplicate) throw new TypeError(`nginx agentService lists ${duplicate} twice`);
  return replicas;
}

/** Fills the template's {{NAME}} placeholders; refuses values that could inject nginx syntax. */
export function renderNginxConf(
  options: NginxConfOptions,
  template = readFileSync(NGINX_TEMPLATE, "utf8"),
): string {
  const values: Record<string, string> = {
    PREFIX: options.prefix,
    LISTEN: options.listen,
    WEB_ROOT: options.webRoot,
    ACCESS_CONTROL: options.accessControl,
    WORKER_PROCESSES: String(options.workerProcesses ?? "auto"),
  };
  const replicas = agentServiceReplicas(options.agentService);
  const checked = [
    ...Object.entries(values),
    ...replicas.map((replica) => ["AGENT_SERVICE", replica] as const),
  ];
  for (const [name, value] of checked) {
    if (!SAFE_VALUE.test(value))
      throw new TypeError(`nginx.conf ${name} has characters nginx would misread: "${value}"`);
  }
  values.AGENT_SERVICE_SERVERS = replicas
    .map((replica) => `server ${replica} max_fails=${MAX_FAILS} fail_timeout=${FAIL_TIMEOUT};`)
    .join("\n");
  if (!/^(auto|[1-9][0-9]?)$/.test(values.WORKER_PROCESSES!)) {
    throw new TypeError(`nginx workerProcesses must be auto or 1-99, got "${values.WORKER_PROCESSES}"`);
  }
  if (options.user !== undefined && !/^[a-z_][a-z0-9_-]*$/i.test(options.user)) {
    throw new TypeError(`nginx user "${options.user}" is not a user name`);
  }
  values.USER_DIRECTIVE = options.user ? `user ${options.user};` : "";
  // Comments keep their placeholders (they document them); every other line must have known ones.
  let text = template
    .split("\n")
    .map((line) =>
      line.trimStart().startsWith("#")
        ? line
        : line.replace(/\{\{([A-Z_]+)\}\}/g, (_match, name: string) => {
            const value = values[name];
            if (value === undefined) throw new TypeError(`nginx.conf has an unknown placeholder {{${name}}}`);
            // A value of several lines (the server lines) keeps the placeholder line's indentation.
            return value.replaceAll("\n", `\n${/^\s*/.exec(line)![0]}`);
          }),
    )
    .join("\n");
  if (options.withoutAuthRequest) {
    const line = /^\s*auth_request \/_authorize;\n/m;
    if (!line.test(text)) throw new Error("nginx.conf has no `auth_request /_authorize;` line to remove");
    text = text.replace(line, "");
  }
  return text;
}

/** The nginx binary: NGINX_BIN, else `nginx` on PATH, else Debian's /usr/sbin/nginx. */
export function findNginx(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.NGINX_BIN) return env.NGINX_BIN;
  const which = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" });
  const onPath = which.stdout.trim();
  if (which.status === 0 && onPath) return onPath;
  return existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : undefined;
}

export interface RunningNginx {
  url: string;
  prefix: string;
  accessLog: string;
  process: ChildProcess;
  /** Everything nginx wrote to stderr (its error log). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface StartNginxOptions extends Omit<NginxConfOptions, "user"> {
  /** Where nginx's stderr lines go besides the buffer (e.g. a prefixed console writer). */
  onStderr?: (text: string) => void;
}

/**
 * Writes the rendered config into `prefix`, checks it with `nginx -t`, starts nginx in the foreground and
 * waits until it accepts connections. Started as root (CI), the workers run as root too, so that they can
 * read a temporary prefix and the web root wherever the checkout is.
 */
export async function startNginx(options: StartNginxOptions): Promise<RunningNginx> {
  const bin = findNginx();
  if (!bin) throw new Error("nginx is not installed: run `sudo bash scripts/install-system-deps.sh`");
  const prefix = resolve(options.prefix);
  mkdirSync(prefix, { recursive: true });
  const conf = join(prefix, "nginx.conf");
  const user = process.getuid?.() === 0 ? "root" : undefined;
  writeFileSync(conf, renderNginxConf({ ...options, prefix, ...(user ? { user } : {}) }));
  const args = ["-p", prefix, "-c", conf, "-e", "stderr"];
  const check = spawnSync(bin, [...args, "-t", "-q"], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx -t refused ${conf}:\n${check.stderr}`);

  const child = spawn(bin, [...args, "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
    options.onStderr?.(text);
  });
  const url = `http://${options.listen}`;
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  await waitForPort(url, child, () => stderr);
  return {
    url,
    prefix,
    accessLog: join(prefix, "access.log"),
    process: child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGQUIT");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

async function waitForPort(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${stderr()}`);
    try {
      await fetch(`${url}/api/__nginx_ready`, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill("SIGKILL");
  throw new Error(`nginx did not accept connections on ${url} within 10 s:\n${stderr()}`);
}
