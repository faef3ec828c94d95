/**
 * texera-frontend: Texera's own frontend agent service, as a client (texera-frontend-client.ts, written
 * from apache/texera b29e5be1be08a6df37b7b3c0e45d19d1aa743342 frontend agent.service.ts), against the whole
 * system started as `npm start` starts it, through the built-in gateway and through real nginx. It asserts
 * what a Texera user would see: the agent created, every step listed once with the right role, tool names,
 * a valid time and token counts, the canvas following the agent, errors shown with their text, checkout
 * moving HEAD, delete confirmed — and no frame the frontend does not know.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayKind, type RunningSystem, startSystem } from "./harness.ts";
import { AgentState, TexeraFrontendClient } from "./texera-frontend-client.ts";

const DEMO_MODEL = "demo-offline-model";
const until = async (check: () => boolean, what: string, timeoutMs = 20_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

for (const gateway of ["builtin", "nginx"] as GatewayKind[]) {
  describe(`Texera's frontend through the ${gateway === "nginx" ? "nginx" : "built-in"} gateway`, () => {
    let sys: RunningSystem;
    let client: TexeraFrontendClient;
    let agentId: string;

    beforeAll(async () => {
      sys = await startSystem({ gateway });
      const alice = await sys.createUser({ username: "alice", role: "REGULAR" });
      client = new TexeraFrontendClient(sys.url, alice.token);
    });
    afterAll(async () => {
      client?.close();
      await sys?.stop();
    });

    it("lists the models and creates an agent the frontend shows as available", async () => {
      const models = await client.fetchModelTypes();
      expect(models.map((m) => m.id)).toContain(DEMO_MODEL);
      expect(models.find((m) => m.id === DEMO_MODEL)?.name).toBe("Demo Offline Model");
      // the frontend sends its own token as userToken, a workflow id and a computing unit (AS:708-722)
      const agent = await client.createAgent(DEMO_MODEL, "Bob", 7, 1);
      agentId = agent.id;
      expect(agent).toMatchObject({ name: "Bob", modelType: DEMO_MODEL, state: AgentState.AVAILABLE });
      expect(Number.isNaN(agent.createdAt.getTime())).toBe(false);
      expect(agent.settings?.maxSteps).toBeGreaterThan(0);
      expect(client.notifications).toEqual([]);
      expect((await client.getAllAgents()).map((a) => a.id)).toEqual([agentId]);
      await client.activateAgent(agentId);
      const view = client.views.get(agentId)!;
      expect(view.state).toBe(AgentState.AVAILABLE);
      expect(view.headId).toBe("step-initial");
      expect(view.steps).toEqual([]);
    });

    it("chats: every step once with its role, tool names, time and tokens; the canvas follows the agent", async () => {
      const view = client.views.get(agentId)!;
      const sentAt = Date.now();
      client.sendMessage(agentId, "Build me a workflow over orders.csv");
      await until(() => view.frames.some((f) => f.type === "complete"), "the run to complete", 60_000);
      expect(view.state).toBe(AgentState.AVAILABLE);
      expect(client.unknownFrameTypes).toEqual([]); // no "unknown message type" warnings
      expect(client.notifications).toEqual([]);

      const steps = view.steps;
      const keys = steps.map((s) => `${s.messageId}/${s.stepId}`);
      expect(new Set(keys).size).toBe(keys.length); // each step listed once
      expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
      expect(steps[0]).toMatchObject({
        role: "user",
        stepId: 0,
        content: "Build me a workflow over orders.csv",
        messageSource: "chat",
      });
      expect(steps.slice(1).every((s) => s.role === "agent")).toBe(true);
      expect(steps.length).toBeGreaterThanOrEqual(3);
      expect(steps.at(-1)!.isEnd).toBe(true);
      expect(steps.slice(1, -1).every((s) => !s.isEnd)).toBe(true);
      for (const s of steps) {
        expect(s.timestamp.getTime(), s.id).toBeGreaterThanOrEqual(sentAt - 5_000);
        expect(s.timestamp.getTime(), s.id).toBeLessThanOrEqual(Date.now());
      }
      const toolNames = steps.flatMap((s) => (s.toolCalls ?? []).map((c) => c.toolName));
      expect(toolNames.length).toBeGreaterThan(0);
      for (const name of toolNames)
        expect(typeof name === "string" && name.length > 0, String(name)).toBe(true);
      expect(toolNames).toContain("addOperator");
      // tool results read as the chat shows them: output || result (AC:380-386)
      for (const s of steps) for (const r of s.toolResults ?? []) expect(typeof r.output).toBe("string");
      const agentTokens = steps.filter((s) => s.role === "agent").map((s) => s.usage?.totalTokens ?? 0);
      expect(agentTokens.every((n) => n > 0)).toBe(true);
      // HEAD is the last step, and the chat shows the whole conversation
      expect(view.headId).toBe(steps.at(-1)!.id);
      expect(client.visibleSteps(agentId).map((s) => s.id)).toEqual(steps.map((s) => s.id));

      // the canvas holds what the service saved
      const saved = await (
        await fetch(`${sys.url}/api/agents/${agentId}/workflow`, {
          headers: { authorization: `Bearer ${client.accessToken}` },
        })
      ).json();
      expect(view.wsWorkflowActive).toBe(true);
      expect(view.workflow?.content).toEqual(saved);
      expect((saved as { operators: unknown[] }).operators.length).toBeGreaterThan(0);

      // the same steps over REST, merged the same way
      const rest = await client.getReActSteps(agentId);
      expect(rest.map((s) => [s.id, s.role, s.isEnd])).toEqual(steps.map((s) => [s.id, s.role, s.isEnd]));

      // results keyed by operator id, for the canvas annotations
      await client.fetchOperatorResults(agentId);
      const executed = steps.some((s) => (s.toolCalls ?? []).some((c) => c.toolName === "executeWorkflow"));
      if (executed) {
        expect(client.operatorResultSummaries.size).toBeGreaterThan(0);
        for (const [, r] of client.operatorResultSummaries) expect(typeof r.outputTuples).toBe("number");
      }
      // steps that touched an operator are found by it
      const added = steps.flatMap((s) =>
        [...(s.operatorAccess?.values() ?? [])].flatMap((a) => a.addedOperatorIds),
      );
      expect(added.length).toBeGreaterThan(0);
      expect((await client.getStepsByOperatorIds(agentId, [added[0]!])).steps.length).toBeGreaterThan(0);
    });

    it("shows the agent's settings, system info and operator types; saves a change", async () => {
      const settings = await client.getAgentSettings(agentId);
      expect(settings).toMatchObject({ operatorResultSerializationMode: "tsv", allowedOperatorTypes: [] });
      expect(typeof settings.toolTimeoutSeconds).toBe("number");
      expect(typeof settings.executionTimeoutMinutes).toBe("number");
      const saved = await client.updateAgentSettings(agentId, { maxSteps: 8, toolTimeoutSeconds: 45 });
      expect(saved).toMatchObject({ maxSteps: 8, toolTimeoutSeconds: 45 });
      expect(client.agents.get(agentId)?.settings?.maxSteps).toBe(8);
      const info = await client.getSystemInfo(agentId);
      expect(info.systemPrompt).not.toBe("Unable to retrieve system prompt");
      expect(info.tools.map((t) => t.name)).toContain("addOperator");
      expect(info.tools.every((t) => t.enabled)).toBe(true);
      const types = await client.getAvailableOperatorTypes(agentId);
      expect(types.map((t) => t.type)).toContain("CSVFileScan");
      // a bad value: the notification carries the service's words (AS:1218-1221)
      await expect(client.updateAgentSettings(agentId, { maxSteps: 0 })).rejects.toThrow(/maxSteps/);
      expect(client.notifications.at(-1)?.text).toMatch(/maxSteps/);
      client.notifications.length = 0;
    });

    it("checkout moves HEAD back, restores the canvas, and the next message branches from there", async () => {
      const view = client.views.get(agentId)!;
      const before = view.steps;
      const first = before[0]!;
      const headChanges = () => view.frames.filter((f) => f.type === "headChange").length;
      const seen = headChanges();
      const answer = await client.checkoutStep(agentId, first.id);
      expect(answer).toEqual({ status: "checked out", headId: first.id });
      await until(() => headChanges() > seen, "headChange");
      expect(view.headId).toBe(first.id);
      expect(client.visibleSteps(agentId).map((s) => s.id)).toEqual([first.id]);
      expect(view.steps.map((s) => s.id)).toEqual(before.map((s) => s.id)); // every branch kept
      expect((view.workflow!.content as { operators: unknown[] }).operators).toEqual([]); // as after that step

      const completes = () => view.frames.filter((f) => f.type === "complete").length;
      const done = completes();
      client.sendMessage(agentId, "Now something else");
      await until(() => completes() > done, "the second run");
      const branch = view.steps.filter((s) => !before.some((b) => b.id === s.id));
      expect(branch[0]).toMatchObject({ role: "user", parentId: first.id, content: "Now something else" });
      const visible = client.visibleSteps(agentId).map((s) => s.id);
      expect(visible[0]).toBe(first.id);
      expect(visible.slice(1)).toEqual(branch.map((s) => s.id));
      expect(client.unknownFrameTypes).toEqual([]);
    });

    it("shows a failed model call with its text", async () => {
      const view = client.views.get(agentId)!;
      const completes = () => view.frames.filter((f) => f.type === "complete").length;
      const done = completes();
      const fault = await fetch(`${sys.services.llmSim}/sim/faults/${DEMO_MODEL}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${sys.masterKey}`, "content-type": "application/json" },
        body: JSON.stringify({ error: 400 }),
      });
      expect(fault.status).toBe(200);
      try {
        client.sendMessage(agentId, "this one fails");
        await until(() => completes() > done, "the failed run", 30_000);
      } finally {
        await fetch(`${sys.services.llmSim}/sim/faults/${DEMO_MODEL}`, {
          method: "DELETE",
          headers: { authorization: `Bearer ${sys.masterKey}` },
        });
      }
      // Texera's way: a last agent step "Error: …" (and here also a notification with the same text)
      const last = view.steps.at(-1)!;
      expect(last).toMatchObject({ role: "agent", isEnd: true });
      expect(last.content).toMatch(/^Error: .+/);
      const error = client.notifications.find((n) => n.level === "error");
      expect(error?.text).toBeTruthy();
      expect(error?.text).not.toBe("Agent error occurred");
      expect(last.content).toBe(`Error: ${error!.text}`);
      expect(view.state).toBe(AgentState.AVAILABLE);
      client.notifications.length = 0;
    });

    it("an agent that is gone: the frontend forgets it with its warning; delete is confirmed", async () => {
      const other = await client.createAgent(DEMO_MODEL, "Temp");
      expect(await client.deleteAgent(other.id)).toBe(true);
      expect(client.agents.has(other.id)).toBe(false);
      expect((await client.getAllAgents()).map((a) => a.id)).toEqual([agentId]);
      // a tab still pointing at the deleted agent
      client.agents.set(other.id, other);
      await client.activateAgent(other.id);
      expect(client.agents.has(other.id)).toBe(false);
      expect(client.notifications).toEqual([
        { level: "warning", text: "Agent was removed (backend may have restarted)" },
      ]);
      client.notifications.length = 0;

      expect(await client.deleteAgent(agentId)).toBe(true);
      expect(await client.getAllAgents()).toEqual([]);
    });
  });
}
