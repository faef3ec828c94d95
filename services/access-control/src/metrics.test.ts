import { createServer } from "node:net";
import { openDatabase } from "@texera-agent/db";
import { installErrorHandling, installProbes } from "@texera-agent/service-kit";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessControlSchema } from "./schema.ts";
import { type AccessControl, databaseAnswers } from "./service.ts";
import { mint, PASSWORD, startTestService, subrequest } from "./test-support.ts";

/** The value of one series in the exposition text (0 when absent). */
function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
const outcome = (o: string) => `authorize_decisions_total{outcome="${o}"}`;

describe("metrics and probes of access-control", () => {
  let service: AccessControl;
  let userId: number;

  beforeAll(async () => {
    service = await startTestService();
    userId = (await service.users.create({ name: "ann", password: PASSWORD, role: "REGULAR" })).id;
    await service.users.create({ name: "ina", password: PASSWORD, role: "INACTIVE" });
  });
  afterAll(() => service.close());

  it("counts authorize decisions by outcome, with no token or id in any label", async () => {
    const { app } = service;
    const before = (await app.inject("/metrics")).body;
    const good = mint("REGULAR", { userId, name: "ann" });
    const restricted = mint("RESTRICTED", { userId: 4242, name: "rita" });
    const answers = await Promise.all([
      app.inject(subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${good}` })),
      app.inject(subrequest("envoy", "POST", `/api/agents/5f0c1d2e?access-token=${good}`)),
      app.inject(subrequest("envoy", "GET", "/api/agents/5f0c1d2e/react")),
      app.inject(subrequest("nginx", "GET", "/api/agents", { authorization: "Bearer not.a.token" })),
      app.inject(subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${restricted}` })),
      app.inject(subrequest("nginx", "GET", "/api/secret-admin-thing")),
      app.inject(subrequest("envoy", "GET", "/api/agents/../auth/users")),
      app.inject({ url: "/api/auth/api/agents/%E0%A4%A" }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 401, 401, 403, 403, 403, 403]);
    const res = await app.inject("/metrics");
    expect(res.statusCode).toBe(200);
    const text = res.body;
    const delta = (o: string) => value(text, outcome(o)) - value(before, outcome(o));
    expect(delta("allow")).toBe(2);
    expect(delta("unauthenticated")).toBe(2);
    expect(delta("forbidden")).toBe(1);
    expect(delta("other_path")).toBe(3);
    // requests by route template: both subrequest routes, the raw original URIs never
    expect(value(text, 'http_requests_total{route="/api/auth",method="GET",status="200"}')).toBeGreaterThan(
      0,
    );
    expect(value(text, 'http_requests_total{route="/api/auth/*",method="POST",status="200"}')).toBe(1);
    for (const leak of [good, restricted, "5f0c1d2e", "secret-admin-thing", "access-token", "not.a.token"]) {
      expect(text).not.toContain(leak);
    }
  });

  it("is live and ready while the database answers; /api/healthcheck is unchanged", async () => {
    const { app } = service;
    expect((await app.inject("/api/healthcheck/live")).json()).toEqual({ status: "ok" });
    expect((await app.inject("/api/healthcheck/ready")).json()).toEqual({ status: "ok" });
    expect((await app.inject("/api/healthcheck")).json()).toEqual({ status: "ok" });
  });

  it("is not ready once its SQLite database is closed, and stays live", async () => {
    const own = await startTestService();
    try {
      expect((await own.app.inject("/api/healthcheck/ready")).statusCode).toBe(200);
      await own.database.close();
      const res = await own.app.inject("/api/healthcheck/ready");
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toMatch(/^not ready: database: /);
      expect((await own.app.inject("/api/healthcheck/live")).statusCode).toBe(200);
    } finally {
      own.directory.stop();
      await own.app.close();
    }
  });

  it("is not ready while PostgreSQL cannot be reached", async () => {
    const port = await closedPort();
    const database = openDatabase<AccessControlSchema>({
      url: `postgres://nobody:not-the-password@127.0.0.1:${port}/none`,
      dataDir: "/nonexistent",
      fileName: "unused.sqlite",
    });
    const app = Fastify();
    installErrorHandling(app);
    installProbes(app, { checks: { database: databaseAnswers(database.db) }, timeoutMs: 1_000 });
    try {
      const res = await app.inject("/api/healthcheck/ready");
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toMatch(/^not ready: database: .*ECONNREFUSED/);
      expect(res.json().error).not.toContain("not-the-password");
    } finally {
      await app.close();
      await database.close();
    }
  });

  it("drains: once shutting down, readiness is 503 while authorize and sign-in still answer", async () => {
    const own = await startTestService();
    try {
      const user = await own.users.create({ name: "dora", password: PASSWORD, role: "REGULAR" });
      own.app.probes.markShuttingDown();
      const ready = await own.app.inject("/api/healthcheck/ready");
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ error: "not ready: shutting down" });
      const token = mint("REGULAR", { userId: user.id, name: "dora" });
      const auth = await own.app.inject(
        subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${token}` }),
      );
      expect(auth.statusCode).toBe(200);
      expect(auth.headers["x-user-name"]).toBe("dora");
      expect((await own.app.inject("/api/healthcheck/live")).statusCode).toBe(200);
    } finally {
      await own.close();
    }
  });

  it("guards /metrics with METRICS_TOKEN when set", async () => {
    const own = await startTestService({ config: { metricsToken: "a-metrics-token-0123456789" } });
    try {
      expect((await own.app.inject("/metrics")).statusCode).toBe(401);
      const ok = await own.app.inject({
        url: "/metrics",
        headers: { authorization: "Bearer a-metrics-token-0123456789" },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('authorize_decisions_total{outcome="allow"} 0');
    } finally {
      await own.close();
    }
  });
});

/** A loopback port with nothing listening on it. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
