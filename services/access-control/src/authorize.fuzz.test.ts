import { USER_HEADERS } from "@texera-agent/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTHORIZE_METHODS } from "./authorize.routes.ts";
import type { AccessControl } from "./service.ts";
import { mint, startTestService } from "./test-support.ts";

let service: AccessControl;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const VALID = mint("REGULAR", { userId: 5, name: "fuzz" });

// What a proxy could put in a header value: visible ASCII and Latin-1, no control characters.
const headerText = fc
  .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })), {
    maxLength: 80,
  })
  .map((codes) => String.fromCharCode(...codes).trim());

const pathPiece = fc.oneof(
  fc.constantFrom("/api/agents", "/api/agents/", "/api/", "/", "", "..", ".", "%2e", "%2F", "%", "%zz", "//"),
  fc.constantFrom("\\", "?", "#", "&", "=", "access-token=", ";", "%00", "%25", "é", "李", " ", "*", "api"),
  fc.stringMatching(/^[A-Za-z0-9._~-]{0,12}$/),
  fc.string({ maxLength: 6 }),
);
const AGENT_URIS = ["/api/agents", "/api/agents/x/react", "/api/agents?a=b"];
const originalUri = fc.oneof(
  { weight: 3, arbitrary: fc.array(pathPiece, { maxLength: 8 }).map((parts) => parts.join("")) },
  { weight: 2, arbitrary: fc.constantFrom(...AGENT_URIS) },
);

const token = fc.oneof(
  fc.constant(VALID),
  fc.constant(`${VALID}x`),
  fc.constant(VALID.replace(/\.[^.]*$/, ".AAAA")),
  fc.stringMatching(/^[A-Za-z0-9_.-]{0,60}$/),
  headerText,
);

const authorization = fc.option(
  fc.oneof(
    token.map((t) => `Bearer ${t}`),
    token.map((t) => `bearer   ${t}`),
    fc.constantFrom("Bearer", "Bearer ", "Basic abc", "bearer a b c"),
    headerText,
  ),
  { nil: undefined },
);

const subrequest = fc.record({
  style: fc.constantFrom("nginx", "envoy", "bare"),
  method: fc.constantFrom(...AUTHORIZE_METHODS),
  uri: originalUri,
  queryToken: fc.option(token, { nil: undefined }),
  authorization,
  originalMethod: fc.option(headerText, { nil: undefined }),
  contentType: fc.option(headerText, { nil: undefined }),
  body: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
});

describe("authorize under fuzzing", () => {
  it("answers only 200, 401 or 403, and x-user-* only with 200 for a valid token", async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(subrequest, async (s) => {
        const uri =
          s.queryToken === undefined
            ? s.uri
            : `${s.uri}${s.uri.includes("?") ? "&" : "?"}access-token=${encodeURIComponent(s.queryToken)}`;
        const headers: Record<string, string> = {};
        if (s.authorization !== undefined) headers.authorization = s.authorization;
        if (s.contentType) headers["content-type"] = s.contentType;
        if (s.style === "nginx") {
          headers["x-original-uri"] = uri;
          if (s.originalMethod) headers["x-original-method"] = s.originalMethod;
        }
        // Envoy appends the original path as sent: only bytes no request line may hold are escaped
        const target = (uri.startsWith("/") ? uri : `/${uri}`).replace(/[^\x21-\x7e]/g, encodeURIComponent);
        const url = s.style === "envoy" ? `/api/auth${target}` : "/api/auth";
        const withBody = s.body !== undefined && s.method !== "GET" && s.method !== "HEAD";
        const response = await service.app.inject({
          method: s.method,
          url,
          headers,
          ...(withBody ? { payload: s.body } : {}),
        });
        // inject resolves dot segments (a real socket does not, see authorize.socket.test.ts): a target
        // resolved out of /api/auth is no subrequest any more, and gets the ordinary 4xx of other paths
        if (!new URL(url, "http://x").pathname.startsWith("/api/auth")) {
          expect(response.statusCode).toBeGreaterThanOrEqual(400);
          expect(response.statusCode).toBeLessThan(500);
          return;
        }
        expect([200, 401, 403]).toContain(response.statusCode);
        seen.add(`${s.style} ${response.statusCode}`);
        const ok = response.statusCode === 200;
        for (const name of USER_HEADERS) expect(name in response.headers).toBe(ok);
        if (ok) {
          expect(response.headers["x-user-name"]).toBe("fuzz");
          const used = [s.authorization, s.queryToken].some((t) => t?.includes(VALID));
          expect(used).toBe(true);
        }
        // and the plain good case is always let through, whatever else the subrequest carries
        const validToken =
          s.authorization === `Bearer ${VALID}` || (s.authorization === undefined && s.queryToken === VALID);
        if (s.style !== "bare" && AGENT_URIS.includes(s.uri) && validToken)
          expect(response.statusCode).toBe(200);
        if (s.style === "bare") expect(response.statusCode).toBe(403);
        if (response.statusCode === 401) expect(response.headers["www-authenticate"]).toBe("Bearer");
      }),
      { numRuns: 600 },
    );
    // the generators reach every answer in both gateway styles, so the property is not vacuous
    for (const style of ["nginx", "envoy"]) {
      for (const status of [200, 401, 403]) expect(seen).toContain(`${style} ${status}`);
    }
  });
});
