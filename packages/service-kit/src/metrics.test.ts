import { createSigner, createVerifier } from "@texera-agent/auth";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { installAuthHook } from "./auth-hook.ts";
import { installErrorHandling } from "./errors.ts";
import { installMetrics, type MetricsOptions } from "./metrics.ts";

const secret = "service-kit-metrics-secret-0123456789abcdef";

function app(options: MetricsOptions = {}) {
  const a = Fastify();
  installErrorHandling(a);
  installMetrics(a, options);
  installAuthHook(a, { verify: createVerifier({ secret }) });
  a.get("/api/things/:id", async (req) => ({ id: (req.params as { id: string }).id }));
  a.get("/open/:name", { config: { auth: "open" } }, async () => ({ ok: true }));
  return a;
}

/** The value of one series in the exposition text, or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("installMetrics", () => {
  it("counts requests by route template, method and status, with durations", async () => {
    const a = app();
    const token = createSigner({ secret, expiresInMinutes: 5 })({
      userName: "u",
      userId: 7,
      role: "REGULAR",
    });
    for (const id of ["a1", "b2", "c3"]) {
      await a.inject({ url: `/api/things/${id}`, headers: { authorization: `Bearer ${token.token}` } });
    }
    await a.inject("/api/things/zz"); // 401
    await a.inject(`/open/x?access-token=${token.token}`);
    await a.inject("/no/such/route/secret-id-42");
    const res = await a.inject("/metrics");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(value(text, 'http_requests_total{route="/api/things/:id",method="GET",status="200"}')).toBe(3);
    expect(value(text, 'http_requests_total{route="/api/things/:id",method="GET",status="401"}')).toBe(1);
    expect(value(text, 'http_requests_total{route="/open/:name",method="GET",status="200"}')).toBe(1);
    expect(value(text, 'http_requests_total{route="unmatched",method="GET",status="404"}')).toBe(1);
    expect(
      value(text, 'http_request_duration_seconds_count{route="/api/things/:id",method="GET",status="200"}'),
    ).toBe(3);
    // process metrics beside the app's
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    // no id, token or raw URL in any label
    for (const secretish of ["a1", "b2", "c3", "zz", "secret-id-42", token.token, "access-token"]) {
      expect(text).not.toContain(`"${secretish}`);
      expect(text).not.toContain(secretish.length > 8 ? secretish : `/${secretish}`);
    }
    await a.close();
  });

  it("keeps a registry per app: two apps count apart", async () => {
    const a = app({ processMetrics: false });
    const b = app({ processMetrics: false });
    await a.inject("/open/1");
    await a.inject("/open/2");
    await b.inject("/open/1");
    const route = 'http_requests_total{route="/open/:name",method="GET",status="200"}';
    expect(value((await a.inject("/metrics")).body, route)).toBe(2);
    const bText = (await b.inject("/metrics")).body;
    expect(value(bText, route)).toBe(1);
    expect(bText).not.toContain("process_cpu");
  });

  it("needs the metrics token when one is configured", async () => {
    const a = app({ token: "metrics-token-0123456789" });
    const none = await a.inject("/metrics");
    expect(none.statusCode).toBe(401);
    expect(none.headers["www-authenticate"]).toBe("Bearer");
    expect(none.json().error).toMatch(/metrics token/);
    const wrong = await a.inject({ url: "/metrics", headers: { authorization: "Bearer metrics-token-x" } });
    expect(wrong.statusCode).toBe(401);
    const ok = await a.inject({
      url: "/metrics",
      headers: { authorization: "bearer metrics-token-0123456789" },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("http_requests_total");
    expect(() => app({ token: "short" })).toThrow(TypeError);
  });
});
