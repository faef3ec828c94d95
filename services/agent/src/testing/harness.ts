// Test helpers: llm-sim, an app on a temporary database, tokens for every kind of caller, captured logs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSigner, createVerifier, type Role } from "@texera-agent/auth";
import type { Database } from "@texera-agent/db";
import { type LlmSim, type LlmSimOptions, startLlmSim } from "@texera-agent/llm-sim";
import { decodeServerFrame, type ServerFrame } from "@texera-agent/protocol";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { type AppDeps, buildApp } from "../app.ts";
import { DEFAULT_LLM_POLICY, type LlmPolicy } from "../config.ts";
import { openAgentDatabase } from "../db/open-agent-database.ts";
import type { AgentDatabase } from "../db/schema.ts";

export const SECRET = "agent-service-test-secret-0123456789abcdef";
export const MASTER_KEY = "sk-test-master-key-5f2c9a7e1d3b";

export const USERS = { owner: 101, other: 202, admin: 303, inactive: 404 } as const;

export interface Tokens {
  owner: string;
  other: string;
  admin: string;
  inactive: string;
  restricted: string;
  expired: string;
  malformed: string;
}

export function makeTokens(secret = SECRET): Tokens {
  const sign = createSigner({ secret, expiresInMinutes: 30 });
  const token = (userId: number, role: Role, name: string) => sign({ userName: name, userId, role }).token;
  const past = createSigner({
    secret,
    expiresInMinutes: 5,
    currentDate: () => new Date(Date.now() - 3_600_000),
  });
  return {
    owner: token(USERS.owner, "REGULAR", "owner"),
    other: token(USERS.other, "REGULAR", "other"),
    admin: token(USERS.admin, "ADMIN", "admin"),
    inactive: token(USERS.inactive, "INACTIVE", "inactive"),
    restricted: token(USERS.inactive, "RESTRICTED", "restricted"),
    expired: past({ userName: "owner", userId: USERS.owner, role: "REGULAR" }).token,
    malformed: "not.a-jwt",
  };
}

export interface HarnessOptions {
  sim?: Partial<LlmSimOptions>;
  /** The key agent-service sends; default the sim's. */
  serviceKey?: string;
  policy?: Partial<LlmPolicy>;
  modelsCacheSeconds?: number;
  databaseUrl?: string;
  tools?: AppDeps["tools"];
  engine?: AppDeps["engine"];
  now?: () => Date;
  pingIntervalMs?: number;
  /** Be one replica of several over `databaseUrl` (PostgreSQL). */
  cluster?: AppDeps["cluster"];
}

export interface Harness {
  app: FastifyInstance;
  sim: LlmSim;
  database: Database<AgentDatabase>;
  tokens: Tokens;
  /** Every log line the app wrote. */
  logs: string[];
  /**
   * ws://127.0.0.1:PORT once listen() was called, with the token as `access-token` and (unless `deltas` is
   * false) `deltas=1`: most tests follow the streamed text, as the web app does.
   */
  wsUrl(path: string, token?: string | null, deltas?: boolean): string;
  listen(): Promise<void>;
  auth(token: string): { authorization: string };
  createAgent(token?: string, body?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startLlmSim({ host: "127.0.0.1", port: 0, masterKey: MASTER_KEY, ...options.sim });
  const dataDir = mkdtempSync(join(tmpdir(), "agent-test-"));
  const database = await openAgentDatabase({ url: options.databaseUrl, dataDir });
  const logs: string[] = [];
  const app = await buildApp({
    config: {
      litellmBaseUrl: sim.url,
      litellmMasterKey: options.serviceKey ?? MASTER_KEY,
      modelsCacheSeconds: options.modelsCacheSeconds ?? 30,
      llm: { ...DEFAULT_LLM_POLICY, retryBaseMs: 10, retryMaxDelayMs: 200, ...options.policy },
    },
    verify: createVerifier({ secret: SECRET }),
    database,
    tools: options.tools,
    engine: options.engine,
    now: options.now,
    pingIntervalMs: options.pingIntervalMs,
    cluster: options.cluster,
    logger: { level: "debug", stream: { write: (line: string) => void logs.push(line) } },
  });
  const tokens = makeTokens();
  let port = 0;
  return {
    app,
    sim,
    database,
    tokens,
    logs,
    wsUrl: (path, token: string | null = tokens.owner, deltas = true) => {
      const query = [
        ...(token ? [`access-token=${encodeURIComponent(token)}`] : []),
        ...(deltas ? ["deltas=1"] : []),
      ];
      return `ws://127.0.0.1:${port}${path}${query.length > 0 ? `?${query.join("&")}` : ""}`;
    },
    async listen() {
      await app.listen({ host: "127.0.0.1", port: 0 });
      port = (app.server.address() as { port: number }).port;
    },
    auth: (token) => ({ authorization: `Bearer ${token}` }),
    async createAgent(token = tokens.owner, body = { modelType: "sim-small" }) {
      const res = await app.inject({
        method: "POST",
        url: "/api/agents",
        headers: { authorization: `Bearer ${token}` },
        payload: body,
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

/** A WebSocket client that records every frame and can wait for one. */
export class FrameClient {
  readonly frames: ServerFrame[] = [];
  private waiters: { test: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = data.toString();
      // Every frame must be a whole ServerFrame: the web app drops any other (decodeServerFrame). A throw
      // here is an unhandled error, which fails the test run.
      const frame = decodeServerFrame(text);
      if (!frame)
        throw new Error(`agent-service sent a frame that is not a ServerFrame: ${text.slice(0, 500)}`);
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static open(url: string): Promise<FrameClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new FrameClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.on("error", reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The first frame (from `from` on) that passes `test`, waiting up to timeoutMs. */
  next<T extends ServerFrame["type"]>(
    type: T,
    test: (f: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    const match = (f: ServerFrame) => f.type === type && test(f as Extract<ServerFrame, { type: T }>);
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen as Extract<ServerFrame, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no ${type} frame in ${timeoutMs} ms; got ${this.frames.map((f) => f.type).join(",")}`),
          ),
        timeoutMs,
      );
      this.waiters.push({
        test: match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f as Extract<ServerFrame, { type: T }>);
        },
      });
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}

/** Tries a WebSocket upgrade and reports the HTTP status of the refusal (or 101 when a socket opened). */
export function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("error", (e) => reject(e));
  });
}

/** Polls until `check` holds (for counters that change when a socket closes). */
export async function eventually(check: () => boolean, timeoutMs = 3_000, what = "condition"): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
