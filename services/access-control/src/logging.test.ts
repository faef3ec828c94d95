import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessControl } from "./service.ts";
import { mint, startTestService, subrequest } from "./test-support.ts";

// Every log line of a busy session, at the chattiest level, must hold no token, password or cookie.
const lines: string[] = [];
let service: AccessControl;
const ADMIN_PASSWORD = "admin-pa55word-never-logged";
const NEW_PASSWORD = "new-user-pa55word-never-logged";
const WRONG_PASSWORD = "wrong-pa55word-never-logged";
const COOKIE = "session=cookie-never-logged";

beforeAll(async () => {
  service = await startTestService({
    logger: { level: "trace", stream: { write: (line: string) => void lines.push(line) } },
    config: { authorizeLogLevel: "trace" },
  });
  await service.users.create({ name: "logadmin", password: ADMIN_PASSWORD, role: "ADMIN" });
});
afterAll(() => service.close());

describe("logs", () => {
  it("never contain tokens, passwords or cookies", async () => {
    const inject = service.app.inject.bind(service.app);
    const login = await inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "logadmin", password: ADMIN_PASSWORD },
      headers: { cookie: COOKIE },
    });
    const token = login.json().accessToken as string;
    await inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "logadmin", password: WRONG_PASSWORD },
    });
    await inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "nobody", password: WRONG_PASSWORD },
    });
    await inject({
      method: "POST",
      url: "/api/auth/users",
      headers: { authorization: `Bearer ${token}`, cookie: COOKIE },
      payload: { username: "newbie", password: NEW_PASSWORD, role: "REGULAR" },
    });
    const bad = `${token.slice(0, -4)}AAAA`;
    const expired = mint("REGULAR", { now: () => new Date(Date.now() - 7_200_000) });
    for (const t of [token, bad, expired]) {
      for (const style of ["nginx", "envoy"] as const) {
        const header = { authorization: `Bearer ${t}`, cookie: COOKIE };
        await inject(subrequest(style, "GET", "/api/agents/1/react", header));
        await inject(
          subrequest(style, "GET", `/api/agents/1/react?access-token=${t}&x=1`, { cookie: COOKIE }),
        );
        await inject(subrequest(style, "GET", `/api/other?access_token=${t}`));
      }
    }

    const text = lines.join("");
    // the capture worked and saw the requests (so the assertions below are not vacuous)
    expect(lines.length).toBeGreaterThan(20);
    expect(text).toContain("/api/auth/login");
    expect(text).toContain("access-token=[REDACTED]");
    const secrets = [
      token,
      bad,
      expired,
      ADMIN_PASSWORD,
      NEW_PASSWORD,
      WRONG_PASSWORD,
      "cookie-never-logged",
    ];
    // the signature part of each token too, in case a token was cut up
    secrets.push(...[token, bad, expired].map((t) => t.split(".")[2]!));
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text.toLowerCase()).not.toContain("bearer");
  });
});
