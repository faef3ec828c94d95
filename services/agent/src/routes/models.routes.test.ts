import { afterEach, describe, expect, it } from "vitest";
import { type Harness, MASTER_KEY, startHarness } from "../testing/harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close().catch(() => {});
  h = undefined;
});

const models = (harness: Harness) =>
  harness.app.inject({ url: "/api/agents/models", headers: harness.auth(harness.tokens.owner) });

describe("GET /api/agents/models", () => {
  it("answers LiteLLM's list in OpenAI's shape, with the master key sent upstream only", async () => {
    h = await startHarness({ sim: { models: ["m-one", "m-two"] } });
    const res = await models(h);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      object: "list",
      data: [
        { id: "m-one", object: "model", created: expect.any(Number), owned_by: expect.any(String) },
        { id: "m-two", object: "model", created: expect.any(Number), owned_by: expect.any(String) },
      ],
    });
    expect(res.body).not.toContain(MASTER_KEY);
    expect(h.sim.counters.unauthorized).toBe(0);
  });

  it("keeps a list for MODELS_CACHE_SECONDS through an outage, then answers 502 naming LiteLLM", async () => {
    let clock = Date.parse("2030-01-01T00:00:00Z");
    h = await startHarness({ modelsCacheSeconds: 10, now: () => new Date(clock) });
    expect((await models(h)).statusCode).toBe(200);
    const before = h.sim.counters.requests;
    expect((await models(h)).statusCode).toBe(200);
    expect(h.sim.counters.requests).toBe(before); // served from the cache
    const url = h.sim.url;
    await h.sim.close();
    clock += 9_000;
    expect((await models(h)).statusCode).toBe(200); // LiteLLM is down, the picker is not blank
    clock += 2_000;
    const res = await models(h);
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toMatch(/^LiteLLM is unreachable: .*ECONNREFUSED/);
    // a REGULAR user is not told where LiteLLM runs; an ADMIN is
    expect(res.body).not.toContain(new URL(url).port);
    const admin = await h.app.inject({ url: "/api/agents/models", headers: h.auth(h.tokens.admin) });
    expect(admin.statusCode).toBe(502);
    expect(admin.json().error).toMatch(new RegExp(`^LiteLLM is unreachable at ${url}: .*ECONNREFUSED`));
  });

  it("names a rejected master key, without the key", async () => {
    h = await startHarness({ serviceKey: "sk-wrong-key-0123456789abcdef" });
    const res = await models(h);
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toMatch(/rejected agent-service's master key \(HTTP 401\).*LITELLM_MASTER_KEY/);
    expect(res.body).not.toContain("sk-wrong-key-0123456789abcdef");
    expect(h.logs.join("\n")).not.toContain("sk-wrong-key-0123456789abcdef");
  });
});
