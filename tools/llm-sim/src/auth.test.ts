import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LlmSim } from "./server.ts";
import { client, KEY, post, startTestSim, user } from "./test-helpers.ts";

let sim: LlmSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.close());

describe("auth", () => {
  it("answers 401 with LiteLLM's body when no key is sent", async () => {
    const res = await fetch(`${sim.url}/chat/completions`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        message: "Authentication Error, No api key passed in.",
        type: "auth_error",
        param: "None",
        code: "401",
      },
    });
  });

  it("answers 401 for a wrong key without echoing it", async () => {
    const before = sim.counters.unauthorized;
    for (const path of [
      "/models",
      "/v1/models",
      "/chat/completions",
      "/v1/chat/completions",
      "/sim/counters",
    ]) {
      const res = await fetch(`${sim.url}${path}`, {
        method: path.includes("chat") ? "POST" : "GET",
        headers: { authorization: "Bearer sk-wrong-key-abcdef" },
      });
      expect(res.status, path).toBe(401);
      const text = await res.text();
      expect(text).not.toContain("sk-wrong");
      const body = JSON.parse(text);
      expect(body.error.type).toBe("auth_error");
      expect(body.error.code).toBe("401");
      expect(body.error.message).toMatch(/^Authentication Error, /);
    }
    expect(sim.counters.unauthorized - before).toBe(5);
  });

  it("refuses a key that only shares a prefix, and a non-Bearer scheme", async () => {
    for (const authorization of [`Bearer ${KEY}x`, `Bearer ${KEY.slice(0, -1)}`, `Basic ${KEY}`, KEY]) {
      const res = await fetch(`${sim.url}/models`, { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
  });

  it("surfaces as AuthenticationError in the OpenAI SDK", async () => {
    const bad = client(sim, { apiKey: "nope" });
    await expect(
      bad.chat.completions.create({ model: "sim-small", messages: [user("hi")] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(sim.requests.length).toBe(0);
  });

  it("leaves the health checks open", async () => {
    const health = await fetch(`${sim.url}/health`);
    expect(health.status).toBe(200);
    expect((await health.json()).healthy_count).toBe(2);
    const live = await fetch(`${sim.url}/health/liveliness`);
    expect(live.status).toBe(200);
    expect(await live.json()).toBe("I'm alive!");
  });

  it("answers unknown routes 404 and wrong methods 405 in FastAPI's shape", async () => {
    const nf = await fetch(`${sim.url}/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ detail: "Not Found" });
    const res = await fetch(`${sim.url}/chat/completions`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(405);
    const models = await post(sim, "/models", {});
    expect(models.status).toBe(405);
  });
});
