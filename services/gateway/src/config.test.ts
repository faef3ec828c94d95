import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe("127.0.0.1");
    expect(c.accessControlUrl.href).toBe("http://127.0.0.1:9096/");
    expect(c.agentServiceUrls.map((u) => u.href)).toEqual(["http://127.0.0.1:3001/"]);
    expect(c.upstreamFailTimeoutMs).toBe(5000);
    expect(c.webDist).toMatch(/apps\/web\/dist$/);
  });

  it("names the variable that is wrong", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadConfig({ AGENT_SERVICE_URL: "https://x" })).toThrow(/AGENT_SERVICE_URL/);
    expect(() => loadConfig({ ACCESS_CONTROL_URL: "http://x/api" })).toThrow(/without a path/);
  });

  it("reads AGENT_SERVICE_URL as one URL or a comma-separated list of replicas", () => {
    const one = loadConfig({ AGENT_SERVICE_URL: "http://10.0.0.1:3001" });
    expect(one.agentServiceUrls.map((u) => u.origin)).toEqual(["http://10.0.0.1:3001"]);
    const two = loadConfig({ AGENT_SERVICE_URL: "http://10.0.0.1:3001, http://10.0.0.2:3001/" });
    expect(two.agentServiceUrls.map((u) => u.origin)).toEqual([
      "http://10.0.0.1:3001",
      "http://10.0.0.2:3001",
    ]);
  });

  it("refuses a bad replica list, naming the variable", () => {
    const bad = (value: string) => () => loadConfig({ AGENT_SERVICE_URL: value });
    expect(bad("http://a:1,https://b:2")).toThrow(
      /AGENT_SERVICE_URL must be an http:\/\/ URL, got "https:\/\/b:2"/,
    );
    expect(bad("http://a:1,http://b:2/api")).toThrow(/AGENT_SERVICE_URL must be a base URL without a path/);
    expect(bad("http://a:1,,http://b:2")).toThrow(/AGENT_SERVICE_URL has an empty entry/);
    expect(bad("http://a:1,")).toThrow(/AGENT_SERVICE_URL has an empty entry/);
    expect(bad("http://a:1,http://A:1/")).toThrow(/AGENT_SERVICE_URL lists http:\/\/a:1 twice/);
    expect(bad("http://a:80,http://a")).toThrow(/AGENT_SERVICE_URL lists http:\/\/a twice/);
  });

  it("validates GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS like the other numbers", () => {
    expect(loadConfig({ GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS: "250" }).upstreamFailTimeoutMs).toBe(250);
    expect(loadConfig({ GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS: "0" }).upstreamFailTimeoutMs).toBe(0);
    for (const value of ["-1", "1.5", "soon", "600001"]) {
      expect(() => loadConfig({ GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS: value })).toThrow(
        /GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS must be a whole number/,
      );
    }
  });
});
