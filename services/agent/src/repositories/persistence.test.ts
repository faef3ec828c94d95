import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "@texera-agent/db";
import { createTestDatabase } from "@texera-agent/db/testing";
import { DEFAULT_AGENT_SETTINGS, emptyWorkflow, type ReActStep, stepKind } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAgentDatabase } from "../db/open-agent-database.ts";
import type { AgentDatabase } from "../db/schema.ts";
import { workflow } from "../engine/testing.ts";
import { INTERRUPTED_NOTICE, recoverInterruptedRuns } from "../services/recover-interrupted-runs.ts";
import { FrameClient, startHarness } from "../testing/harness.ts";
import { type AgentRecord, createRepositories, type Repositories } from "./index.ts";

const PG = process.env.TEST_POSTGRES_URL;
const dialects = [
  { name: "SQLite", url: async () => undefined, skip: false },
  { name: "PostgreSQL", url: async () => createTestDatabase(PG!, "agent"), skip: !PG },
];

const step = (index: number, runId = "run-1", role: ReActStep["role"] = "user"): ReActStep => ({
  id: `step-${runId}-${index}`,
  parentId: "step-initial",
  messageId: `msg-${runId}`,
  stepId: index,
  timestamp: Date.UTC(2030, 0, 1, 0, 0, index),
  role,
  content: `step ${index}`,
  isBegin: index === 0,
  isEnd: true,
  toolCalls: [{ toolCallId: "c", toolName: "getWorkflow", input: { a: [1, "ü"] } }],
  toolResults: [],
  index,
  runId,
});

const agent = (id: string, ownerId: number, createdAt = "2030-01-01T00:00:00.000Z"): AgentRecord => ({
  id,
  ownerId,
  name: `agent ${id.slice(0, 4)}`,
  modelType: "sim-small",
  settings: { ...DEFAULT_AGENT_SETTINGS, systemPrompt: "be brief" },
  createdAt,
  headId: null,
});

const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";

for (const dialect of dialects) {
  describe.skipIf(dialect.skip)(`persistence on ${dialect.name}`, () => {
    let database: Database<AgentDatabase>;
    let repos: Repositories;
    let dir: string;
    let url: string | undefined;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "agent-db-"));
      url = await dialect.url();
      database = await openAgentDatabase({ url, dataDir: dir });
      repos = createRepositories(database.sql);
    });
    afterAll(async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("keeps agents, their owner and settings", async () => {
      const big = 2 ** 40; // beyond a 32-bit integer
      await repos.agents.insert(agent(A, big));
      await repos.agents.insert(agent(B, 7, "2030-01-02T00:00:00.000Z"));
      expect(await repos.agents.findById(A)).toEqual(agent(A, big));
      expect((await repos.agents.listByOwner(big)).map((a) => a.id)).toEqual([A]);
      expect((await repos.agents.listAll()).map((a) => a.id)).toEqual([A, B]);
      await repos.agents.updateSettings(A, "sim-large", { ...DEFAULT_AGENT_SETTINGS, maxSteps: 3 });
      expect(await repos.agents.findById(A)).toMatchObject({
        modelType: "sim-large",
        settings: { maxSteps: 3 },
      });
      expect(await repos.agents.findById("cccccccc-0000-4000-8000-000000000003")).toBeUndefined();
    });

    it("keeps steps in order, one per index", async () => {
      expect(await repos.steps.nextIndex(A)).toBe(0);
      await repos.steps.append(A, step(1));
      await repos.steps.append(A, step(0));
      expect(await repos.steps.list(A)).toEqual([step(0), step(1)]);
      expect(await repos.steps.nextIndex(A)).toBe(2);
      await expect(repos.steps.append(A, step(1))).rejects.toThrow();
    });

    it("replaces the workflow whole", async () => {
      expect(await repos.workflows.get(A)).toEqual(emptyWorkflow());
      const wf = workflow([["o1", "CSVFileScan", { fileName: "a.csv" }]]);
      await repos.workflows.put(A, wf, "2030-01-01T00:00:00.000Z");
      await repos.workflows.put(A, { ...wf, links: [] }, "2030-01-01T00:00:01.000Z");
      expect(await repos.workflows.get(A)).toEqual(wf);
    });

    it("marks runs cut short as interrupted, with a system step", async () => {
      await repos.runs.start("run-1", A, "2030-01-01T00:00:00.000Z");
      await repos.runs.start("run-2", B, "2030-01-01T00:00:00.000Z");
      await repos.runs.finish("run-2", "done", "2030-01-01T00:00:05.000Z");
      expect((await repos.runs.listRunning()).map((r) => r.id)).toEqual(["run-1"]);
      expect(await recoverInterruptedRuns(database, () => new Date("2030-01-01T01:00:00Z"))).toBe(1);
      expect(await repos.runs.get("run-1")).toMatchObject({ status: "interrupted", error: "INTERRUPTED" });
      const steps = await repos.steps.list(A);
      expect(steps.at(-1)).toMatchObject({
        index: 2,
        role: "agent",
        error: "INTERRUPTED",
        isEnd: true,
        runId: "run-1",
        content: INTERRUPTED_NOTICE,
      });
      expect(await recoverInterruptedRuns(database, () => new Date())).toBe(0);
    });

    it("survives reopening", async () => {
      await database.close();
      database = await openAgentDatabase({ url, dataDir: dir });
      repos = createRepositories(database.sql);
      expect((await repos.steps.list(A)).map((s) => s.index)).toEqual([0, 1, 2]);
      expect((await repos.workflows.get(A)).operators).toHaveLength(1);
    });

    it("deletes an agent with its steps, workflow and runs", async () => {
      expect(await repos.agents.delete(A)).toBe(true);
      expect(await repos.agents.delete(A)).toBe(false);
      expect(await repos.steps.list(A)).toEqual([]);
      expect(await repos.workflows.get(A)).toEqual(emptyWorkflow());
      expect(await repos.runs.get("run-1")).toBeUndefined();
    });

    it("runs an agent end to end", async () => {
      const h = await startHarness({ databaseUrl: url });
      try {
        await h.listen();
        const id = await h.createAgent();
        const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
        await c.next("init");
        c.send({ type: "message", content: "tokens: 5" });
        await c.next("complete");
        await c.close();
        const steps = (
          await h.app.inject({ url: `/api/agents/${id}/react-steps`, headers: h.auth(h.tokens.owner) })
        ).json().steps;
        expect(steps.map((s: ReActStep) => stepKind(s))).toEqual(["user", "agent"]);
        expect((await createRepositories(h.database.sql).runs.listRunning()).length).toBe(0);
      } finally {
        await h.close();
      }
    });
  });
}
