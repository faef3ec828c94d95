import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { installErrorHandling } from "./errors.ts";
import { installProbes, LIVENESS_PATH, type ProbesOptions, READINESS_PATH } from "./probes.ts";

function app(options: ProbesOptions) {
  const a = Fastify({ return503OnClosing: false });
  installErrorHandling(a);
  installProbes(a, options);
  return a;
}

describe("installProbes", () => {
  it("is live and ready while every check passes", async () => {
    const a = app({ checks: { database: async () => [{ one: 1 }] } });
    expect((await a.inject(LIVENESS_PATH)).json()).toEqual({ status: "ok" });
    const ready = await a.inject(READINESS_PATH);
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ok" });
  });

  it("answers 503 naming each failed check, and stays live", async () => {
    let down = true;
    const a = app({
      checks: {
        database: async () => {
          if (down) throw new Error("connect ECONNREFUSED\n 127.0.0.1:1");
        },
        directory: () => (down ? "stale for 6 s" : undefined),
      },
    });
    const res = await a.inject(READINESS_PATH);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      error: "not ready: database: connect ECONNREFUSED 127.0.0.1:1; directory: stale for 6 s",
    });
    expect((await a.inject(LIVENESS_PATH)).statusCode).toBe(200);
    down = false;
    expect((await a.inject(READINESS_PATH)).statusCode).toBe(200);
  });

  it("fails a check that does not answer in time", async () => {
    const a = app({ checks: { database: () => new Promise(() => {}) }, timeoutMs: 50 });
    const t0 = performance.now();
    const res = await a.inject(READINESS_PATH);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe("not ready: database: no answer within 50 ms");
  });

  it("is not ready once the app is closing", async () => {
    let release!: () => void;
    const a = app({ checks: {} });
    a.addHook("preClose", () => new Promise<void>((resolve) => (release = resolve)));
    const url = await a.listen({ host: "127.0.0.1", port: 0 });
    expect((await fetch(`${url}${READINESS_PATH}`)).status).toBe(200);
    const closing = a.close();
    await new Promise((r) => setImmediate(r));
    const res = await fetch(`${url}${READINESS_PATH}`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "not ready: shutting down" });
    expect((await fetch(`${url}${LIVENESS_PATH}`)).status).toBe(200);
    release();
    await closing;
  });

  it("is not ready once marked as shutting down, while other routes still answer", async () => {
    const a = Fastify();
    installErrorHandling(a);
    const probes = installProbes(a, { checks: {} });
    a.get("/work", async () => ({ ok: true }));
    probes.markShuttingDown();
    expect((await a.inject(READINESS_PATH)).json()).toEqual({ error: "not ready: shutting down" });
    expect((await a.inject("/work")).statusCode).toBe(200);
  });

  it("refuses a bad timeout when installed", () => {
    expect(() => app({ checks: {}, timeoutMs: 0 })).toThrow(TypeError);
  });
});
