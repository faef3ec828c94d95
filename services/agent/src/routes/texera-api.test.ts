// Texera's agent REST API and WebSocket as its frontend uses them (apache/texera
// b29e5be1be08a6df37b7b3c0e45d19d1aa743342, frontend/src/app/workspace/service/agent/agent.service.ts),
// and the version tree. In-process; the same contract through real gateways is test/system/texera-frontend.
import type { Scenario } from "@texera-agent/llm-sim";
import type { ReActStep, ServerFrame } from "@texera-agent/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createRepositories } from "../repositories/index.ts";
import { FrameClient, type Harness, startHarness, upgradeStatus } from "../testing/harness.ts";
import { addCsvRule } from "../testing/scenarios.ts";

const SCENARIO: Scenario = {
  rules: [
    { name: "tokens", match: { lastUser: "^tokens: (\\d+)$" }, reply: { tokens: "{{match:1}}" } },
    addCsvRule({ content: "Adding a scan.", summary: "Load orders" }),
    { name: "after-tool", match: { afterToolResult: true }, reply: { content: "Done." } },
  ],
  fallback: { content: "{{lastUser}}" },
};

let h: Harness;
const clients: FrameClient[] = [];
/** Texera's frontend asks for no deltas; `deltas` opens the socket as this service's web app does. */
const open = async (id: string, deltas = false) => {
  const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`, h.tokens.owner, deltas));
  clients.push(c);
  await c.next("init");
  return c;
};
const rest = async (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) => {
  const res = await h.app.inject({
    method,
    url,
    headers: h.auth(h.tokens.owner),
    payload: payload as object,
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
};

beforeAll(async () => {
  h = await startHarness({ sim: { scenario: SCENARIO } });
  await h.listen();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  h.sim.reset();
});
afterAll(() => h.close());

describe("REST as Texera's agent-service answers its frontend", () => {
  it("creates with Texera's body; the identity is the bearer token and userToken goes nowhere", async () => {
    // agent.service.ts:708-722: {modelType, name, userToken, workflowId, computingUnitId}
    const created = await rest("POST", "/api/agents", {
      modelType: "sim-small",
      name: "Bob",
      userToken: h.tokens.other,
      workflowId: 12,
      computingUnitId: 3,
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: "Bob", modelType: "sim-small", state: "AVAILABLE" });
    expect(created.body.delegate).toBeUndefined();
    expect(Number.isNaN(new Date(created.body.createdAt).getTime())).toBe(false);
    const all = JSON.stringify(created.body) + h.logs.join("\n");
    expect(all).not.toContain(h.tokens.other);
    // the owner is the caller, not the user of userToken
    expect((await rest("GET", `/api/agents/${created.body.id}`)).status).toBe(200);
    const asOther = await h.app.inject({
      url: `/api/agents/${created.body.id}`,
      headers: h.auth(h.tokens.other),
    });
    expect(asOther.statusCode).toBe(404);
    // no column of the database holds the token either
    const rows = await h.database.db.selectFrom("agents").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(h.tokens.other);

    const detail = (await rest("GET", `/api/agents/${created.body.id}`)).body;
    expect(detail).toMatchObject({ stepCount: 0, headId: "step-initial", workflow: { operators: [] } });
    const list = (await rest("GET", "/api/agents")).body;
    expect(list.agents.map((a: { id: string }) => a.id)).toContain(created.body.id);
    // an empty name is Texera's "no name" (its default is "Bob"; ours names the model)
    expect((await rest("POST", "/api/agents", { modelType: "sim-small", name: "" })).body.name).toBe(
      "sim-small agent",
    );
  });

  it("settings in Texera's names and units, beside this service's", async () => {
    const id = await h.createAgent();
    const got = (await rest("GET", `/api/agents/${id}/settings`)).body;
    for (const key of [
      "maxOperatorResultCharLimit",
      "maxOperatorResultCellCharLimit",
      "operatorResultSerializationMode",
      "toolTimeoutSeconds",
      "executionTimeoutMinutes",
      "disabledTools",
      "maxSteps",
      "allowedOperatorTypes",
    ]) {
      expect(got, key).toHaveProperty(key);
    }
    expect(got.toolTimeoutSeconds * 1000).toBe(got.toolTimeoutMs);
    const patched = await rest("PATCH", `/api/agents/${id}/settings`, {
      toolTimeoutSeconds: 60,
      executionTimeoutMinutes: 10,
      allowedOperatorTypes: ["CSVFileScan"],
      maxSteps: 5,
      operatorResultSerializationMode: "tsv",
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      toolTimeoutSeconds: 60,
      toolTimeoutMs: 60_000,
      executionTimeoutMinutes: 10,
      allowedOperatorTypes: ["CSVFileScan"],
      maxSteps: 5,
    });
    const info = (await rest("GET", `/api/agents/${id}/system-info`)).body;
    expect(info.systemPrompt).toContain("CSVFileScan");
    expect(info.systemPrompt).not.toContain("HashJoin"); // allowedOperatorTypes shapes the prompt
    const bad = await rest("PATCH", `/api/agents/${id}/settings`, { operatorResultSerializationMode: "csv" });
    expect(bad.status).toBe(400);
    expect(typeof bad.body.error).toBe("string");
    const disagree = await rest("PATCH", `/api/agents/${id}/settings`, {
      toolTimeoutSeconds: 5,
      toolTimeoutMs: 9000,
    });
    expect(disagree.status).toBe(400);
  });

  it("system-info, operator-types, operator-results", async () => {
    const id = await h.createAgent();
    await rest("PATCH", `/api/agents/${id}/settings`, { disabledTools: ["deleteOperator"] });
    const info = (await rest("GET", `/api/agents/${id}/system-info`)).body;
    expect(typeof info.systemPrompt).toBe("string");
    const byName = Object.fromEntries(info.tools.map((t: { name: string; enabled: boolean }) => [t.name, t]));
    expect(byName.deleteOperator.enabled).toBe(false);
    expect(byName.addOperator).toMatchObject({ enabled: true, description: expect.any(String) });
    expect(byName.addOperator.inputSchema).toMatchObject({ type: "object" });
    const types = (await rest("GET", `/api/agents/${id}/operator-types`)).body;
    expect(types.find((t: { type: string }) => t.type === "CSVFileScan")).toMatchObject({
      description: expect.any(String),
    });
    expect((await rest("GET", `/api/agents/${id}/operator-results`)).body).toEqual({ results: {} });
    expect((await rest("POST", `/api/agents/${id}/steps-by-operators`, {})).status).toBe(400);
  });
});

describe("the WebSocket as Texera's frontend reads it", () => {
  it("an unknown or foreign agent: the socket opens, says 'Agent not found', closes normally", async () => {
    const mine = await h.createAgent(h.tokens.other);
    for (const id of [mine, "00000000-0000-4000-8000-000000000000", "agent-1"]) {
      const ws = new WebSocket(h.wsUrl(`/api/agents/${id}/react`, h.tokens.owner, false));
      const frames: unknown[] = [];
      ws.on("message", (d) => frames.push(JSON.parse(d.toString())));
      const code = await new Promise<number>((resolve, reject) => {
        ws.once("close", (c) => resolve(c));
        ws.once("unexpected-response", () => reject(new Error("refused before the upgrade")));
      });
      expect(code).toBe(1000); // agent.service.ts:442-451 marks only a non-1000 close unavailable
      expect(frames).toEqual([{ type: "error", error: "Agent not found", code: "AGENT_NOT_FOUND" }]);
    }
    // a caller without a valid token is still refused before the upgrade
    expect(await upgradeStatus(h.wsUrl(`/api/agents/${mine}/react`, null))).toBe(401);
    expect(await upgradeStatus(h.wsUrl(`/api/agents/${mine}/react`, h.tokens.expired))).toBe(401);
  });

  it("sends delta frames only to a client that asks for them", async () => {
    const id = await h.createAgent();
    const plain = await open(id);
    const streaming = await open(id, true);
    plain.send({ type: "message", content: "tokens: 20", messageSource: "chat" });
    await plain.next("complete");
    await streaming.next("complete");
    expect(plain.frames.some((f) => f.type === "delta")).toBe(false);
    expect(streaming.frames.some((f) => f.type === "delta")).toBe(true);
    const known = new Set(["init", "step", "state", "complete", "error", "headChange"]);
    expect(plain.frames.filter((f) => !known.has(f.type))).toEqual([]);
    const init = plain.frames[0] as Extract<ServerFrame, { type: "init" }>;
    expect(init).toMatchObject({
      state: "AVAILABLE",
      steps: [],
      headId: "step-initial",
      operatorResults: {},
    });
    const user = plain.frames.find((f) => f.type === "step" && f.step.role === "user");
    expect(user?.type === "step" && user.step).toMatchObject({
      messageSource: "chat",
      stepId: 0,
      isBegin: true,
      isEnd: true,
    });
  });
});

describe("the version tree", () => {
  it("checkout moves HEAD, restores the workflow, sends headChange; the next message branches from HEAD", async () => {
    const id = await h.createAgent();
    const c = await open(id);
    c.send({ type: "message", content: "please add a csv" });
    await c.next("complete");
    const first = (await rest("GET", `/api/agents/${id}/react-steps`)).body.steps as ReActStep[];
    expect(first.map((s) => s.role)).toEqual(["user", "agent", "agent"]);
    const [user, tool, last] = first as [ReActStep, ReActStep, ReActStep];
    expect((await rest("GET", `/api/agents/${id}/workflow`)).body.operators).toHaveLength(1);
    const opId = tool.operatorAccess?.["0"]?.addedOperatorIds[0];
    expect(opId).toBeDefined();
    expect(
      (await rest("POST", `/api/agents/${id}/steps-by-operators`, { operatorIds: [opId] })).body.steps.map(
        (s: ReActStep) => s.id,
      ),
    ).toEqual([tool.id]);
    expect(
      (await rest("POST", `/api/agents/${id}/steps-by-operators`, { operatorIds: [] })).body.steps,
    ).toHaveLength(3);

    // back to the user's step: the workflow as it was after it (empty)
    const out = await rest("POST", `/api/agents/${id}/checkout`, { stepId: user.id });
    expect(out).toEqual({ status: 200, body: { status: "checked out", headId: user.id } });
    const change = await c.next("headChange");
    expect(change.headId).toBe(user.id);
    expect(change.steps.map((s) => s.id)).toEqual(first.map((s) => s.id));
    expect(change.workflowContent.operators).toEqual([]);
    expect((await rest("GET", `/api/agents/${id}/workflow`)).body.operators).toEqual([]);
    expect((await createRepositories(h.database.sql).agents.findById(id))?.headId).toBe(user.id);
    // a new socket (or a restart: HEAD is in the database) starts from there
    const late = await open(id);
    expect(late.frames[0]).toMatchObject({ type: "init", headId: user.id });

    h.sim.reset();
    c.send({ type: "message", content: "tokens: 3" });
    await c.next(
      "complete",
      (f) => f.reason === "done" && c.frames.filter((x) => x.type === "complete").length === 2,
    );
    const all = (await rest("GET", `/api/agents/${id}/react-steps`)).body.steps as ReActStep[];
    expect(all).toHaveLength(5); // both branches are kept
    const branch = all.slice(3);
    expect(branch[0]).toMatchObject({ role: "user", parentId: user.id, content: "tokens: 3" });
    expect(branch[1]).toMatchObject({ role: "agent", parentId: branch[0]!.id, isEnd: true });
    // the model saw the path to HEAD only: the first message, not the answer on the other branch
    const sent = (h.sim.requests[0]!.body as { messages: { role: string; content: string | null }[] })
      .messages;
    expect(sent.filter((m) => m.role !== "system").map((m) => m.content)).toEqual([
      "please add a csv",
      "tokens: 3",
    ]);
    expect(sent.some((m) => m.content === last.content)).toBe(false);

    // back to the end of the first branch: its workflow again
    await rest("POST", `/api/agents/${id}/checkout`, { stepId: last.id });
    expect((await c.next("headChange", (f) => f.headId === last.id)).workflowContent.operators).toHaveLength(
      1,
    );
    // the root
    expect((await rest("POST", `/api/agents/${id}/checkout`, { stepId: "step-initial" })).body.headId).toBe(
      "step-initial",
    );
    // an unknown step
    const unknown = await rest("POST", `/api/agents/${id}/checkout`, { stepId: "step-nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/not found/);
    expect((await rest("GET", `/api/agents/${id}`)).body.stepCount).toBe(5);
  });

  it("refuses checkout while the agent answers", async () => {
    h.sim.setFault("sim-small", { tokensPerSecond: 50 });
    try {
      const id = await h.createAgent();
      const c = await open(id);
      c.send({ type: "message", content: "tokens: 200" });
      await c.next("state", (f) => f.state === "GENERATING");
      const refused = await rest("POST", `/api/agents/${id}/checkout`, { stepId: "step-initial" });
      expect(refused.status).toBe(409);
      c.send({ type: "stop" });
      await c.next("complete");
    } finally {
      h.sim.setFault("sim-small", undefined);
    }
  });
});
