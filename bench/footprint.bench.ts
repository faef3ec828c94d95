/**
 * agent-service at rest: resident memory (RSS) of a cold process, started as `npm start` and the images
 * start it (its built JavaScript, `node services/agent/dist/main.js`, scripts/build.mjs), beside the same
 * service run from its TypeScript sources through tsx (`node --import tsx services/agent/src/main.ts`, how
 * it ran before), which is the baseline of this run. Each is started ROUNDS times, alternating, on a
 * temporary SQLite database with llm-sim (in this process) as LiteLLM; RSS is read from /proc once the
 * service has answered its health check and rested SETTLE_MS. Target: at most 100 MB, the footprint of
 * Texera's own agent-service at rest (88–113 MB measured beside it, issue 14).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startLlmSim } from "@texera-agent/llm-sim";
import { buildAll } from "../scripts/build.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TARGET_MB = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SETTLE_MS = 3_000;
const SECRET = "footprint-bench-secret-0123456789abcdef0123";
const KEY = "sk-footprint-bench";

const ways = {
  built: { label: "built JavaScript, plain node", args: [join(ROOT, "services/agent/dist/main.js")] },
  tsx: {
    label: "TypeScript sources through tsx",
    args: ["--import", "tsx", join(ROOT, "services/agent/src/main.ts")],
  },
} as const;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** Starts agent-service, waits for its health check and SETTLE_MS, reads its RSS and stops it. */
async function coldRss(args: readonly string[], litellm: string): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "footprint-bench-"));
  const child: ChildProcess = spawn(process.execPath, [...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      AUTH_CONF_PATH: "",
      AUTH_JWT_SECRET: SECRET,
      LITELLM_BASE_URL: litellm,
      LITELLM_MASTER_KEY: KEY,
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${output}`)), 60_000);
      const onData = (data: Buffer) => {
        output += data.toString();
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code) => reject(new Error(`agent-service exited (${code}):\n${output}`)));
    });
    const health = await fetch(`${url}/api/healthcheck`);
    if (!health.ok) throw new Error(`health check answered ${health.status}`);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return rssMb(child.pid!);
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export default async function footprintBench(): Promise<void> {
  await buildAll();
  const sim = await startLlmSim({ host: "127.0.0.1", port: 0, masterKey: KEY });
  try {
    const seen: Record<keyof typeof ways, number[]> = { built: [], tsx: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      const order: (keyof typeof ways)[] = round % 2 === 1 ? ["built", "tsx"] : ["tsx", "built"];
      for (const way of order) {
        const mb = await coldRss(ways[way].args, sim.url);
        seen[way].push(mb);
        console.log(
          `${`agent-service, ${ways[way].label} (round ${round})`.padEnd(58)} RSS ${mb.toFixed(0)} MB`,
        );
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const built = mean(seen.built);
    console.log(
      `cold RSS of agent-service as npm start runs it: ${built.toFixed(0)} MB (target ≤ ${TARGET_MB} MB: ${built <= TARGET_MB ? "met" : "NOT met"}); through tsx: ${mean(seen.tsx).toFixed(0)} MB`,
    );
    console.log(
      `machine load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} (2 cores, shared)`,
    );
  } finally {
    await sim.close();
  }
}
