import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, freePorts } from "./free-port.ts";

const bind = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });

describe("freePorts", () => {
  it("gives distinct loopback ports that can be bound right after", async () => {
    const ports = await freePorts(4);
    expect(new Set(ports).size).toBe(4);
    for (const port of ports) {
      expect(port).toBeGreaterThan(0);
      await bind(port);
    }
  });

  it("freePort gives one such port", async () => {
    const port = await freePort();
    expect(Number.isInteger(port) && port > 0 && port < 65_536).toBe(true);
    await bind(port);
  });

  it("refuses a count below one", async () => {
    await expect(freePorts(0)).rejects.toThrow(TypeError);
  });
});
