import { createTicketSigner } from "@texera-agent/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessControl } from "./service.ts";
import {
  mint,
  OTHER_SECRET,
  PASSWORD,
  SECRET,
  type Style,
  startTestService,
  subrequest,
} from "./test-support.ts";

const AGENT = "6f1c1a52-3e0e-4b8e-9a57-5d0f3e0b2a11";
const OTHER_AGENT = "0b3f5e1c-7d2a-4c9b-8e6f-1a2b3c4d5e6f";
let service: AccessControl;
let userId: number;

beforeAll(async () => {
  service = await startTestService();
  userId = (await service.users.create({ name: "ticket-user", password: PASSWORD, role: "REGULAR" })).id;
});
afterAll(() => service.close());

const ticket = (
  options: { secret?: string; role?: "REGULAR" | "ADMIN"; agentId?: string; now?: Date } = {},
) =>
  createTicketSigner({ secret: options.secret ?? SECRET, currentDate: options.now && (() => options.now!) })({
    userId,
    userName: "ticket-user",
    role: options.role ?? "REGULAR",
    agentId: options.agentId ?? AGENT,
  }).ticket;

const ask = (style: Style, uri: string, method: "GET" | "POST" = "GET") =>
  service.app.inject(subrequest(style, method, uri));

describe.each(["nginx", "envoy"] as const)("authorize with a WebSocket ticket (%s)", (style) => {
  it("answers 200 with the user headers for exactly GET /api/agents/<its agent>/react", async () => {
    const res = await ask(style, `/api/agents/${AGENT}/react?ticket=${ticket()}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-user-id"]).toBe(String(userId));
    expect(res.headers["x-user-name"]).toBe("ticket-user");
    expect(res.headers["x-user-role"]).toBe("REGULAR");
  });

  it("refuses it on any other path or method", async () => {
    const t = ticket();
    for (const uri of [
      `/api/agents/${OTHER_AGENT}/react?ticket=${t}`,
      `/api/agents/${AGENT}?ticket=${t}`,
      `/api/agents/${AGENT}/react/x?ticket=${t}`,
      `/api/agents?ticket=${t}`,
      `/api/agents/${AGENT}/ws-ticket?ticket=${t}`,
    ]) {
      expect((await ask(style, uri)).statusCode, uri).toBe(401);
    }
    expect((await ask(style, `/api/agents/${AGENT}/react?ticket=${t}`, "POST")).statusCode).toBe(401);
  });

  it("refuses an expired, foreign or JWT ticket, and a ticket as a bearer token", async () => {
    const old = ticket({ now: new Date(Date.now() - 60_000) });
    expect((await ask(style, `/api/agents/${AGENT}/react?ticket=${old}`)).statusCode).toBe(401);
    const foreign = ticket({ secret: OTHER_SECRET });
    expect((await ask(style, `/api/agents/${AGENT}/react?ticket=${foreign}`)).statusCode).toBe(401);
    const jwt = mint("REGULAR", { userId, name: "ticket-user" });
    expect((await ask(style, `/api/agents/${AGENT}/react?ticket=${jwt}`)).statusCode).toBe(401);
    const bearer = await service.app.inject(
      subrequest(style, "GET", `/api/agents/${AGENT}/react`, { authorization: `Bearer ${ticket()}` }),
    );
    expect(bearer.statusCode).toBe(401);
    expect((await ask(style, `/api/agents/${AGENT}/react?access-token=${ticket()}`)).statusCode).toBe(401);
  });

  it("refuses a ticket beside a token, whoever either names (agent-service applies the same rule)", async () => {
    // a valid token of another user beside a valid ticket: neither identity may be picked
    const other = mint("ADMIN", { userId: 4242, name: "someone-else" });
    const both = [
      ask(style, `/api/agents/${AGENT}/react?ticket=${ticket()}&access-token=${other}`),
      ask(style, `/api/agents/${AGENT}/react?access-token=${other}&tick%65t=${ticket()}`),
      service.app.inject(
        subrequest(style, "GET", `/api/agents/${AGENT}/react?ticket=${ticket()}`, {
          authorization: `Bearer ${other}`,
        }),
      ),
    ];
    for (const res of await Promise.all(both)) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatch(/either a WebSocket ticket or a token/);
    }
  });

  it("applies the directory's current role, not the ticket's", async () => {
    const admin = ticket({ role: "ADMIN" });
    const res = await ask(style, `/api/agents/${AGENT}/react?ticket=${admin}`);
    expect(res.headers["x-user-role"]).toBe("REGULAR");
  });
});
