import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe("127.0.0.1");
    expect(c.accessControlUrl.href).toBe("http://127.0.0.1:9096/");
    expect(c.agentServiceUrl.href).toBe("http://127.0.0.1:3001/");
    expect(c.webDist).toMatch(/apps\/web\/dist$/);
  });

  it("names the variable that is wrong", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadConfig({ AGENT_SERVICE_URL: "https://x" })).toThrow(/AGENT_SERVICE_URL/);
    expect(() => loadConfig({ ACCESS_CONTROL_URL: "http://x/api" })).toThrow(/without a path/);
  });
});
