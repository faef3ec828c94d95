import type { Scenario } from "@texera-agent/llm-sim";
import { emptyWorkflow, PREVIEW_CHARS } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FrameClient, type Harness, startHarness } from "../testing/harness.ts";
import { addCsvRule } from "../testing/scenarios.ts";

// Issue 16, conversations: rename (PATCH /api/agents/:id), last activity and a preview in the list, and
// clearing the workflow (DELETE /api/agents/:id/workflow) beside clearing the chat.
const SCENARIO: Scenario = {
  rules: [
    addCsvRule(),
    { name: "after-tool", match: { afterToolResult: true }, reply: { content: "Added." } },
  ],
  fallback: { content: "{{lastUser}}" },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sim: { scenario: SCENARIO } });
  await h.listen();
});
afterAll(() => h.close());

const call = (method: "GET" | "PATCH" | "DELETE", url: string, payload?: object, token = h.tokens.owner) =>
  h.app.inject({ method, url, headers: h.auth(token), ...(payload ? { payload } : {}) });

async function chat(id: string, content: string) {
  const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
  await c.next("init");
  c.send({ type: "message", content });
  await c.next("complete");
  return c;
}

describe("conversations", () => {
  it("renames an agent; refuses a blank, long or unknown field with 400, another user's with 404", async () => {
    const id = await h.createAgent();
    const res = await call("PATCH", `/api/agents/${id}`, { name: "  Sales   by region " });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, name: "Sales by region" });
    expect((await call("GET", `/api/agents/${id}`)).json().name).toBe("Sales by region");

    const bad: [unknown, RegExp][] = [
      [{ name: "" }, /name/],
      [{ name: "   " }, /name/],
      [{ name: "x".repeat(121) }, /name/],
      [{ name: "ok", modelType: "sim-small" }, /additional/],
      [{}, /name/],
    ];
    for (const [body, message] of bad) {
      const refused = await call("PATCH", `/api/agents/${id}`, body as object);
      expect({ body, status: refused.statusCode }).toEqual({ body, status: 400 });
      expect(refused.json().error).toMatch(message);
    }
    expect((await call("PATCH", `/api/agents/${id}`, { name: "mine" }, h.tokens.other)).statusCode).toBe(404);
    expect((await call("GET", `/api/agents/${id}`)).json().name).toBe("Sales by region");
  });

  it("lists each agent's last activity and its latest message, clipped", async () => {
    const quiet = await h.createAgent();
    const busy = await h.createAgent();
    const long = `first line\n\n${"word ".repeat(60)}`;
    const before = Date.now();
    const c = await chat(busy, long);
    await c.close();
    const agents = (await call("GET", "/api/agents")).json().agents as Record<string, unknown>[];
    const idle = agents.find((a) => a.id === quiet)!;
    expect(idle).not.toHaveProperty("lastActivityAt");
    expect(idle).not.toHaveProperty("preview");
    const used = agents.find((a) => a.id === busy)!;
    expect(Date.parse(String(used.lastActivityAt))).toBeGreaterThanOrEqual(before - 1000);
    const preview = String(used.preview);
    expect(preview.startsWith("first line word word")).toBe(true);
    expect(preview.length).toBe(PREVIEW_CHARS);
    expect(preview.endsWith("…")).toBe(true);
  });

  it("clears the workflow and keeps the conversation; every socket gets the empty workflow", async () => {
    const id = await h.createAgent();
    const c = await chat(id, "please add a csv");
    try {
      const before = (await call("GET", `/api/agents/${id}/workflow`)).json();
      expect(before.operators).toHaveLength(1);
      const steps = (await call("GET", `/api/agents/${id}/react-steps`)).json().steps;

      const res = await call("DELETE", `/api/agents/${id}/workflow`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(emptyWorkflow());
      expect((await call("GET", `/api/agents/${id}/workflow`)).json()).toEqual(emptyWorkflow());
      const change = await c.next("headChange");
      expect(change.workflowContent).toEqual(emptyWorkflow());
      expect(change.headId).toBe(steps.at(-1).id); // HEAD stays
      expect((await call("GET", `/api/agents/${id}/react-steps`)).json().steps).toHaveLength(steps.length);

      // checking out the step that added the operator brings it back
      const added = steps.find(
        (s: { afterWorkflowContent?: { operators: unknown[] } }) => s.afterWorkflowContent?.operators.length,
      );
      await h.app.inject({
        method: "POST",
        url: `/api/agents/${id}/checkout`,
        headers: h.auth(h.tokens.owner),
        payload: { stepId: added.id },
      });
      expect((await call("GET", `/api/agents/${id}/workflow`)).json().operators).toHaveLength(1);
      expect((await call("DELETE", `/api/agents/${id}/workflow`, undefined, h.tokens.other)).statusCode).toBe(
        404,
      );
    } finally {
      await c.close();
    }
  });
});
