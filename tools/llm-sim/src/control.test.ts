import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LlmSim } from "./server.ts";
import { KEY, post, startTestSim, user } from "./test-helpers.ts";

let sim: LlmSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.close());

const call = (path: string, method: string, body?: unknown) =>
  fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("/sim control routes", () => {
  it("sets faults and scenarios, reads counters and requests, resets", async () => {
    expect((await call("/sim/faults/sim-small", "PUT", { error: 503 })).status).toBe(200);
    expect((await post(sim, "/chat/completions", { model: "sim-small", messages: [user("x")] })).status).toBe(
      503,
    );
    expect((await call("/sim/faults/sim-small", "DELETE")).status).toBe(200);
    expect((await call("/sim/scenario", "PUT", { rules: [{ reply: { content: "fixed" } }] })).status).toBe(
      200,
    );
    const ok = await post(sim, "/chat/completions", { model: "sim-small", messages: [user("x")], user: "9" });
    expect((await ok.json()).choices[0].message.content).toBe("fixed");

    const counters = await (await call("/sim/counters", "GET")).json();
    expect(counters).toMatchObject({ chatRequests: 2, errors: 1, completed: 1 });
    const requests = await (await call("/sim/requests", "GET")).json();
    expect(requests.map((r: { status: number; user?: string }) => [r.status, r.user])).toEqual([
      [503, undefined],
      [200, "9"],
    ]);
    expect((await call("/sim/reset", "POST")).status).toBe(200);
    expect(sim.counters.chatRequests).toBe(0);
    expect(sim.requests).toEqual([]);
  });

  it("answers bad control bodies with 400", async () => {
    const fault = await call("/sim/faults/sim-small", "PUT", { latencyMs: "slow" });
    expect(fault.status).toBe(400);
    expect((await fault.json()).error.message).toMatch(/latencyMs/);
    expect((await call("/sim/faults/ghost", "PUT", {})).status).toBe(400);
    expect((await call("/sim/scenario", "PUT", { rules: [{}] })).status).toBe(400);
    expect((await call("/sim/nothing", "GET")).status).toBe(404);
  });
});
