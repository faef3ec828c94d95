import type { Role } from "@texera-agent/auth";
import { USER_HEADERS } from "@texera-agent/protocol";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessControl } from "./service.ts";
import {
  type Method,
  mint,
  OTHER_SECRET,
  PASSWORD,
  type Style,
  startTestService,
  subrequest,
} from "./test-support.ts";

let service: AccessControl;
const ids: Partial<Record<Role, number>> = {};

beforeAll(async () => {
  service = await startTestService();
  for (const role of ["ADMIN", "REGULAR", "RESTRICTED", "INACTIVE"] as const) {
    const user = await service.users.create({
      name: `user-${role.toLowerCase()}`,
      password: PASSWORD,
      role,
      ...(role === "REGULAR" ? {} : { email: `${role.toLowerCase()}@example.org` }),
    });
    ids[role] = user.id;
  }
});
afterAll(() => service.close());

/** A token of a directory user, with the claims login would give it. */
const directoryToken = (role: Role, options: Parameters<typeof mint>[1] = {}) =>
  mint(role, {
    userId: ids[role]!,
    name: `user-${role.toLowerCase()}`,
    ...(role === "REGULAR" ? {} : { email: `${role.toLowerCase()}@example.org` }),
    ...options,
  });

type TokenKind = "none" | "malformed" | "wrong secret" | "expired" | Role;
const twoHoursAgo = () => new Date(Date.now() - 2 * 3600_000);
const TOKENS: Record<TokenKind, () => string | undefined> = {
  none: () => undefined,
  malformed: () => "not-a.jwt",
  "wrong secret": () => mint("ADMIN", { userId: ids.ADMIN!, name: "user-admin", secret: OTHER_SECRET }),
  expired: () => directoryToken("REGULAR", { now: twoHoursAgo }),
  INACTIVE: () => directoryToken("INACTIVE"),
  RESTRICTED: () => directoryToken("RESTRICTED"),
  REGULAR: () => directoryToken("REGULAR"),
  ADMIN: () => directoryToken("ADMIN"),
};
const EXPECTED: Record<TokenKind, 200 | 401 | 403> = {
  none: 401,
  malformed: 401,
  "wrong secret": 401,
  expired: 401,
  INACTIVE: 403,
  RESTRICTED: 403,
  REGULAR: 200,
  ADMIN: 200,
};

type Placement = "header" | "query";

function build(style: Style, method: Method, placement: Placement, token: string | undefined) {
  const path = "/api/agents/0b5e6f3a-5c2d-4a43-9d7e-1f2a3b4c5d6e/react";
  if (token === undefined) return subrequest(style, method, path);
  if (placement === "header") return subrequest(style, method, path, { authorization: `Bearer ${token}` });
  return subrequest(style, method, `${path}?x=1&access-token=${encodeURIComponent(token)}`);
}

const METHODS: Method[] = ["GET", "POST", "PATCH", "DELETE", "OPTIONS"];
const cases = METHODS.flatMap((method) =>
  (Object.keys(TOKENS) as TokenKind[]).flatMap((token) =>
    (["header", "query"] as const).flatMap((placement) =>
      (["nginx", "envoy"] as const).map((style) => ({ method, token, placement, style })),
    ),
  ),
);

describe("the authorize matrix", () => {
  it.each(cases)(
    "$style $method, $token token in the $placement",
    async ({ method, token, placement, style }) => {
      const response = await service.app.inject(build(style, method, placement, TOKENS[token]()));
      const status = EXPECTED[token];
      expect(response.statusCode).toBe(status);
      for (const name of USER_HEADERS) expect(name in response.headers).toBe(status === 200);
      if (status === 401) expect(response.headers["www-authenticate"]).toBe("Bearer");
      else expect(response.headers["www-authenticate"]).toBeUndefined();
      if (status === 200) {
        const role = token as Role;
        expect(response.headers["x-user-id"]).toBe(String(ids[role]));
        expect(response.headers["x-user-name"]).toBe(`user-${role.toLowerCase()}`);
        expect(response.headers["x-user-email"]).toBe(
          role === "REGULAR" ? "" : `${role.toLowerCase()}@example.org`,
        );
        expect(response.headers["x-user-role"]).toBe(role);
        expect(response.body).toBe("");
      } else {
        expect(response.json().error).toEqual(expect.any(String));
        expect(response.body.length).toBeLessThan(120);
      }
    },
  );
});

describe("authorize details", () => {
  const get = (opts: InjectOptions) => service.app.inject(opts);

  it.each(["PUT", "HEAD"] as const)("accepts %s like the other methods", async (method) => {
    for (const style of ["nginx", "envoy"] as const) {
      const ok = await get(build(style, method, "header", directoryToken("REGULAR")));
      expect(ok.statusCode).toBe(200);
      expect(ok.headers["x-user-role"]).toBe("REGULAR");
      expect((await get(build(style, method, "header", undefined))).statusCode).toBe(401);
    }
  });

  it("answers 403 for any original path that is not /api/agents or below, token or not", async () => {
    const paths = [
      "/",
      "/api",
      "/api/agent",
      "/api/agentsx",
      "/api/agents-x",
      "/api/healthcheck",
      "/api/auth/users",
    ];
    for (const path of [...paths, "/api/workflows/1", "/api/Agents", "/API/agents", "/api/agents;x"]) {
      for (const style of ["nginx", "envoy"] as const) {
        for (const token of [undefined, directoryToken("ADMIN")]) {
          const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
          const r = await get(subrequest(style, "GET", path, headers));
          expect({ style, path, status: r.statusCode }).toEqual({ style, path, status: 403 });
          expect(r.headers["x-user-id"]).toBeUndefined();
        }
      }
    }
  });

  it("treats exactly /api/agents, /api/agents/... and /api/agents?... as agents paths", async () => {
    const auth = { authorization: `Bearer ${directoryToken("REGULAR")}` };
    for (const path of [
      "/api/agents",
      "/api/agents/",
      "/api/agents?x=1",
      "/api/agents/models",
      "/api/agents/a/b/c",
    ]) {
      expect((await get(subrequest("nginx", "GET", path, auth))).statusCode).toBe(200);
      expect((await get(subrequest("envoy", "GET", path, auth))).statusCode).toBe(200);
    }
  });

  it("refuses path tricks with 403, even with a valid token", async () => {
    const auth = { authorization: `Bearer ${directoryToken("ADMIN")}` };
    const tricks = [
      "/api/agents/../auth",
      "/api/agents/..",
      "/api/agents/./x",
      "/api/agents/%2e%2e/auth",
      "/api/agents/%2E%2e",
      "/api/agents/x%2f..%2fy",
      "/api/agents/x%2F..",
      "/api/agents/x%5c..",
      "/api/agents//x",
      "/api/agents/x//",
      "/api/agents/x\\..\\y",
      "/api/agents/%00",
      "/api/agents/%252e%252e",
      "/api/agents/x#frag",
      "/api/agents/%zz",
      "/api/agents/ x",
      "/api/agents/é",
      `/api/agents/${"a".repeat(20_000)}`,
    ];
    for (const path of tricks) {
      const nginx = await get(subrequest("nginx", "GET", path, auth));
      expect({ path, status: nginx.statusCode }).toEqual({ path, status: 403 });
      expect(nginx.headers["x-user-id"]).toBeUndefined();
    }
    // the same through Envoy's path (those that survive as a request target)
    // (inject resolves dot segments itself; real sockets get them raw, see authorize.socket.test.ts)
    for (const path of tricks.filter((p) => !/[ é#\\]|\/\.\.?(\/|$)/.test(p) && p.length < 1000)) {
      const envoy = await get(subrequest("envoy", "GET", path, auth));
      expect({ path, status: envoy.statusCode }).toEqual({ path, status: 403 });
    }
  });

  it("refuses an original URI that is not a path (absolute form, empty)", async () => {
    const auth = { authorization: `Bearer ${directoryToken("ADMIN")}` };
    for (const uri of ["http://evil/api/agents", "api/agents", "*"]) {
      expect((await get(subrequest("nginx", "GET", uri, auth))).statusCode).toBe(403);
    }
    expect((await get({ url: "/api/auth", headers: auth })).statusCode).toBe(403);
  });

  it("takes the header before the query and reads the scheme in any case", async () => {
    const good = directoryToken("REGULAR");
    const path = (t: string) => `/api/agents?access-token=${t}`;
    for (const style of ["nginx", "envoy"] as const) {
      const badHeader = await get(
        subrequest(style, "GET", path(good), { authorization: "Bearer nope.nope.nope" }),
      );
      expect(badHeader.statusCode).toBe(401);
      const badQuery = await get(
        subrequest(style, "GET", path("x.y.z"), { authorization: `Bearer ${good}` }),
      );
      expect(badQuery.statusCode).toBe(200);
      const lower = await get(subrequest(style, "GET", "/api/agents", { authorization: `bEaReR ${good}` }));
      expect(lower.statusCode).toBe(200);
      // another scheme does not count as a token: the query one is used
      const basic = await get(subrequest(style, "GET", path(good), { authorization: "Basic dTpw" }));
      expect(basic.statusCode).toBe(200);
    }
  });

  it("in Envoy style ignores a client-sent X-Original-URI", async () => {
    const token = directoryToken("REGULAR");
    const r = await get({
      url: "/api/auth/api/other",
      headers: { authorization: `Bearer ${token}`, "x-original-uri": "/api/agents" },
    });
    expect(r.statusCode).toBe(403);
  });

  it("uses the directory's current role over the token's for users it knows", async () => {
    const claimsAdmin = mint("ADMIN", { userId: ids.REGULAR!, name: "user-regular" });
    const r = await get(
      subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${claimsAdmin}` }),
    );
    expect(r.statusCode).toBe(200);
    expect(r.headers["x-user-role"]).toBe("REGULAR");
    const claimsRegular = mint("REGULAR", { userId: ids.INACTIVE!, name: "user-inactive" });
    const refused = await get(
      subrequest("envoy", "GET", "/api/agents", { authorization: `Bearer ${claimsRegular}` }),
    );
    expect(refused.statusCode).toBe(403);
  });

  it("judges tokens of users the directory does not know by their claims alone", async () => {
    const external = mint("REGULAR", { userId: 424242, name: "texera-user", email: "t@texera.org" });
    const r = await get(subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${external}` }));
    expect(r.statusCode).toBe(200);
    expect(r.headers["x-user-id"]).toBe("424242");
    expect(r.headers["x-user-email"]).toBe("t@texera.org");
    // same id as a directory user but another name: not that user, so the token's own role counts
    const namesake = mint("REGULAR", { userId: ids.INACTIVE!, name: "someone-else" });
    const r2 = await get(subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${namesake}` }));
    expect(r2.statusCode).toBe(200);
    expect(r2.headers["x-user-name"]).toBe("someone-else");
    const restricted = mint("RESTRICTED", { userId: 434343, name: "texera-restricted" });
    expect(
      (await get(subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${restricted}` })))
        .statusCode,
    ).toBe(403);
  });

  it("passes names that are not plain ASCII percent-encoded, and refuses absurdly long ones", async () => {
    const unicode = mint("REGULAR", { userId: 5001, name: "李雷\r\nx-evil: 1", email: "é@x.org" });
    const r = await get(subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${unicode}` }));
    expect(r.statusCode).toBe(200);
    expect(decodeURIComponent(r.headers["x-user-name"] as string)).toBe("李雷\r\nx-evil: 1");
    expect(r.headers["x-evil"]).toBeUndefined();
    expect(r.headers["x-user-email"]).toBe(encodeURIComponent("é@x.org"));
    const long = mint("REGULAR", { userId: 5002, name: "n".repeat(300) });
    expect(
      (await get(subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${long}` }))).statusCode,
    ).toBe(403);
  });

  it("keeps the real endpoints beside the subrequest routes", async () => {
    // GET /api/auth/login is no endpoint: as a subrequest its original path is /login, so 403
    expect((await get({ url: "/api/auth/login" })).statusCode).toBe(403);
    expect((await get({ method: "POST", url: "/api/auth/login", payload: {} })).statusCode).toBe(400);
    expect((await get({ url: "/api/auth/users" })).statusCode).toBe(401);
    expect((await get({ url: "/api/auth/openapi.json" })).statusCode).toBe(200);
  });
});
