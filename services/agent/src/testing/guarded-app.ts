// Test helpers for tickets, run limits and the audit log: the harness's pieces with those options set.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVerifier } from "@texera-agent/auth";
import { type LlmSim, type LlmSimOptions, startLlmSim } from "@texera-agent/llm-sim";
import type { FastifyInstance } from "fastify";
import { type AppDeps, buildApp } from "../app.ts";
import { DEFAULT_LLM_POLICY } from "../config.ts";
import { openAgentDatabase } from "../db/open-agent-database.ts";
import { MASTER_KEY, makeTokens, SECRET, type Tokens } from "./harness.ts";

export interface GuardedApp {
  app: FastifyInstance;
  sim: LlmSim;
  tokens: Tokens;
  port: number;
  /** The clock the app reads; tests move it. */
  clock: { now: Date };
  ws(path: string): string;
  createAgent(token?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startGuardedApp(
  options: { sim?: Partial<LlmSimOptions>; deps?: Partial<AppDeps> } = {},
): Promise<GuardedApp> {
  const sim = await startLlmSim({ host: "127.0.0.1", port: 0, masterKey: MASTER_KEY, ...options.sim });
  const dataDir = mkdtempSync(join(tmpdir(), "agent-guarded-"));
  const database = await openAgentDatabase({ url: undefined, dataDir });
  const clock = { now: new Date() };
  const app = await buildApp({
    config: {
      litellmBaseUrl: sim.url,
      litellmMasterKey: MASTER_KEY,
      modelsCacheSeconds: 30,
      llm: { ...DEFAULT_LLM_POLICY, retryBaseMs: 10, retryMaxDelayMs: 200 },
    },
    verify: createVerifier({ secret: SECRET }),
    database,
    tickets: { secret: SECRET },
    now: () => clock.now,
    logger: false,
    ...options.deps,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const tokens = makeTokens();
  return {
    app,
    sim,
    tokens,
    port,
    clock,
    ws: (path) => `ws://127.0.0.1:${port}${path}`,
    async createAgent(token = tokens.owner) {
      const res = await app.inject({
        method: "POST",
        url: "/api/agents",
        headers: { authorization: `Bearer ${token}` },
        payload: { modelType: "sim-small" },
      });
      if (res.statusCode !== 200) throw new Error(`create agent: ${res.statusCode} ${res.body}`);
      return res.json().id as string;
    },
    async close() {
      await app.close();
      await database.close();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
