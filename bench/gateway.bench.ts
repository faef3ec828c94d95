/**
 * The price of the gateway's auth subrequest. The whole system is started as `npm run start:nginx` does
 * (test/system/harness.ts), then one `/api/agents` route is loaded with 50 connections through:
 *   A. nginx with deploy/single-node/nginx.conf (auth_request to access-control-service on every request),
 *   B. nginx with the same file minus the `auth_request` line (the baseline: a bare reverse proxy),
 *   C. the built-in gateway of `npm start` (services/gateway, built as `npm start` runs it: plain node on
 *      services/gateway/dist/main.js; auth subrequest on every request).
 * All reach the same agent-service, which verifies the token itself in every case. A, B and C take turns
 * (ROUNDS rounds, the order changing each round), so drift on this shared machine hits all of them.
 *   F. the floor of any gateway written on node:http: a do-nothing reverse proxy (node:http server,
 *      keep-alive node:http client, bodies piped, headers passed as they are; no auth, no log, no checks).
 *      Whatever the built-in gateway does on top, it cannot beat this, so F/B bounds C/B from above.
 * Targets: A ≥ 0.6 × B (nginx's auth_request), C ≥ 0.8 × B (the built-in gateway, issue 14).
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { join } from "node:path";
import { buildAll } from "../scripts/build.mjs";
import { REPO_ROOT, startNginx } from "../scripts/lib/nginx.ts";
import { waitForHealthy } from "../scripts/lib/processes.ts";
import { freePorts, startSystem } from "../test/system/harness.ts";

interface Result {
  requests: { average: number };
  "2xx": number;
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<Result>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const TARGET = 0.6;
const TARGET_BUILTIN = 0.8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function load(url: string, token: string, seconds = SECONDS): Promise<Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });
}

/**
 * CPU time (user + system) of a process and its descendants (nginx's workers), in µs, from /proc. Per
 * request it says what each process costs, which the other load on this shared machine disturbs far less
 * than throughput.
 */
function treeCpuMicros(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    let total = ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime + stime; USER_HZ is 100
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      for (const child of children ? children.split(" ") : []) total += treeCpuMicros(Number(child));
    }
    return total;
  } catch {
    return 0; // gone, or no /proc
  }
}

/** The nginx master started with `-p prefix` (scripts/start.ts does not print its pid). */
function nginxMasterPid(prefix: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // nginx rewrites its command line into one string: "nginx: master process /usr/sbin/nginx -p … -c …"
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (command.startsWith("nginx: master") && command.includes(` -p ${prefix} `)) return Number(entry);
    } catch {}
  }
  return undefined;
}

function line(name: string, r: Result): string {
  const bad = r.non2xx + r.errors + r.timeouts;
  return (
    `${name.padEnd(44)} ${r.requests.average.toFixed(0).padStart(7)} req/s   ` +
    `p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms` +
    (bad > 0 ? `   ${bad} failed (non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts})` : "")
  );
}

export default async function gatewayBench(): Promise<void> {
  await buildAll();
  const sys = await startSystem({ gateway: "nginx", env: { LOG_LEVEL: "warn" } });
  const [baselinePort, builtinPort] = (await freePorts(2)) as [number, number];
  const baseline = await startNginx({
    prefix: join(sys.dataDir, "nginx-baseline"),
    listen: `127.0.0.1:${baselinePort}`,
    webRoot: sys.dataDir,
    accessControl: `127.0.0.1:${sys.ports.accessControl}`,
    agentService: `127.0.0.1:${sys.ports.agent}`,
    workerProcesses: 1,
    withoutAuthRequest: true,
  });
  // GATEWAY_BENCH_NODE_ARGS: node flags for the built-in gateway, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.GATEWAY_BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const builtin = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, "services/gateway/dist/main.js")], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(builtinPort),
      HOST: "127.0.0.1",
      ACCESS_CONTROL_URL: sys.services.accessControl,
      AGENT_SERVICE_URL: sys.services.agent,
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
  const floor = startFloorProxy(sys.services.agent);
  try {
    const user = await sys.createUser({ username: "bench", role: "REGULAR" });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${sys.url}/api/agents`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
        body: JSON.stringify({ modelType: "demo-offline-model", name: `bench ${i}` }),
      });
      if (!res.ok) throw new Error(`creating an agent: ${res.status} ${await res.text()}`);
    }
    const builtinUrl = `http://127.0.0.1:${builtinPort}`;
    await waitForHealthy(`${builtinUrl}/api/healthcheck`, undefined, 30_000);
    const route = "/api/agents";
    const withAuth = `${sys.url}${route}`;
    const without = `${baseline.url}${route}`;
    const floorUrl = await floor.url;
    for (const url of [withAuth, without, `${builtinUrl}${route}`, `${floorUrl}${route}`]) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${user.token}` } });
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
    }

    console.log(
      `GET ${route} (3 agents, token verified by agent-service in every case), ${CONNECTIONS} connections,`,
    );
    console.log(`${SECONDS} s per run, nginx with 1 worker, on 127.0.0.1; autocannon in this process`);
    await load(without, user.token, 2);
    await load(withAuth, user.token, 2);
    await load(`${builtinUrl}${route}`, user.token, 2);
    await load(`${floorUrl}${route}`, user.token, 2);
    const ratios: number[] = [];
    const sides = {
      plain: without,
      auth: withAuth,
      builtin: `${builtinUrl}${route}`,
      floor: `${floorUrl}${route}`,
    } as const;
    const labels = {
      plain: "B nginx, no auth_request",
      auth: "A nginx + auth_request",
      builtin: "C built-in gateway (npm start)",
      floor: "F do-nothing node:http proxy (floor)",
    } as const;
    type Side = keyof typeof sides;
    const runs: Record<Side, Result[]> = { auth: [], plain: [], builtin: [], floor: [] };
    // Which processes serve each side: its proxy, then access-control and agent-service (shared by all).
    const pids = sys.childPids();
    const proxyPid: Record<Side, number | undefined> = {
      plain: baseline.process.pid,
      auth: nginxMasterPid(join(sys.dataDir, "nginx")),
      builtin: builtin.pid,
      floor: floor.child.pid,
    };
    const parts = { proxy: 0, "access-control": 0, agent: 0 };
    type Part = keyof typeof parts;
    const cpu: Record<Side, Record<Part, number>> = {
      plain: { ...parts },
      auth: { ...parts },
      builtin: { ...parts },
      floor: { ...parts },
    };
    const served: Record<Side, number> = { plain: 0, auth: 0, builtin: 0, floor: 0 };
    const cpuNow = (side: Side): Record<Part, number> => ({
      proxy: treeCpuMicros(proxyPid[side]),
      "access-control": treeCpuMicros(pids["access-control"]),
      agent: treeCpuMicros(pids.agent),
    });
    for (let round = 1; round <= ROUNDS; round++) {
      // Rotate which goes first, so a slow spell of the machine does not always hit the same side.
      const all: Side[] = ["plain", "auth", "builtin", "floor"];
      const order = [...all.slice((round - 1) % 4), ...all.slice(0, (round - 1) % 4)];
      const got = {} as Record<Side, Result>;
      for (const side of order) {
        const before = cpuNow(side);
        got[side] = await load(sides[side], user.token);
        const after = cpuNow(side);
        const n = got[side]["2xx"] + got[side].non2xx;
        served[side] += n;
        for (const part of Object.keys(parts) as Part[]) cpu[side][part] += after[part] - before[part];
        runs[side].push(got[side]);
        const perRequest = (Object.keys(parts) as Part[])
          .map((part) => `${part} ${((after[part] - before[part]) / Math.max(n, 1)).toFixed(0)}`)
          .join(", ");
        console.log(`${line(`${labels[side]} (round ${round})`, got[side])}   CPU µs/req: ${perRequest}`);
      }
      ratios.push(got.auth.requests.average / got.plain.requests.average);
    }
    const mean = (rs: Result[]) => rs.reduce((sum, r) => sum + r.requests.average, 0) / rs.length;
    const ratio = mean(runs.auth) / mean(runs.plain);
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
    const failed = [...runs.auth, ...runs.plain, ...runs.builtin, ...runs.floor].reduce(
      (n, r) => n + r.non2xx + r.errors + r.timeouts,
      0,
    );
    console.log(
      `ratio A/B per round: ${ratios.map((r) => r.toFixed(2)).join(", ")}; median ${median.toFixed(2)}`,
    );
    console.log(
      `ratio A/B of the means (auth_request / none): ${ratio.toFixed(2)}  (target ≥ ${TARGET}: ${ratio >= TARGET ? "met" : "NOT met"})`,
    );
    const builtinRatio = mean(runs.builtin) / mean(runs.plain);
    console.log(
      `ratio C/B of the means (built-in gateway / nginx without auth): ${builtinRatio.toFixed(2)}  (target ≥ ${TARGET_BUILTIN}: ${builtinRatio >= TARGET_BUILTIN ? "met" : "NOT met"})`,
    );
    const floorRatio = mean(runs.floor) / mean(runs.plain);
    console.log(
      `ratio F/B of the means (do-nothing node:http proxy / nginx without auth): ${floorRatio.toFixed(2)}` +
        (floorRatio < TARGET_BUILTIN
          ? `  (below ${TARGET_BUILTIN}: no gateway on node:http reaches C/B ≥ ${TARGET_BUILTIN} on this machine now)`
          : ""),
    );
    for (const side of ["plain", "auth", "builtin", "floor"] as Side[]) {
      const each = (Object.keys(parts) as Part[]).map(
        (part) => [part, cpu[side][part] / served[side]] as const,
      );
      const total = each.reduce((sum, [, us]) => sum + us, 0);
      console.log(
        `CPU µs per request, all rounds, ${labels[side]}: ${each.map(([part, us]) => `${part} ${us.toFixed(0)}`).join(" + ")} = ${total.toFixed(0)}`,
      );
    }
    console.log(
      `machine load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} (2 cores are shared)`,
    );
    if (failed > 0) console.log(`WARNING: ${failed} requests failed; the numbers above are not comparable`);
  } finally {
    builtin.kill("SIGTERM");
    floor.child.kill("SIGTERM");
    await baseline.stop();
    await sys.stop();
  }
}

/** F: a do-nothing reverse proxy on node:http in its own process (see the file comment). */
function startFloorProxy(upstream: string): { child: ReturnType<typeof spawn>; url: Promise<string> } {
  const code = `
    const http = require("node:http");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
    const target = new URL(process.env.UPSTREAM);
    const server = http.createServer((req, res) => {
      const out = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url,
        headers: req.headers, agent }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      out.on("error", () => { if (!res.headersSent) { res.statusCode = 502; res.end(); } else res.destroy(); });
      req.pipe(out);
    });
    server.listen(0, "127.0.0.1", () => console.log("floor proxy at http://127.0.0.1:" + server.address().port));`;
  const child = spawn(process.execPath, ["-e", code], {
    env: { ...process.env, UPSTREAM: upstream },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /floor proxy at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the floor proxy exited with ${code}`)));
  });
  return { child, url };
}
