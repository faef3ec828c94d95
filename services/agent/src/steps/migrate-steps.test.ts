import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateToLatest, openDatabase } from "@texera-agent/db";
import { DEFAULT_AGENT_SETTINGS, pathToHead, ROOT_STEP_ID, stepKind } from "@texera-agent/protocol";
import { sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import { migrations } from "../db/migrations.ts";
import { openAgentDatabase } from "../db/open-agent-database.ts";
import { historyToMessages } from "../react/messages.ts";
import { createRepositories } from "../repositories/index.ts";
import type { StoredStepV1 } from "./migrate-steps.ts";

// Steps exactly as the code before the version tree wrote them (migrations 001-007, ReActStep v1).
const AGENT = "aaaaaaaa-0000-4000-8000-000000000001";
const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
const OLD: StoredStepV1[] = [
  {
    index: 0,
    kind: "user",
    runId: "r1",
    content: "build it",
    toolCalls: [],
    toolResults: [],
    touchedOperators: [],
    createdAt: at(0),
  },
  {
    index: 1,
    kind: "agent",
    runId: "r1",
    content: "adding a scan",
    toolCalls: [{ id: "c1", name: "addOperator", arguments: { operatorType: "CSVFileScan" } }],
    toolResults: [{ toolCallId: "c1", name: "addOperator", ok: true, output: "added op1", durationMs: 3 }],
    usage: { promptTokens: 120, completionTokens: 30, totalTokens: 150 },
    touchedOperators: ["op1"],
    createdAt: at(1),
  },
  {
    index: 2,
    kind: "agent",
    runId: "r1",
    content: "done",
    toolCalls: [],
    toolResults: [],
    usage: { promptTokens: 200, completionTokens: 5, totalTokens: 205 },
    touchedOperators: [],
    createdAt: at(2),
  },
  {
    index: 3,
    kind: "user",
    runId: "r2",
    content: "again",
    toolCalls: [],
    toolResults: [],
    touchedOperators: [],
    createdAt: at(3),
  },
  {
    index: 4,
    kind: "system",
    runId: "r2",
    content: "LiteLLM said no",
    toolCalls: [],
    toolResults: [],
    touchedOperators: [],
    error: "LLM_REJECTED",
    createdAt: at(4),
  },
];

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("migrates steps written before the version tree into Texera's ReActStep, losing nothing", async () => {
  dir = mkdtempSync(join(tmpdir(), "agent-migrate-"));
  // A database as today's released code leaves it: migrations up to 007, steps in the old shape.
  const before = openDatabase<unknown>({ url: undefined, dataDir: dir, fileName: "agent.sqlite" });
  const released = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < "008"));
  await migrateToLatest(before.db, "agent", released);
  // the tables as 007 left them (no head_id, no step_key): plain statements, not today's schema
  await sql`insert into agents (id, owner_id, name, model_type, settings, created_at)
    values (${AGENT}, ${7}, ${"old"}, ${"sim-small"}, ${JSON.stringify(DEFAULT_AGENT_SETTINGS)}, ${at(0)})`.execute(
    before.db,
  );
  for (const s of OLD) {
    await sql`insert into steps (agent_id, idx, run_id, kind, json, created_at)
      values (${AGENT}, ${s.index}, ${s.runId}, ${s.kind}, ${JSON.stringify(s)}, ${s.createdAt})`.execute(
      before.db,
    );
  }
  await before.close();

  const database = await openAgentDatabase({ url: undefined, dataDir: dir });
  try {
    const repos = createRepositories(database.sql);
    const steps = await repos.steps.list(AGENT);
    expect(
      steps.map((s) => [s.index, s.id, s.parentId, s.messageId, s.stepId, s.role, s.isBegin, s.isEnd]),
    ).toEqual([
      [0, "step-r1-0", ROOT_STEP_ID, "msg-r1", 0, "user", true, true],
      [1, "step-r1-1", "step-r1-0", "msg-r1", 1, "agent", true, false],
      [2, "step-r1-2", "step-r1-1", "msg-r1", 2, "agent", false, true],
      [3, "step-r2-0", "step-r1-2", "msg-r2", 0, "user", true, true],
      [4, "step-r2-1", "step-r2-0", "msg-r2", 1, "agent", false, true],
    ]);
    expect(steps.map((s) => [s.content, stepKind(s), s.timestamp])).toEqual(
      OLD.map((o) => [o.content, o.kind, Date.parse(o.createdAt)]),
    );
    expect(steps[1]).toMatchObject({
      toolCalls: [{ toolName: "addOperator", toolCallId: "c1", input: { operatorType: "CSVFileScan" } }],
      toolResults: [
        { toolCallId: "c1", output: "added op1", isError: false, toolName: "addOperator", durationMs: 3 },
      ],
      usage: { inputTokens: 120, outputTokens: 30, totalTokens: 150 },
      operatorAccess: { "0": { viewedOperatorIds: [], addedOperatorIds: [], modifiedOperatorIds: ["op1"] } },
    });
    expect(steps[4]!.error).toBe("LLM_REJECTED");
    // HEAD is the last step, the whole history is on its path, and the model sees what it saw before.
    const agent = await repos.agents.findById(AGENT);
    expect(agent?.headId).toBe("step-r2-1");
    expect(pathToHead(steps, agent?.headId).map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
    expect(historyToMessages(steps).map((m) => m.role)).toEqual([
      "user",
      "assistant",
      "tool",
      "assistant",
      "user",
    ]);
    expect((await repos.steps.find(AGENT, "step-r1-1"))?.content).toBe("adding a scan");
  } finally {
    await database.close();
  }
});
