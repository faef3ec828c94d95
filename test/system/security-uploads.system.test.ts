/**
 * Dataset uploads that go wrong (issue 11, "Security round 2", items 1 and 7), against the whole system as
 * `npm start` runs it: through both gateways (the built-in one and real nginx with
 * deploy/single-node/nginx.conf), and, for the soak, straight at the real agent-service process that
 * scripts/start.ts started, whose open descriptors are read from /proc/<pid>/fd. DATASET_UPLOAD_IDLE_MS is 1 s here so that stalled uploads are
 * answered within the suite's time; the default (30 s) is documented in services/agent/README.md.
 */
import { join } from "node:path";
import type { User } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayKind, type RunningSystem, startSystem } from "./harness.ts";
import { filesIn, multipartBody, multipartHead, openFds, upload } from "./upload-clients.ts";

const IDLE_MS = 1_000;
type Person = User & { token: string };

describe.each<GatewayKind>(["builtin", "nginx"])("dataset uploads through the %s gateway", (kind) => {
  let sys: RunningSystem;
  let alice: Person;
  beforeAll(async () => {
    sys = await startSystem({ gateway: kind, env: { DATASET_UPLOAD_IDLE_MS: String(IDLE_MS) } });
    alice = await sys.createUser({ username: "alice", role: "REGULAR" });
  });
  afterAll(async () => {
    await sys?.stop();
  });
  const port = () => sys.ports.gateway;
  const aliceFiles = () => filesIn(join(sys.dataDir, "datasets", String(alice.id)));

  it("a JSON file sent as application/json is stored, small or larger than the JSON body limit", async () => {
    for (const rows of [3, 30_000]) {
      const json = JSON.stringify(Array.from({ length: rows }, (_, i) => ({ id: i, note: `row ${i}` })));
      const res = await fetch(`${sys.url}/api/agents/datasets?name=rows-${rows}.json`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
        body: json,
      });
      expect(res.status, `${rows} rows (${json.length} bytes): ${await res.clone().text()}`).toBe(201);
      expect(await res.json()).toMatchObject({ name: `rows-${rows}.json`, format: "json", rowCount: rows });
    }
  });

  it("a 2 MB CSV is stored (nginx once refused every upload over 1 MB as 'access control is unavailable')", async () => {
    const csv = `id,label\n${Array.from({ length: 100_000 }, (_, i) => `${i},label-${i}`).join("\n")}\n`;
    expect(csv.length).toBeGreaterThan(1.5 * 1024 * 1024);
    const res = await fetch(`${sys.url}/api/agents/datasets?name=big.csv`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, "content-type": "text/csv" },
      body: csv,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({ name: "big.csv", rowCount: 100_000 });
  });

  it("another media type, even large, is a 415 that names the accepted ones, never a 502", async () => {
    for (const size of [100, 2 * 1024 * 1024]) {
      const res = await fetch(`${sys.url}/api/agents/datasets?name=data.xml`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/xml" },
        body: `<rows>${"x".repeat(size)}</rows>`,
      });
      expect(res.status, `${size} bytes`).toBe(415);
      expect((await res.json()).error).toMatch(/multipart\/form-data.*application\/octet-stream/);
    }
  });

  it("a 64 KB multipart body cut before its closing boundary: 400 that says so, nothing kept", async () => {
    const cut = Buffer.from(`${multipartHead("cut.csv")}${"a,b\n".repeat(16 * 1024)}`);
    const answer = await upload({ port: port(), token: alice.token, body: cut, ending: "answer" });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(/ended before the file's closing boundary/);
    expect(aliceFiles().filter((f) => f.endsWith(".part"))).toEqual([]);
  });

  it("a stalled upload: 408 from agent-service within its idle bound, partial file removed", async () => {
    const part = Buffer.from(`${multipartHead("stall.csv")}${"a,b\n".repeat(1_000)}`);
    const answer = await upload({
      port: port(),
      token: alice.token,
      body: part,
      declared: part.length + 50_000,
      ending: "answer",
    });
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body).error).toMatch(/DATASET_UPLOAD_IDLE_MS/);
    expect(answer.ms).toBeLessThan(IDLE_MS + 5_000);
    expect(aliceFiles().filter((f) => f.endsWith(".part"))).toEqual([]);
  });

  // The soak: through the real agent-service process (straight at its port), once.
  it.runIf(kind === "builtin")(
    "soak: 300 truncated uploads leave agent-service's open descriptors and the datasets folder as they were",
    async () => {
      const agentPid = sys.childPids().agent;
      if (!agentPid) throw new Error("scripts/start.ts printed no agent-service pid");
      const uploader = await sys.createUser({ username: "uploader", role: "REGULAR" });
      const port = sys.ports.agent;
      const token = uploader.token;
      const folder = join(sys.dataDir, "datasets", String(uploader.id));
      // One good upload first: DuckDB and the user's folder are then open/created, as in a running service.
      const warm = await upload({ port, token, body: multipartBody("warm.csv", "a\n1\n"), ending: "answer" });
      expect(warm.status).toBe(201);
      const fdsBefore = openFds(agentPid);
      const filesBefore = filesIn(folder);

      const cut = Buffer.from(`${multipartHead("soak.csv")}${"a,b\n".repeat(200)}`);
      // Three ways to truncate, 100 each, 100 requests at a time (a third of them wait for the idle bound).
      const kinds = {
        "ends before its closing boundary": () => upload({ port, token, body: cut, ending: "answer" }),
        "stalls mid-body": () =>
          upload({ port, token, body: cut, declared: cut.length + 10_000, ending: "answer" }),
        "client leaves mid-body": () =>
          upload({ port, token, body: cut, declared: cut.length + 10_000, ending: "reset" }),
      };
      const started = performance.now();
      const statuses: Record<string, number[]> = {};
      for (let batch = 0; batch < 3; batch++) {
        const round = await Promise.all(
          Object.entries(kinds).flatMap(([name, send]) =>
            Array.from({ length: batch === 0 ? 34 : 33 }, async () => [name, (await send()).status] as const),
          ),
        );
        for (const [name, status] of round) statuses[name] = [...(statuses[name] ?? []), status];
      }
      const elapsed = performance.now() - started;

      // The server closes what it opened as each request ends; give the last ones a moment.
      const until = performance.now() + 5_000;
      while (
        performance.now() < until &&
        (openFds(agentPid) > fdsBefore || filesIn(folder).length > filesBefore.length)
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const fdsAfter = openFds(agentPid);
      console.log(
        `soak: 300 truncated uploads in ${(elapsed / 1000).toFixed(1)} s; agent-service fds ${fdsBefore} → ${fdsAfter}`,
      );
      // No more descriptors than before (fewer is fine: a keep-alive socket of the gateway may have closed).
      expect({ fds: fdsAfter, files: filesIn(folder) }).toEqual({
        fds: Math.min(fdsAfter, fdsBefore),
        files: filesBefore,
      });
      expect(Object.values(statuses).flat()).toHaveLength(300);
      expect(new Set(statuses["ends before its closing boundary"])).toEqual(new Set([400]));
      expect(new Set(statuses["stalls mid-body"])).toEqual(new Set([408]));
      expect(new Set(statuses["client leaves mid-body"])).toEqual(new Set([0]));

      // The clients that left are logged as such, not as a database outage.
      const log = sys.linesOf("agent").join("\n");
      expect(log).toContain("the client closed the connection during the upload");
      expect(log).not.toContain("the database is unreachable");
    },
  );
});
