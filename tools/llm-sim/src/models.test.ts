import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LlmSim } from "./server.ts";
import { client, KEY, startTestSim } from "./test-helpers.ts";

let sim: LlmSim;
beforeAll(async () => {
  sim = await startTestSim({ models: ["alpha", "beta-2", "gpt-4o-mini"] });
});
afterAll(() => sim.close());

describe("models", () => {
  it.each(["/models", "/v1/models"])("lists the configured models on %s", async (path) => {
    const res = await fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.object).toBe("list");
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(["alpha", "beta-2", "gpt-4o-mini"]);
    for (const m of body.data) {
      expect(m).toEqual({ id: m.id, object: "model", created: expect.any(Number), owned_by: "openai" });
    }
  });

  it("works with the OpenAI SDK's list and retrieve", async () => {
    const ids: string[] = [];
    for await (const m of client(sim).models.list()) ids.push(m.id);
    expect(ids).toEqual(["alpha", "beta-2", "gpt-4o-mini"]);
    expect((await client(sim).models.retrieve("beta-2")).id).toBe("beta-2");
    await expect(client(sim).models.retrieve("gamma")).rejects.toMatchObject({ status: 404 });
  });

  it("refuses bad model options at start", async () => {
    await expect(startTestSim({ models: [] })).rejects.toThrow(TypeError);
    await expect(startTestSim({ models: ["a~b"] })).rejects.toThrow(/bad model name/);
    await expect(startTestSim({ masterKey: "" })).rejects.toThrow(/masterKey/);
  });
});
