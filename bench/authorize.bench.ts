/**
 * The authorize subrequest against a bare Fastify route, both measured in this run (50 connections,
 * autocannon, servers on 127.0.0.1). The servers run in this process's main thread and autocannon in a
 * worker thread (its `workers: 1`), so the load generator does not share the servers' event loop. Loads:
 *   B. baseline: a bare Fastify route answering an empty 200,
 *   R. authorize, nginx style, one valid token repeated (verified-token cache hits),
 *   D. authorize, nginx style, a stream of distinct valid tokens (no cache hits: each connection cycles
 *      through its own slice of a pool three times the token cache, so a token comes back only after
 *      the whole pool went by and it was evicted).
 * Targets: R ≥ 0.75 × B, D ≥ 0.5 × B. Baseline and authorize alternate over rounds so that drift on this
 * shared machine hits both; ratios use the means of all rounds.
 *
 * BENCH_CPU_PROFILE=<dir>: the server thread is profiled (node:inspector) during each D run only; the
 * .cpuprofile goes to <dir> (open it in Chrome DevTools) and its top entries by self time are printed.
 */
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

interface Result {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  "2xx": number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<Result>;

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TARGET_REPEATED = 0.75;
const TARGET_DISTINCT = 0.5;
const SECRET = "authorize-bench-secret-0123456789abcdef0123";
const TOKEN_CACHE = 10_000;
const DISTINCT_POOL = 3 * TOKEN_CACHE;

type Server = { url: string; close(): Promise<void> };

/** B: the baseline, a bare Fastify route with an empty 200, no logger, no hooks. */
async function startBare(): Promise<Server> {
  const { default: Fastify } = await import("fastify");
  const app = Fastify();
  app.get("/api/auth", (_request, reply) => {
    reply.send();
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/api/auth`, close: () => app.close() };
}

/** The service as `npm run start:access-control` configures it (pino at info, subrequests at warn). */
async function startAuthorize(dataDir: string): Promise<Server & { userId: number }> {
  const { createAccessControl, loadConfig } = await import("@texera-agent/access-control");
  const config = loadConfig({
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: SECRET,
    LOG_LEVEL: "info",
    TOKEN_CACHE_SIZE: String(TOKEN_CACHE),
    PASSWORD_SCRYPT_LOG_N: "4", // no logins are measured here
  });
  const service = await createAccessControl(config, {
    logger: { level: "info", stream: { write: () => {} } },
  });
  const user = await service.users.create({ name: "bench", password: "bench-password", role: "REGULAR" });
  await service.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = service.app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/api/auth`, userId: user.id, close: () => service.close() };
}

/**
 * autocannon's worker mode takes functions as files. This one gives each connection its own slice of the
 * pool as pre-built requests (as cheap for the load generator as one repeated request), so no two
 * connections send the same token and a token comes back only after the whole pool went by.
 */
function writeTokenFeeder(dir: string, tokens: string[]): string {
  const tokensFile = join(dir, "tokens.json");
  writeFileSync(tokensFile, JSON.stringify(tokens));
  const feeder = join(dir, "feed-tokens.cjs");
  writeFileSync(
    feeder,
    `const tokens = JSON.parse(require("node:fs").readFileSync(${JSON.stringify(tokensFile)}, "utf8"));
const per = Math.floor(tokens.length / ${CONNECTIONS});
let next = 0;
module.exports = (client) => {
  const mine = tokens.slice(next * per, (next + 1) * per);
  next = (next + 1) % ${CONNECTIONS};
  client.setRequests(mine.map((t) => ({ headers: { authorization: "Bearer " + t } })));
};
`,
  );
  return feeder;
}

/** An HS256 token as Texera mints it (lowercased secret as the key), made unique by `jti`. */
function mint(userId: number, jti: number): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = `${enc({ alg: "HS256", typ: "JWT" })}.${enc({ sub: "bench", userId, role: "REGULAR", exp: now + 3600, iat: now, jti })}`;
  const signature = createHmac("sha256", Buffer.from(SECRET.toLowerCase())).update(input).digest("base64url");
  return `${input}.${signature}`;
}

/**
 * CPU time of this process's main thread (where the servers run; autocannon has its own thread), in
 * microseconds, from /proc. Per request it is a second view that the other load on this shared machine
 * disturbs far less than throughput.
 */
function serverThreadCpuMicros(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

interface Run {
  result: Result;
  /** server thread CPU µs per request */
  cpuPerRequest?: number;
}

function line(name: string, run: Run): string {
  const r = run.result;
  const bad = r.non2xx + r.errors + r.timeouts;
  const cpu =
    run.cpuPerRequest === undefined ? "" : `   server CPU ${run.cpuPerRequest.toFixed(1).padStart(5)} µs/req`;
  return (
    `${name.padEnd(38)} ${r.requests.average.toFixed(0).padStart(6)} req/s   ` +
    `p50 ${String(r.latency.p50).padStart(3)} ms   p99 ${String(r.latency.p99).padStart(3)} ms${cpu}` +
    (bad > 0 ? `   ${bad} failed (non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts})` : "")
  );
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The functions with the most self time in a profile, idle time left out, as "share  name  file:line". */
export function topSelfTime(profile: CpuProfile, count: number): string[] {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    if (!frame || frame.functionName === "(idle)") return;
    const file = frame.url
      .replace(/^.*node_modules\//, "")
      .replace(/^file:\/\/.*?\/(services|packages)\//, "$1/");
    const key = `${frame.functionName || "(anonymous)"}  ${file}${file ? `:${frame.lineNumber + 1}` : ""}`;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    busy += dt;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => `${((100 * us) / busy).toFixed(1).padStart(5)}%  ${key}`);
}

/** Runs `load` with the CPU profiler of this thread on; writes the profile and prints its top entries. */
async function profiled(dir: string, name: string, load: () => Promise<Result>): Promise<Result> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  try {
    return await load();
  } finally {
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: CpuProfile };
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`CPU profile of the server thread: ${file}; top by self time:`);
    for (const line of topSelfTime(profile, 15)) console.log(`   ${line}`);
  }
}

async function measure(load: () => Promise<Result>): Promise<Run> {
  const before = serverThreadCpuMicros();
  const result = await load();
  const after = serverThreadCpuMicros();
  const total = result["2xx"] + result.non2xx;
  return before === undefined || after === undefined || total === 0
    ? { result }
    : { result, cpuPerRequest: (after - before) / total };
}

export default async function authorizeBench(): Promise<void> {
  const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
  const dir = mkdtempSync(join(tmpdir(), "authorize-bench-"));
  const bare = await startBare();
  const auth = await startAuthorize(dir);
  try {
    const repeated = mint(auth.userId, 0);
    const pool = Array.from({ length: DISTINCT_POOL }, (_, i) => mint(auth.userId, i + 1));
    const feeder = writeTokenFeeder(dir, pool);
    const original = {
      "x-original-uri": "/api/agents/0b5e6f3a-5c2d-4a43-9d7e-1f2a3b4c5d6e",
      "x-original-method": "GET",
    };
    // autocannon runs in a worker thread (workers: 1), so the servers keep this thread's event loop
    const common = { connections: CONNECTIONS, workers: 1 };
    const loads = {
      bare: (duration: number) => autocannon({ ...common, url: bare.url, duration }),
      repeated: (duration: number) =>
        autocannon({
          ...common,
          url: auth.url,
          duration,
          headers: { ...original, authorization: `Bearer ${repeated}` },
        }),
      distinct: (duration: number) =>
        autocannon({
          ...common,
          url: auth.url,
          duration,
          headers: original,
          setupClient: feeder,
        }),
    };

    // sanity: the authorizer says yes to both kinds of token before anything is measured
    for (const token of [repeated, pool[0]!]) {
      const res = await fetch(auth.url, { headers: { ...original, authorization: `Bearer ${token}` } });
      if (res.status !== 200 || res.headers.get("x-user-id") !== String(auth.userId)) {
        throw new Error(`authorize answered ${res.status} to a valid token`);
      }
    }

    console.log(
      `${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds; servers in this thread, autocannon in a worker`,
    );
    console.log(
      `nginx-style subrequests; distinct tokens: a pool of ${DISTINCT_POOL}, token cache ${TOKEN_CACHE}`,
    );
    for (const warm of [loads.bare, loads.repeated, loads.distinct]) await warm(1);

    const runs: Record<keyof typeof loads, Run[]> = { bare: [], repeated: [], distinct: [] };
    const labels = {
      bare: "B bare Fastify route",
      repeated: "R authorize, one token repeated",
      distinct: "D authorize, distinct tokens",
    };
    for (let round = 1; round <= ROUNDS; round++) {
      // alternate the order, so a slow spell of this shared machine does not always hit the same load
      const order: (keyof typeof loads)[] =
        round % 2 === 1 ? ["bare", "repeated", "distinct"] : ["distinct", "repeated", "bare"];
      for (const kind of order) {
        const profileDir = process.env.BENCH_CPU_PROFILE;
        const run = await measure(() =>
          profileDir && kind === "distinct"
            ? profiled(profileDir, `authorize-distinct-round${round}`, () => loads[kind](SECONDS))
            : loads[kind](SECONDS),
        );
        runs[kind].push(run);
        console.log(line(`${labels[kind]} (round ${round})`, run));
      }
    }

    const mean = (rs: Run[], f: (r: Run) => number | undefined) =>
      rs.reduce((sum, r) => sum + (f(r) ?? Number.NaN), 0) / rs.length;
    const throughput = (r: Run) => r.result.requests.average;
    const cpu = (r: Run) => r.cpuPerRequest;
    const b = mean(runs.bare, throughput);
    for (const [kind, target] of [
      ["repeated", TARGET_REPEATED],
      ["distinct", TARGET_DISTINCT],
    ] as const) {
      const ratio = mean(runs[kind], throughput) / b;
      const name = kind === "repeated" ? "R/B" : "D/B";
      const verdict = ratio >= target ? "met" : "NOT met";
      const cpuRatio = mean(runs.bare, cpu) / mean(runs[kind], cpu);
      console.log(
        `ratio ${name} of mean req/s: ${ratio.toFixed(2)}  (target ≥ ${target}: ${verdict})` +
          (Number.isFinite(cpuRatio) ? `;  by server CPU per request: ${cpuRatio.toFixed(2)}` : ""),
      );
    }
    const failed = Object.values(runs)
      .flat()
      .reduce((n, { result: r }) => n + r.non2xx + r.errors + r.timeouts, 0);
    if (failed > 0) console.log(`WARNING: ${failed} requests failed; the numbers above are not comparable`);
    console.log(
      `machine load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} (2 cores, shared)`,
    );
  } finally {
    await Promise.all([bare.close(), auth.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
