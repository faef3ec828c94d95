// The HTTP server: routes, the master-key check, and the in-process control surface (LlmSim).
// Built on node:http rather than fastify: the faults need the raw socket (TCP reset, bytes that are
// not valid SSE, a response that never ends), and at 1,000 concurrent streams every layer costs.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleChat } from "./chat.ts";
import { type LlmSimCounters, newCounters, zeroCounters } from "./counters.ts";
import { authInvalid, authMissing, SimHttpError } from "./errors.ts";
import { checkFault, type Fault, MODEL_FAULT_SEPARATOR } from "./fault.ts";
import { readJson, sendError, sendJson } from "./http-util.ts";
import { compileScenario, defaultScenario } from "./scenario.ts";
import type { Scenario } from "./scenario-schema.ts";
import type { RecordedRequest, SimState } from "./state.ts";

export const DEFAULT_MODELS = ["sim-small", "sim-large"];

export interface LlmSimOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port (see `url`). */
  port?: number;
  /** Required on every route but the health checks: `Authorization: Bearer <masterKey>`. */
  masterKey: string;
  /** Model names served; default ["sim-small", "sim-large"]. */
  models?: string[];
  /** Default: echo the last user message; `tokens:N` answers N tokens. */
  scenario?: Scenario;
  /** Faults per model name; "*" applies to every model (a model's own fault wins field by field). */
  faults?: Record<string, Fault>;
  /** How many recorded requests to keep (oldest dropped first); default 10,000. */
  maxRecorded?: number;
  /** Called with one line per finished chat request (never holds the key). */
  log?: (line: string) => void;
}

export interface LlmSim {
  /** e.g. http://127.0.0.1:PORT, no trailing slash; the OpenAI SDK's baseURL is the same url. */
  url: string;
  counters: LlmSimCounters;
  requests: RecordedRequest[];
  setFault(model: string, fault: Fault | undefined): void;
  setScenario(s: Scenario): void;
  /** Zeroes counters, clears recorded requests and failFirst progress; keeps faults and scenario. */
  reset(): void;
  close(): Promise<void>;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

function checkOptions(opts: LlmSimOptions): string[] {
  if (typeof opts?.masterKey !== "string" || opts.masterKey === "") {
    throw new TypeError("llm-sim: masterKey is required (a non-empty string)");
  }
  const models = opts.models ?? DEFAULT_MODELS;
  if (!Array.isArray(models) || models.length === 0)
    throw new TypeError("llm-sim: models must be a non-empty array");
  for (const m of models) {
    if (typeof m !== "string" || m.trim() === "" || m.includes(MODEL_FAULT_SEPARATOR)) {
      throw new TypeError(
        `llm-sim: bad model name ${JSON.stringify(m)} (non-empty, without "${MODEL_FAULT_SEPARATOR}")`,
      );
    }
  }
  return models;
}

export async function startLlmSim(opts: LlmSimOptions): Promise<LlmSim> {
  const modelList = checkOptions(opts);
  const state: SimState = {
    masterKey: opts.masterKey,
    models: new Set(modelList),
    modelList,
    createdAt: Math.floor(Date.now() / 1000),
    scenario: compileScenario(opts.scenario ?? defaultScenario),
    faults: new Map(),
    failSeen: new Map(),
    counters: newCounters(),
    requests: [],
    maxRecorded: opts.maxRecorded ?? 10_000,
    seq: 0,
    log: opts.log,
  };
  const keyDigest = digest(opts.masterKey);

  const setFault = (model: string, fault: Fault | undefined) => {
    if (model !== "*" && !state.models.has(model))
      throw new TypeError(`llm-sim: setFault for unknown model "${model}"`);
    for (const key of state.failSeen.keys()) if (key.startsWith(`${model}\u0000`)) state.failSeen.delete(key);
    if (fault === undefined) state.faults.delete(model);
    else state.faults.set(model, checkFault(fault, `faults.${model}`));
  };
  for (const [model, fault] of Object.entries(opts.faults ?? {})) setFault(model, fault);

  const reset = () => {
    zeroCounters(state.counters);
    state.requests.length = 0;
    state.failSeen.clear();
    state.seq = 0;
  };

  function authorize(req: IncomingMessage) {
    const header = req.headers.authorization;
    if (!header) throw authMissing();
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!m || !timingSafeEqual(digest(m[1]!.trim()), keyDigest)) throw authInvalid();
  }

  const modelObject = (id: string) => ({ id, object: "model", created: state.createdAt, owned_by: "openai" });
  // LiteLLM's /model/info row; max_input_tokens is the model's contextWindow fault (null when unset, as
  // LiteLLM answers for a model it has no cost-map entry for).
  const modelInfo = (name: string) => {
    const window = state.faults.get(name)?.contextWindow ?? state.faults.get("*")?.contextWindow;
    return {
      model_name: name,
      litellm_params: { model: name.includes("*") ? name : `openai/${name}` },
      model_info: {
        id: createHash("sha256").update(name).digest("hex").slice(0, 16),
        max_input_tokens: window ?? null,
        max_output_tokens: null,
        mode: "chat",
      },
    };
  };

  async function route(req: IncomingMessage, res: ServerResponse, method: string, path: string) {
    const p = path.startsWith("/v1/") ? path.slice(3) : path;
    if (
      p === "/health" ||
      p === "/health/liveliness" ||
      p === "/health/liveness" ||
      p === "/health/readiness"
    ) {
      if (method !== "GET" && method !== "HEAD") throw notAllowed();
      if (p === "/health/liveliness" || p === "/health/liveness") return sendJson(res, 200, "I'm alive!");
      if (p === "/health/readiness") return sendJson(res, 200, { status: "healthy", db: "Not connected" });
      const healthy = state.modelList.map((model) => ({ model }));
      return sendJson(res, 200, {
        healthy_endpoints: healthy,
        unhealthy_endpoints: [],
        healthy_count: healthy.length,
        unhealthy_count: 0,
      });
    }
    const known =
      p === "/models" ||
      p.startsWith("/models/") ||
      p === "/model/info" ||
      p === "/chat/completions" ||
      path.startsWith("/sim/");
    if (!known) throw new NotFound();
    try {
      authorize(req);
    } catch (err) {
      state.counters.unauthorized++;
      throw err;
    }
    if (p === "/chat/completions") {
      if (method !== "POST") throw notAllowed();
      return handleChat(state, req, res, path);
    }
    if (p === "/models") {
      if (method !== "GET") throw notAllowed();
      return sendJson(res, 200, { object: "list", data: state.modelList.map(modelObject) });
    }
    if (p === "/model/info") {
      if (method !== "GET") throw notAllowed();
      return sendJson(res, 200, { data: state.modelList.map(modelInfo) });
    }
    if (p.startsWith("/models/")) {
      if (method !== "GET") throw notAllowed();
      const id = decodeURIComponent(p.slice("/models/".length));
      if (!state.models.has(id))
        throw new SimHttpError(404, `model ${id} not found`, { type: "invalid_request_error" });
      return sendJson(res, 200, modelObject(id));
    }
    return simRoute(req, res, method, path);
  }

  // Control routes for a simulator run as its own process (tests of a started system).
  async function simRoute(req: IncomingMessage, res: ServerResponse, method: string, path: string) {
    if (path === "/sim/counters" && method === "GET") return sendJson(res, 200, state.counters);
    if (path === "/sim/requests" && method === "GET") return sendJson(res, 200, state.requests);
    if (path === "/sim/reset" && method === "POST") {
      reset();
      return sendJson(res, 200, { ok: true });
    }
    if (path === "/sim/scenario" && method === "PUT") {
      const body = await readJson(req);
      try {
        state.scenario = compileScenario(body);
      } catch (err) {
        throw new SimHttpError(400, (err as Error).message, { type: "invalid_request_error" });
      }
      return sendJson(res, 200, { ok: true });
    }
    if (path.startsWith("/sim/faults/") && (method === "PUT" || method === "DELETE")) {
      const model = decodeURIComponent(path.slice("/sim/faults/".length));
      const fault = method === "PUT" ? await readJson(req) : undefined;
      try {
        setFault(model, fault as Fault | undefined);
      } catch (err) {
        throw new SimHttpError(400, (err as Error).message, { type: "invalid_request_error" });
      }
      return sendJson(res, 200, { ok: true });
    }
    throw new NotFound();
  }

  const server = createServer((req, res) => {
    state.counters.requests++;
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    route(req, res, method, path).catch((err) => {
      if (err instanceof NotFound) return sendJson(res, 404, { detail: "Not Found" });
      if (err instanceof MethodNotAllowed) return sendJson(res, 405, { detail: "Method Not Allowed" });
      sendError(res, err);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0, backlog: 4096 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host =
    addr.address === "0.0.0.0"
      ? "127.0.0.1"
      : addr.address === "::"
        ? "[::1]"
        : addr.family === "IPv6"
          ? `[${addr.address}]`
          : addr.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${addr.port}`,
    counters: state.counters,
    requests: state.requests,
    setFault,
    setScenario(s: Scenario) {
      state.scenario = compileScenario(s);
    },
    reset,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

class NotFound extends Error {}
class MethodNotAllowed extends Error {}
const notAllowed = () => new MethodNotAllowed();
