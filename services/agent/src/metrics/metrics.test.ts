import { stepKind } from "@texera-agent/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { createRepositories } from "../repositories/index.ts";
import { STOPPED_BY_SHUTDOWN } from "../services/runs.service.ts";
import { eventually, FrameClient, type Harness, startHarness } from "../testing/harness.ts";

/** The value of one series in the exposition text (0 when absent). */
function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("agent-service metrics", () => {
  it("exposes requests, runs, sockets and LLM latency and tokens by model, with no id or token in a label", async () => {
    h = await startHarness({ sim: { faults: { "sim-small": { tokensPerSecond: 200 } } } });
    await h.listen();
    const id = await h.createAgent();
    const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
    await c.next("init");
    c.send({ type: "message", content: "tokens: 40" });
    await c.next("delta");
    const during = await h.app.metrics.text();
    expect(value(during, "agent_runs_in_progress")).toBe(1);
    expect(value(during, "websocket_connections")).toBe(1);
    await c.next("complete");
    await h.app.inject({ url: `/api/agents/${id}`, headers: h.auth(h.tokens.owner) });

    const res = await h.app.inject("/metrics");
    expect(res.statusCode).toBe(200);
    const text = res.body;
    expect(value(text, "agent_runs_in_progress")).toBe(0);
    expect(value(text, "websocket_connections")).toBe(1);
    expect(value(text, 'agent_runs_total{reason="done"}')).toBe(1);
    expect(value(text, 'llm_requests_total{model="sim-small",outcome="ok"}')).toBe(1);
    expect(value(text, 'llm_request_duration_seconds_count{model="sim-small"}')).toBe(1);
    expect(value(text, 'llm_time_to_first_token_seconds_count{model="sim-small"}')).toBe(1);
    const ttft = value(text, 'llm_time_to_first_token_seconds_sum{model="sim-small"}');
    const total = value(text, 'llm_request_duration_seconds_sum{model="sim-small"}');
    expect(ttft).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(ttft); // 40 tokens at 200/s take about 0.2 s after the first
    expect(value(text, 'llm_tokens_total{model="sim-small",kind="completion"}')).toBe(40);
    expect(value(text, 'llm_tokens_total{model="sim-small",kind="prompt"}')).toBeGreaterThan(0);
    expect(value(text, 'http_requests_total{route="/api/agents/:id",method="GET",status="200"}')).toBe(1);
    expect(value(text, 'http_requests_total{route="/api/agents",method="POST",status="200"}')).toBe(1);
    for (const leak of [id, h.tokens.owner, "access-token"]) expect(text).not.toContain(leak);
    await c.close();
    expect(value(await h.app.metrics.text(), "websocket_connections")).toBe(0);
  });

  it("is ready while the database answers, not once it is closed; liveness and /api/healthcheck stay", async () => {
    h = await startHarness();
    expect((await h.app.inject("/api/healthcheck/ready")).json()).toEqual({ status: "ok" });
    await h.database.close();
    const res = await h.app.inject("/api/healthcheck/ready");
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/^not ready: database: /);
    expect((await h.app.inject("/api/healthcheck/live")).json()).toEqual({ status: "ok" });
    expect((await h.app.inject("/api/healthcheck")).json()).toEqual({ status: "ok" });
  });
});

describe("agent-service shutdown", () => {
  it("ends runs with a system step, sends it, then closes sockets with 1001", async () => {
    h = await startHarness({ sim: { faults: { "sim-small": { tokensPerSecond: 20 } } } });
    await h.listen();
    const id = await h.createAgent();
    const running = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
    const idle = await FrameClient.open(h.wsUrl(`/api/agents/${await h.createAgent()}/react`));
    await running.next("init");
    await idle.next("init");
    running.send({ type: "message", content: "tokens: 300" });
    await running.next("delta");
    const closes = [running, idle].map(
      (c) =>
        new Promise<[number, string]>((resolve) =>
          c.ws.once("close", (code, reason) => resolve([code, reason.toString()])),
        ),
    );
    await h.app.close();
    expect(await Promise.all(closes)).toEqual([
      [1001, "agent-service is shutting down"],
      [1001, "agent-service is shutting down"],
    ]);
    // the run's end reached the socket before it closed
    const system = await running.next("step", (f) => stepKind(f.step) === "system", 0);
    expect(system.step.content).toBe(STOPPED_BY_SHUTDOWN);
    expect(await running.next("complete", () => true, 0)).toMatchObject({ reason: "stopped" });
    const saved = await createRepositories(h.database.sql).steps.list(id);
    expect(saved.map((s) => stepKind(s))).toEqual(["user", "system"]);
    await eventually(() => h!.sim.counters.aborted === 1, 2_000, "upstream abort");
    const text = await h.app.metrics.text();
    expect(value(text, 'agent_runs_total{reason="interrupted"}')).toBe(1);
    expect(value(text, 'llm_requests_total{model="sim-small",outcome="aborted"}')).toBe(1);
  });
});
