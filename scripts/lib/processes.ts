/**
 * Child processes of `npm start`, each with its output prefixed by its name. Children run in their own
 * process groups, so a Ctrl-C reaches only the orchestrator, which then stops them in order.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { formatLogLine } from "./log-format.ts";

const COLORS = [36, 35, 33, 32, 34, 31];
let nextColor = 0;

export interface Output {
  /** Raw pino JSON lines (LOG_FORMAT=json), else short human lines. */
  json: boolean;
  color: boolean;
  write(line: string): void;
}

export function consoleOutput(env: Record<string, string | undefined>): Output {
  return {
    json: env.LOG_FORMAT === "json",
    color: Boolean(process.stdout.isTTY) && !env.NO_COLOR,
    write: (line) => process.stdout.write(`${line}\n`),
  };
}

export function prefixer(name: string, output: Output): (line: string) => void {
  const code = COLORS[nextColor++ % COLORS.length];
  const label = `[${name}]`.padEnd(17);
  const prefix = output.color ? `\u001b[${code}m${label}\u001b[0m` : label;
  return (line) => {
    const text = output.json ? line : formatLogLine(line);
    if (text !== undefined) output.write(`${prefix}${text}`);
  };
}

export interface Service {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the process has ended. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startService(
  name: string,
  args: string[],
  options: { env: Record<string, string | undefined>; cwd: string; output: Output; command?: string },
): Service {
  const child = spawn(options.command ?? process.execPath, args, {
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const print = prefixer(name, options.output);
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", print);
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    child.once("error", (error) => {
      print(`could not start: ${error.message}`);
      resolve("spawn-error");
    });
  });
  return {
    name,
    child,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 2xx; fails at once if `service` exits first. */
export async function waitForHealthy(
  url: string,
  service: Service | undefined,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | string | undefined;
  service?.exited.then((code) => {
    exitCode = code;
  });
  let last = "no answer";
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(`${service?.name} exited (${exitCode}) before it was healthy`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} was not healthy within ${timeoutMs / 1000} s (${last})`);
}
