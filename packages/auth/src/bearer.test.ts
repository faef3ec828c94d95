import { describe, expect, it } from "vitest";
import { credentialOf } from "./bearer.ts";

const path = "/api/agents/a/react";

describe("credentialOf: the one precedence rule of access-control and agent-service", () => {
  it("takes the header first, then access-token, then ticket", () => {
    expect(credentialOf("Bearer h", `${path}`)).toEqual({ kind: "token", token: "h", from: "header" });
    expect(credentialOf("Bearer h", `${path}?access-token=q`)).toEqual({
      kind: "token",
      token: "h",
      from: "header",
    });
    expect(credentialOf(undefined, `${path}?access-token=q`)).toEqual({
      kind: "token",
      token: "q",
      from: "query",
    });
    expect(credentialOf(undefined, `${path}?ticket=t`)).toEqual({ kind: "ticket", ticket: "t" });
    expect(credentialOf(undefined, `${path}?x=1`)).toEqual({ kind: "none" });
    expect(credentialOf("Basic abc", path)).toEqual({ kind: "none" });
  });

  it("refuses a ticket beside a token, in any spelling the query parser decodes", () => {
    for (const [authorization, uri] of [
      [undefined, `${path}?ticket=t&access-token=q`],
      [undefined, `${path}?access-token=q&ticket=t`],
      [undefined, `${path}?tick%65t=t&access%2Dtoken=q`],
      ["Bearer h", `${path}?ticket=t`],
      ["bearer h", `${path}?ticket=t&access-token=q`],
    ] as const) {
      expect(credentialOf(authorization, uri), `${authorization} ${uri}`).toEqual({ kind: "conflict" });
    }
  });
});
