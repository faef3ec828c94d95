import type {
  Agent,
  CreateAgentBody,
  CreateUserBody,
  Dataset,
  DatasetList,
  LoginBody,
  LoginResponse,
  ModelList,
  OperatorResultList,
  OperatorResultsResponse,
  ReActStep,
  SettingsPatch,
  SettingsView,
  UpdateUserBody,
  User,
  Workflow,
  WsTicketResponse,
} from "@texera-agent/protocol";
import { type ApiError, errorForStatus, NetworkError, ServerError, UnauthorizedError } from "./api-errors.ts";

export interface ApiClientOptions {
  /** Prefix of every path; "" for the same origin (the gateway serves the app and /api). */
  baseUrl?: string;
  /** The session's JWT, read on every call. */
  getToken: () => string | null;
  /** Called when a signed-in call answers 401 (expired or revoked session); the error is thrown too. */
  onUnauthorized?: (error: UnauthorizedError) => void;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** An upload of a large file on a slow line takes longer than a plain call. */
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

/**
 * The REST client of the web app: every call carries `Authorization: Bearer <jwt>`, every failure is one of
 * the typed errors of api-errors.ts.
 */
export class ApiClient {
  readonly #baseUrl: string;
  readonly #getToken: () => string | null;
  readonly #onUnauthorized: ((error: UnauthorizedError) => void) | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.#baseUrl = options.baseUrl ?? "";
    this.#getToken = options.getToken;
    this.#onUnauthorized = options.onUnauthorized;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Signs in; a wrong name or password is an UnauthorizedError that does not trigger onUnauthorized. */
  async login(body: LoginBody): Promise<LoginResponse> {
    try {
      return await this.#request<LoginResponse>("POST", "/api/auth/login", body, { auth: false });
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        throw new UnauthorizedError("Wrong user name or password.", error.serverMessage);
      }
      throw error;
    }
  }

  listModels(): Promise<ModelList> {
    return this.#request<ModelList>("GET", "/api/agents/models");
  }

  async listAgents(): Promise<Agent[]> {
    return unwrapList<Agent>(await this.#request("GET", "/api/agents"), "agents");
  }

  async createAgent(body: CreateAgentBody): Promise<Agent> {
    return unwrap<Agent>(await this.#request("POST", "/api/agents", body), "agent", "id");
  }

  async getAgent(id: string): Promise<Agent> {
    return unwrap<Agent>(await this.#request("GET", agentPath(id)), "agent", "id");
  }

  /** Renames the agent (this service's PATCH /api/agents/:id). */
  async renameAgent(id: string, name: string): Promise<Agent> {
    return unwrap<Agent>(await this.#request("PATCH", agentPath(id), { name }), "agent", "id");
  }

  /** Empties the agent's workflow, keeping the conversation; the socket then gets `headChange`. */
  async clearWorkflow(id: string): Promise<Workflow> {
    return unwrap<Workflow>(
      await this.#request("DELETE", `${agentPath(id)}/workflow`),
      "workflow",
      "operators",
    );
  }

  async deleteAgent(id: string): Promise<void> {
    await this.#request("DELETE", agentPath(id));
  }

  async getSettings(id: string): Promise<SettingsView> {
    return unwrap<SettingsView>(
      await this.#request("GET", `${agentPath(id)}/settings`),
      "settings",
      "maxSteps",
    );
  }

  async updateSettings(id: string, patch: SettingsPatch): Promise<SettingsView> {
    const body = await this.#request("PATCH", `${agentPath(id)}/settings`, patch);
    return unwrap<SettingsView>(body, "settings", "maxSteps");
  }

  /** A single-use, 30 s ticket that opens the agent's socket (so the JWT never goes into a URL). */
  async wsTicket(id: string): Promise<WsTicketResponse> {
    return this.#request<WsTicketResponse>("POST", `${agentPath(id)}/ws-ticket`);
  }

  async stopAgent(id: string): Promise<void> {
    await this.#request("POST", `${agentPath(id)}/stop`);
  }

  async clearAgent(id: string): Promise<void> {
    await this.#request("POST", `${agentPath(id)}/clear`);
  }

  async getSteps(id: string): Promise<ReActStep[]> {
    return unwrapList<ReActStep>(await this.#request("GET", `${agentPath(id)}/react-steps`), "steps");
  }

  async getWorkflow(id: string): Promise<Workflow> {
    return unwrap<Workflow>(await this.#request("GET", `${agentPath(id)}/workflow`), "workflow", "operators");
  }

  /** The latest results, from Texera's map by operator id back to rows in the order of their columns. */
  async getOperatorResults(id: string): Promise<OperatorResultList> {
    const body = await this.#request<OperatorResultsResponse>("GET", `${agentPath(id)}/operator-results`);
    if (!body || typeof body.results !== "object" || body.results === null || Array.isArray(body.results)) {
      throw new ServerError(200, 'the answer to this request holds no "results" map');
    }
    return {
      ...(body.targetOperatorId ? { targetOperatorId: body.targetOperatorId } : {}),
      ...(body.executedAt ? { executedAt: body.executedAt } : {}),
      results: Object.entries(body.results).map(([operatorId, r]) => {
        const columns =
          r.columns ?? Object.keys(r.sampleRecords?.[0] ?? {}).map((name) => ({ name, type: "" }));
        return {
          operatorId,
          operatorType: r.operatorType ?? "",
          columns,
          rows: (r.sampleRecords ?? []).map((record) => columns.map((c) => record[c.name])),
          rowCount: r.totalRowCount ?? r.outputTuples,
          truncated: r.truncated ?? false,
          elapsedMs: r.elapsedMs ?? 0,
          ...(r.error ? { error: r.error } : {}),
        };
      }),
    };
  }

  /** Moves the agent's HEAD to a step (Texera's checkout); the socket then gets `headChange`. */
  async checkout(id: string, stepId: string): Promise<void> {
    await this.#request("POST", `${agentPath(id)}/checkout`, { stepId });
  }

  async listDatasets(): Promise<Dataset[]> {
    return unwrapList<Dataset>(await this.#request<DatasetList>("GET", "/api/agents/datasets"), "datasets");
  }

  /** Uploads a file as a raw body named by `?name=`; the type is the file's (octet-stream when unknown). */
  async uploadDataset(file: Blob, name: string, options: { contentType?: string } = {}): Promise<Dataset> {
    const type = options.contentType || file.type || "application/octet-stream";
    const path = `/api/agents/datasets?name=${encodeURIComponent(name)}`;
    return unwrap<Dataset>(
      await this.#request("POST", path, file, { contentType: type, timeoutMs: UPLOAD_TIMEOUT_MS }),
      "dataset",
      "id",
    );
  }

  async deleteDataset(id: string): Promise<void> {
    await this.#request("DELETE", `/api/agents/datasets/${encodeURIComponent(id)}`);
  }

  async listUsers(): Promise<User[]> {
    return unwrapList<User>(await this.#request("GET", "/api/auth/users"), "users");
  }

  async createUser(body: CreateUserBody): Promise<User> {
    return unwrap<User>(await this.#request("POST", "/api/auth/users", body), "user", "id");
  }

  async updateUser(id: number, body: UpdateUserBody): Promise<User> {
    const answer = await this.#request("PATCH", `/api/auth/users/${encodeURIComponent(String(id))}`, body);
    return unwrap<User>(answer, "user", "id");
  }

  async #request<T = unknown>(
    method: Method,
    path: string,
    body?: unknown,
    {
      auth = true,
      contentType,
      timeoutMs = this.#timeoutMs,
    }: { auth?: boolean; contentType?: string; timeoutMs?: number } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = contentType ?? "application/json";
    if (auth) {
      const token = this.#getToken();
      if (!token) throw this.#unauthorized(new UnauthorizedError());
      headers.authorization = `Bearer ${token}`;
    }
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : contentType ? (body as BodyInit) : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "TimeoutError") {
        throw new NetworkError("The server did not answer in time. Try again in a moment.");
      }
      throw new NetworkError();
    }
    const text = await response.text().catch(() => "");
    const parsed = parseJson(text);
    if (!response.ok) {
      const error = errorForStatus(response.status, serverMessageOf(parsed));
      throw auth && error instanceof UnauthorizedError ? this.#unauthorized(error) : error;
    }
    return parsed as T;
  }

  #unauthorized(error: UnauthorizedError): ApiError {
    this.#onUnauthorized?.(error);
    return error;
  }
}

function agentPath(id: string): string {
  return `/api/agents/${encodeURIComponent(id)}`;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `{error: "..."}` is the error shape of every service; anything else (an HTML page from a proxy) is ignored. */
function serverMessageOf(body: unknown): string | undefined {
  if (body && typeof body === "object" && "error" in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === "string" && error.trim() !== "") return error;
  }
  return undefined;
}

/** Accepts both a bare object and one wrapped as `{[key]: object}`. */
function unwrap<T>(body: unknown, key: string, marker: string): T {
  if (body && typeof body === "object" && !(marker in body) && key in body) {
    return (body as Record<string, unknown>)[key] as T;
  }
  return body as T;
}

function unwrapList<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === "object" && Array.isArray((body as Record<string, unknown>)[key])) {
    return (body as Record<string, unknown>)[key] as T[];
  }
  throw new ServerError(200, `the answer to this request holds no "${key}" list`);
}
