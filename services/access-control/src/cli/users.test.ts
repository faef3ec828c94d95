import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startTestService } from "../test-support.ts";
import { runUsersCli } from "./users-cli.ts";

const CLI = fileURLToPath(new URL("./users.ts", import.meta.url));
const CHEAP = { PASSWORD_SCRYPT_LOG_N: "4" };

/** The real process, as `npm run users` starts it (stdin is no terminal here). */
function spawnCli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CLI, ...args],
      { env: { PATH: process.env.PATH ?? "", ...CHEAP, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The same commands in-process (fast), with a scripted terminal when `typed` is given. */
async function cli(args: string[], env: Record<string, string>, typed?: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const code = await runUsersCli(args, {
    env: { ...CHEAP, ...env },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    ...(typed
      ? {
          askHidden: async (prompt: string) => {
            prompts.push(prompt);
            return typed.shift() ?? "";
          },
        }
      : {}),
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n"), prompts };
}

describe("npm run users", () => {
  it("as a process: adds a user with USER_PASSWORD, and refuses without it when there is no terminal", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ac-cli-"));
    const [add, noPassword] = await Promise.all([
      spawnCli(["add", "alice", "--role", "admin", "--email", "alice@example.org"], {
        DATA_DIR: dataDir,
        USER_PASSWORD: "alice-secret-pw",
      }),
      spawnCli(["add", "bob", "--role", "REGULAR"], { DATA_DIR: mkdtempSync(join(tmpdir(), "ac-cli-")) }),
    ]);
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/added alice \(id \d+, ADMIN\)/);
    expect(add.stdout + add.stderr).not.toContain("alice-secret-pw");
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toMatch(/set USER_PASSWORD, or run this on a terminal/);

    // the service on the same DATA_DIR signs alice in
    const service = await startTestService({ config: { dataDir } });
    try {
      const login = await service.app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { username: "alice", password: "alice-secret-pw" },
      });
      expect(login.statusCode).toBe(200);
      expect(login.json().user).toMatchObject({ role: "ADMIN", email: "alice@example.org" });
    } finally {
      await service.close();
    }
  });

  it("lists users and changes roles; a running service picks the change up", async () => {
    const env = { DATA_DIR: mkdtempSync(join(tmpdir(), "ac-cli-")) };
    expect(
      (await cli(["add", "ann", "--role", "ADMIN"], { ...env, USER_PASSWORD: "ann-secret-pw" })).code,
    ).toBe(0);
    expect(
      (await cli(["add", "bob", "--role", "REGULAR"], { ...env, USER_PASSWORD: "short" })).stderr,
    ).toMatch(/at least 8/);
    expect(
      (await cli(["add", "bob", "--role", "REGULAR"], { ...env, USER_PASSWORD: "bob-secret-pw" })).code,
    ).toBe(0);
    expect(
      (await cli(["add", "bob", "--role", "REGULAR"], { ...env, USER_PASSWORD: "bob-secret-pw" })).stderr,
    ).toMatch(/taken/);

    const service = await startTestService({ config: { dataDir: env.DATA_DIR } });
    try {
      const bob = (await service.users.list()).find((u) => u.name === "bob")!;
      expect(service.directory.lookup(bob.id, "bob")).toBe("REGULAR");
      const setRole = await cli(["set-role", "bob", "inactive"], env);
      expect(setRole).toMatchObject({ code: 0, stdout: expect.stringMatching(/bob is now INACTIVE/) });
      await service.directory.refresh(); // what its timer does every DIRECTORY_REFRESH_MS
      expect(service.directory.lookup(bob.id, "bob")).toBe("INACTIVE");
    } finally {
      await service.close();
    }

    const list = await cli(["list"], env);
    expect(list.stdout).toMatch(/ann\s+ADMIN/);
    expect(list.stdout).toMatch(/bob\s+INACTIVE/);
    expect((await cli(["set-role", "ann", "REGULAR"], env)).stderr).toMatch(/last ADMIN/);
    expect((await cli(["set-role", "nobody", "REGULAR"], env)).code).toBe(1);
  });

  it("asks for the password twice on a terminal, without echo", async () => {
    const env = { DATA_DIR: mkdtempSync(join(tmpdir(), "ac-cli-")) };
    const ok = await cli(["add", "cleo", "--role", "REGULAR"], env, ["cleo-secret-pw", "cleo-secret-pw"]);
    expect(ok.code).toBe(0);
    expect(ok.prompts).toEqual(["password for cleo: ", "again: "]);
    const differ = await cli(["add", "dan", "--role", "REGULAR"], env, ["dan-secret-pw", "dan-secret-px"]);
    expect(differ).toMatchObject({ code: 1, stderr: "the passwords differ" });
  });

  it("explains its usage and refuses bad arguments with exit code 2", async () => {
    const env = { DATA_DIR: mkdtempSync(join(tmpdir(), "ac-cli-")), USER_PASSWORD: "whatever-pw" };
    const bad = await cli(["add", "bob", "--role", "KING"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/role must be one of/);
    expect((await cli(["add", "bad name", "--role", "REGULAR"], env)).code).toBe(2);
    expect((await cli(["frobnicate"], env)).code).toBe(2);
    // there is no way to pass a password as an argument
    expect((await cli(["add", "bob", "--password", "x"], env)).code).toBe(2);
    expect((await cli([], env)).stdout).toMatch(/usage/);
  });
});
