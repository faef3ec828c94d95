// `npm start` itself: the first admin's generated password is printed once, a second start on the same
// DATA_DIR keeps users and secret, and Ctrl-C stops every process the script started.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startSystem } from "./harness.ts";

const dataDir = mkdtempSync(join(tmpdir(), "texera-start-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("npm start (scripts/start.ts)", () => {
  let password = "";

  it("creates the first admin with a generated password, shown once, and says where to sign in", async () => {
    const sys = await startSystem({ gateway: "builtin", adminPassword: null, dataDir });
    try {
      const out = sys.output();
      expect(out.match(/first admin created: user "admin", password: \S+/g)).toHaveLength(1);
      expect(out).toContain("generated secret in");
      expect(out).toContain(`Open http://localhost:${sys.ports.gateway} and sign in as admin`);
      expect(out).toContain('offline demo model "demo-offline-model"');
      password = sys.admin.password;
      expect(typeof (await sys.login("admin", password))).toBe("string");
      const models = await fetch(`${sys.url}/api/agents/models`, {
        headers: { authorization: `Bearer ${await sys.login("admin", password)}` },
      });
      expect(((await models.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toEqual([
        "demo-offline-model",
      ]);
    } finally {
      await sys.stop();
    }
  });

  it("keeps the secret and the users on the next start, without printing a password again", async () => {
    const sys = await startSystem({ gateway: "builtin", adminPassword: null, dataDir });
    try {
      expect(sys.output()).not.toContain("password:");
      expect(sys.output()).not.toContain("(generated now");
      expect(typeof (await sys.login("admin", password))).toBe("string");
    } finally {
      await sys.stop();
    }
  });

  it("stops every process it started on Ctrl-C", async () => {
    const sys = await startSystem({ gateway: "builtin", dataDir });
    const pids = Object.values(sys.childPids());
    expect(pids).toHaveLength(4);
    expect(pids.every(alive)).toBe(true);
    expect(await sys.interrupt()).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(sys.output()).toContain("stopped");
    await sys.stop();
  });
});
