import { describe, expect, it } from "vitest";
import { classifyOriginalUri, originalUriOf } from "./original-request.ts";

describe("originalUriOf", () => {
  it("reads X-Original-URI when the subrequest path is the bare prefix (nginx)", () => {
    expect(originalUriOf("/api/auth", "/api/agents/1?x=2")).toBe("/api/agents/1?x=2");
    expect(originalUriOf("/api/auth?ignored=1", "/api/agents")).toBe("/api/agents");
  });

  it("reads the appended path and query when there is one (Envoy), whatever the headers say", () => {
    expect(originalUriOf("/api/auth/api/agents/1?access-token=t", undefined)).toBe(
      "/api/agents/1?access-token=t",
    );
    expect(originalUriOf("/api/auth/api/other", "/api/agents")).toBe("/api/other");
  });

  it("falls back to whatever follows the prefix", () => {
    expect(originalUriOf("/api/auth", undefined)).toBe("");
    expect(originalUriOf("/api/auth/verify", undefined)).toBe("/verify");
    expect(originalUriOf("/api/auth/verify", "/api/agents")).toBe("/api/agents");
    expect(originalUriOf("/api/auth", ["/api/agents", "/x"])).toBe("");
  });
});

describe("classifyOriginalUri", () => {
  it.each([
    "/api/agents",
    "/api/agents/",
    "/api/agents?x=1",
    "/api/agents?",
    "/api/agents/0b5e6f3a-5c2d-4a43-9d7e-1f2a3b4c5d6e/react?access-token=a.b.c",
    "/api/agents/models",
    "/api/agents/a.b/c~d/e_f/%41",
    "/api/agents/...x",
  ])("%s is an agents path", (uri) => expect(classifyOriginalUri(uri)).toBe("agents"));

  it.each([
    "",
    "/",
    "/api",
    "/api/",
    "/api/agent",
    "/api/agentsx",
    "/api/agents%2F",
    "/api/agents;a",
    "/api/Agents",
    "/API/agents",
    "//api/agents",
    "/api//agents",
    "/api/%61gents",
    "/api/x/../agents",
    "http://host/api/agents",
    "api/agents",
    "*",
  ])("%s is another path", (uri) => expect(classifyOriginalUri(uri)).toBe("other"));

  it.each([
    "/api/agents/..",
    "/api/agents/../auth",
    "/api/agents/./x",
    "/api/agents/.",
    "/api/agents/...",
    "/api/agents/%2e%2e",
    "/api/agents/a%2Eb",
    "/api/agents/a%2fb",
    "/api/agents/a%5Cb",
    "/api/agents/a%25",
    "/api/agents/a%00",
    "/api/agents/a%1f",
    "/api/agents/a%7F",
    "/api/agents/%",
    "/api/agents/%g0",
    "/api/agents//",
    "/api/agents//x",
    "/api/agents/x//y",
    "/api/agents/a\\b",
    "/api/agents/a b",
    "/api/agents/é",
    "/api/agents/a\u0000",
    "/api/agents/x#y",
    "/api/agents#?x",
    `/api/agents/${"a".repeat(17_000)}`,
  ])("%s is refused", (uri) => expect(classifyOriginalUri(uri)).toBe("refused"));

  it("runs in linear time on hostile input", () => {
    const start = performance.now();
    classifyOriginalUri(`/api/agents/${"a/".repeat(7000)}%`);
    classifyOriginalUri(`/api/agents/${".".repeat(16_000)}`);
    expect(performance.now() - start).toBeLessThan(100);
  });
});
