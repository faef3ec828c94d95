import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CliError, DEMO_FAULT, DEMO_MASTER_KEY, parseCli } from "./cli-args.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../examples/multi-step-tools.json", import.meta.url));
const KEY = "sk-cli-secret-7f3a9c";

describe("parseCli", () => {
  it("reads the env with its defaults", async () => {
    const cfg = await parseCli([], { LITELLM_MASTER_KEY: KEY });
    expect(cfg).toMatchObject({
      host: "127.0.0.1",
      port: 4000,
      masterKey: KEY,
      usingDemoKey: false,
      models: ["sim-small", "sim-large"],
      scenario: undefined,
      faults: {},
    });
    const custom = await parseCli(
      ["--scenario", EXAMPLE, "--fault=*:tokensPerSecond=20", "--fault", "b:error=429,retryAfter=2"],
      {
        LITELLM_MASTER_KEY: KEY,
        PORT: "4123",
        LLM_SIM_MODELS: " a, b ,",
        LLM_SIM_FAULTS: "a:latencyMs=5 *:firstTokenMs=9",
      },
    );
    expect(custom.port).toBe(4123);
    expect(custom.models).toEqual(["a", "b"]);
    expect(custom.faults).toEqual({
      a: { latencyMs: 5 },
      "*": { firstTokenMs: 9, tokensPerSecond: 20 },
      b: { error: 429, retryAfter: 2 },
    });
    expect(custom.scenario?.rules.length).toBeGreaterThan(2);
  });

  it("requires the master key unless --demo, and keeps the demo key on loopback", async () => {
    await expect(parseCli([], {})).rejects.toThrow(/LITELLM_MASTER_KEY is required/);
    const demo = await parseCli(["--demo"], {});
    expect(demo).toMatchObject({
      masterKey: DEMO_MASTER_KEY,
      usingDemoKey: true,
      faults: { "*": DEMO_FAULT },
    });
    await expect(parseCli(["--demo"], { HOST: "0.0.0.0" })).rejects.toThrow(/loopback only/);
    const own = await parseCli(["--demo"], { HOST: "0.0.0.0", LITELLM_MASTER_KEY: KEY });
    expect(own).toMatchObject({ masterKey: KEY, usingDemoKey: false });
  });

  it.each([
    [["--nope"], /unknown argument/],
    [["--scenario"], /needs a value/],
    [["--fault", "latencyMs=5"], /<model>:<spec>/],
    [["--fault", "ghost:latencyMs=5"], /unknown model "ghost"/],
    [["--fault", "*:latencyMs=fast"], /not a number/],
    [["--scenario", "/nonexistent/s.json"], /cannot read/],
  ])("refuses %j", async (argv, message) => {
    await expect(parseCli(argv, { LITELLM_MASTER_KEY: KEY })).rejects.toThrow(message);
  });

  it("refuses a bad PORT", async () => {
    await expect(parseCli([], { LITELLM_MASTER_KEY: KEY, PORT: "http" })).rejects.toBeInstanceOf(CliError);
  });
});

function waitForLine(child: ChildProcess, pattern: RegExp, output: () => string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${output()}`)), 15_000);
    const check = () => {
      const m = output().match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", () => reject(new Error(`exited early: ${output()}`)));
  });
}

describe("main", () => {
  it("serves on PORT, never prints the key, and exits 0 on SIGTERM", async () => {
    let out = "";
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "--verbose"], {
      env: { ...process.env, PORT: "0", LITELLM_MASTER_KEY: KEY, LLM_SIM_MODELS: "m1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => {
      out += d;
    });
    child.stderr!.on("data", (d) => {
      out += d;
    });
    try {
      const [, url] = await waitForLine(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/, () => out);
      const models = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
      expect((await models.json()).data[0].id).toBe("m1");
      const chat = await fetch(`${url}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model: "m1", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(chat.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(out).toContain("outcome=completed");
      expect(out).not.toContain(KEY);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
