import { emptyWorkflow } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, MASTER_KEY, startHarness, USERS } from "../testing/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const call = (
  method: "GET" | "POST" | "PATCH" | "DELETE",
  url: string,
  payload?: object,
  token = h.tokens.owner,
) => h.app.inject({ method, url, headers: h.auth(token), ...(payload ? { payload } : {}) });

describe("agents", () => {
  it("creates an agent with default settings, bound to its creator", async () => {
    const res = await call("POST", "/api/agents", { modelType: "sim-large", name: "  My agent " });
    expect(res.statusCode).toBe(200);
    const agent = res.json();
    expect(agent).toMatchObject({
      name: "My agent",
      ownerId: USERS.owner,
      modelType: "sim-large",
      state: "AVAILABLE",
      settings: { modelType: "sim-large", maxSteps: 10, disabledTools: [] },
    });
    // No temperature unless one is set: reasoning models refuse it (issue 15).
    expect(agent.settings).not.toHaveProperty("temperature");
    expect(agent.id).toMatch(/^[0-9a-f-]{36}$/);
    // Texera's GET adds the workflow and the step count (server.ts:277-284); this service adds HEAD
    expect((await call("GET", `/api/agents/${agent.id}`)).json()).toEqual({
      ...agent,
      workflow: emptyWorkflow(),
      stepCount: 0,
      headId: "step-initial",
    });
    expect((await call("GET", `/api/agents/${agent.id.toUpperCase()}`)).statusCode).toBe(200);
  });

  it("refuses bad bodies with a 400 that says what is wrong", async () => {
    const cases: [object, RegExp][] = [
      [{}, /modelType/],
      [{ modelType: "sim-small", extra: 1 }, /additional/],
      [{ modelType: "sim-small", settings: { maxSteps: 0 } }, /maxSteps/],
      [{ modelType: "sim-small", settings: { modelType: "x" } }, /additional/],
      [{ modelType: "no-such-model" }, /no model "no-such-model".*sim-small/],
      [{ modelType: "sim-small", settings: { disabledTools: ["nope"] } }, /unknown tools: nope/],
    ];
    for (const [body, message] of cases) {
      const res = await call("POST", "/api/agents", body);
      expect({ body, status: res.statusCode }).toEqual({ body, status: 400 });
      expect(res.json().error).toMatch(message);
    }
    const notJson = await h.app.inject({
      method: "POST",
      url: "/api/agents",
      headers: { ...h.auth(h.tokens.owner), "content-type": "application/json" },
      payload: "{nope",
    });
    expect(notJson.statusCode).toBe(400);
  });

  it("lists the caller's own agents; ADMIN lists everyone's with all=true", async () => {
    const mine = await h.createAgent(h.tokens.owner);
    const theirs = await h.createAgent(h.tokens.other);
    const ids = (token: string, query = "") =>
      call("GET", `/api/agents${query}`, undefined, token).then((r) =>
        r.json().agents.map((a: { id: string }) => a.id),
      );
    expect(await ids(h.tokens.owner)).toContain(mine);
    expect(await ids(h.tokens.owner)).not.toContain(theirs);
    expect(await ids(h.tokens.other)).toEqual([theirs]);
    const all = await ids(h.tokens.admin, "?all=true");
    expect(all).toEqual(expect.arrayContaining([mine, theirs]));
    expect(await ids(h.tokens.admin)).toEqual([]);
    const refused = await call("GET", "/api/agents?all=true", undefined, h.tokens.owner);
    expect(refused.statusCode).toBe(403);
    expect((await call("GET", "/api/agents?all=maybe")).statusCode).toBe(400);
    // ADMIN still cannot open another user's agent
    expect((await call("GET", `/api/agents/${mine}`, undefined, h.tokens.admin)).statusCode).toBe(404);
  });

  it("patches settings and applies them", async () => {
    const id = await h.createAgent();
    const res = await call("PATCH", `/api/agents/${id}/settings`, {
      modelType: "sim-large",
      maxSteps: 3,
      systemPrompt: "Be brief.",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      modelType: "sim-large",
      maxSteps: 3,
      systemPrompt: "Be brief.",
    });
    expect((await call("GET", `/api/agents/${id}/settings`)).json()).toEqual(res.json());
    expect((await call("GET", `/api/agents/${id}`)).json().modelType).toBe("sim-large");
    expect((await call("PATCH", `/api/agents/${id}/settings`, { temperature: 3 })).statusCode).toBe(400);
    expect((await call("PATCH", `/api/agents/${id}/settings`, { maxStep: 3 })).statusCode).toBe(400);
    expect((await call("PATCH", `/api/agents/${id}/settings`, { modelType: "gpt-nope" })).statusCode).toBe(
      400,
    );
    const cleared = await call("PATCH", `/api/agents/${id}/settings`, { systemPrompt: "" });
    expect(cleared.json().systemPrompt).toBeUndefined();
  });

  it("accepts any model name while LiteLLM cannot be asked", async () => {
    const local = await startHarness({ modelsCacheSeconds: 0 });
    try {
      await local.sim.close();
      const res = await local.app.inject({
        method: "POST",
        url: "/api/agents",
        headers: local.auth(local.tokens.owner),
        payload: { modelType: "whatever-model" },
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await local.close();
    }
  });

  it("never shows the master key", async () => {
    const id = await h.createAgent();
    for (const url of [
      "/api/agents",
      `/api/agents/${id}`,
      `/api/agents/${id}/settings`,
      "/api/agents/models",
    ]) {
      expect((await call("GET", url)).body).not.toContain(MASTER_KEY);
    }
    expect(h.logs.join("\n")).not.toContain(MASTER_KEY);
    expect(h.logs.join("\n")).not.toContain(h.tokens.owner);
  });
});
