// The production runtime (issue 14): the system as `npm start` starts it runs its built JavaScript under
// plain node, with no npm or tsx process between the start script and the services.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/nginx.ts";
import { type RunningSystem, startSystem } from "./harness.ts";

const BUILT = {
  "access-control": "services/access-control/dist/main.js",
  agent: "services/agent/dist/main.js",
  "llm-sim": "tools/llm-sim/dist/main.js",
  gateway: "services/gateway/dist/main.js",
} as const;

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
};
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

let sys: RunningSystem;
beforeAll(async () => {
  sys = await startSystem({ gateway: "builtin" });
});
afterAll(async () => {
  await sys?.stop();
});

describe("the runtime of npm start", () => {
  it("runs every service as plain node on its built file, a direct child of the built start script", () => {
    const pids = sys.childPids();
    expect(Object.keys(pids).sort()).toEqual(Object.keys(BUILT).sort());
    const starters = new Set<number>();
    for (const [service, pid] of Object.entries(pids) as [keyof typeof BUILT, number][]) {
      const argv = commandLine(pid);
      expect(argv[0], service).toBe(process.execPath);
      expect(argv[1], service).toBe(join(REPO_ROOT, BUILT[service]));
      expect(argv.join(" "), service).not.toMatch(/tsx|--import|--loader/);
      starters.add(parentOf(pid));
      console.log(
        `${service.padEnd(15)} pid ${pid}  RSS ${rssMb(pid).toFixed(0)} MB  ${argv.slice(1).join(" ")}`,
      );
    }
    // one parent for all: the start script itself, built, under plain node
    expect(starters.size).toBe(1);
    const [starter] = [...starters];
    expect(commandLine(starter!)).toEqual([process.execPath, join(REPO_ROOT, "scripts/dist/start.js")]);
  });
});
