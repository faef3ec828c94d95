/**
 * A client that behaves as Texera's own frontend agent service does, written from reading its source:
 * apache/texera at b29e5be1be08a6df37b7b3c0e45d19d1aa743342 (the branch of PR #5558),
 *   AS = frontend/src/app/workspace/service/agent/agent.service.ts
 *   AT = frontend/src/app/workspace/service/agent/agent-types.ts
 *   AC = frontend/src/app/workspace/component/agent-panel/agent-chat/agent-chat.component.ts (visibleSteps)
 * It sends what that frontend sends and reads every answer and frame the way it does (Angular's HttpClient
 * and RxJS subjects become fetch and plain fields). What it shows a user is kept in `view` per agent and in
 * `notifications`. Nothing here is this service's own protocol: no ticket, no deltas, no extra field read.
 */
import WebSocket from "ws";

/** AT:29-34 — the enum's values are display strings. */
export enum AgentState {
  UNAVAILABLE = "Unavailable",
  AVAILABLE = "Available",
  GENERATING = "Generating",
  STOPPING = "Stopping",
}

/** AT:38-72 — the frontend's ReActStep after convertApiReActStep. */
export interface ReActStep {
  messageId: string;
  stepId: number;
  timestamp: Date;
  role: "user" | "agent";
  content: string;
  isBegin: boolean;
  isEnd: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: Texera types these as any[]
  toolCalls?: any[];
  // biome-ignore lint/suspicious/noExplicitAny: Texera types these as any[]
  toolResults?: any[];
  usage?: { inputTokens?: number; outputTokens?: number; totalTokens?: number; cachedInputTokens?: number };
  inputMessages?: unknown[];
  operatorAccess?: Map<
    number,
    { viewedOperatorIds: string[]; addedOperatorIds: string[]; modifiedOperatorIds: string[] }
  >;
  id: string;
  parentId?: string;
  messageSource?: string;
  beforeWorkflowContent?: unknown;
  afterWorkflowContent?: unknown;
}

/** AS:46-63 */
export interface AgentSettingsApi {
  maxOperatorResultCharLimit?: number;
  maxOperatorResultCellCharLimit?: number;
  operatorResultSerializationMode?: "tsv";
  toolTimeoutSeconds?: number;
  executionTimeoutMinutes?: number;
  disabledTools?: string[];
  maxSteps?: number;
  allowedOperatorTypes?: string[];
}

/** AS:68-81 */
export interface AgentInfo {
  id: string;
  name: string;
  modelType: string;
  isBaselineMode: boolean;
  createdAt: Date;
  state?: AgentState;
  delegate?: { userInfo: unknown; workflowId?: number; workflowName?: string };
  settings?: AgentSettingsApi;
}

export interface OperatorResultSummary {
  state: string;
  inputTuples: number;
  outputTuples: number;
  outputColumns?: number;
  error?: string;
  totalRowCount?: number;
  sampleRecords?: Record<string, unknown>[];
}

/** What one agent's tab shows: AgentStateTracking (AS:163-183) without the RxJS plumbing. */
export interface AgentView {
  state: AgentState;
  steps: ReActStep[];
  headId: string | null;
  /** the canvas: the Workflow whose `content` the chat component loads into the editor (AC:263-288) */
  workflow: { content: unknown } | null;
  wsWorkflowActive: boolean;
  websocket?: WebSocket;
  /** every parsed frame, in order (for the test's own checks, not something the frontend keeps) */
  frames: { type?: string }[];
}

// biome-ignore lint/suspicious/noExplicitAny: the frontend reads frames and bodies as any
type Any = any;

export class TexeraFrontendClient {
  readonly agents = new Map<string, AgentInfo>();
  readonly views = new Map<string, AgentView>();
  /** notificationService.error / .warning as the user sees them */
  readonly notifications: { level: "error" | "warning"; text: string }[] = [];
  /** console.warn("Unknown agent WebSocket message type:", …) (AS:587-588) */
  readonly unknownFrameTypes: string[] = [];
  /** operatorResultSummariesSubject (AS:1290-1330) */
  operatorResultSummaries = new Map<string, OperatorResultSummary>();

  /** AGENT_API_BASE = "/api" (AS:198); the models call uses AppSettings.getApiEndpoint() = "api" (AS:877). */
  constructor(
    private readonly origin: string,
    readonly accessToken: string,
  ) {}

  /** AS:242-253: Authorization on every call, X-Agent-Workflow-Id when the agent has a workflow id. */
  private headers(agentId?: string): Record<string, string> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.accessToken}` };
    const wid = agentId === undefined ? undefined : this.agents.get(agentId)?.delegate?.workflowId;
    if (wid !== undefined) headers["x-agent-workflow-id"] = String(wid);
    return headers;
  }

  /** HttpClient: JSON in and out; a non-2xx answer is an HttpErrorResponse whose `error` is the body. */
  private async http(method: string, path: string, body?: unknown, agentId?: string): Promise<Any> {
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers: {
        ...this.headers(agentId),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = text === "" ? null : JSON.parse(text);
    if (!res.ok) throw { status: res.status, error: parsed, message: `Http failure response: ${res.status}` };
    return parsed;
  }

  /** AS:301-314 */
  mapStateToAgentState(state: string): AgentState {
    switch (state) {
      case "AVAILABLE":
        return AgentState.AVAILABLE;
      case "GENERATING":
        return AgentState.GENERATING;
      case "STOPPING":
        return AgentState.STOPPING;
      default:
        return AgentState.UNAVAILABLE;
    }
  }

  /** AS:320-356 */
  convertApiReActStep(apiStep: Any): ReActStep {
    let operatorAccess: ReActStep["operatorAccess"];
    if (apiStep.operatorAccess) {
      operatorAccess = new Map();
      for (const [key, value] of Object.entries(apiStep.operatorAccess))
        operatorAccess.set(Number.parseInt(key, 10), value as Any);
    }
    return {
      messageId: apiStep.messageId,
      stepId: apiStep.stepId || 0,
      timestamp: new Date(apiStep.timestamp),
      role: apiStep.role || "agent",
      content: apiStep.content || "",
      isBegin: apiStep.isBegin || false,
      isEnd: apiStep.isEnd || false,
      toolCalls: apiStep.toolCalls,
      toolResults: apiStep.toolResults?.map((tr: Any) => ({
        ...tr,
        result: tr.output || tr.result,
        output: tr.output || tr.result,
      })),
      usage: apiStep.usage,
      inputMessages: apiStep.inputMessages,
      operatorAccess,
      id: apiStep.id || `${apiStep.messageId}-${apiStep.stepId || 0}`,
      parentId: apiStep.parentId,
      messageSource: apiStep.messageSource,
      beforeWorkflowContent: apiStep.beforeWorkflowContent,
      afterWorkflowContent: apiStep.afterWorkflowContent,
    };
  }

  private toAgentInfo(response: Any): AgentInfo {
    return {
      id: response.id,
      name: response.name,
      modelType: response.modelType,
      isBaselineMode: false,
      createdAt: new Date(response.createdAt),
      state: this.mapStateToAgentState(response.state),
      delegate: response.delegate
        ? {
            userInfo: response.delegate.userInfo,
            workflowId: response.delegate.workflowId,
            workflowName: response.delegate.workflowName,
          }
        : undefined,
      settings: response.settings,
    };
  }

  private tracking(agentId: string): AgentView {
    let view = this.views.get(agentId);
    if (!view) {
      view = {
        state: AgentState.UNAVAILABLE,
        steps: [],
        headId: null,
        workflow: null,
        wsWorkflowActive: false,
        frames: [],
      };
      this.views.set(agentId, view);
    }
    return view;
  }

  /** AS:702-759: {modelType, name} and, with a token, userToken (+ workflowId, computingUnitId). */
  async createAgent(
    modelType: string,
    customName?: string,
    workflowId?: number,
    computingUnitId?: number,
  ): Promise<AgentInfo> {
    const body: Any = { modelType, name: customName };
    const userToken = this.accessToken;
    if (userToken) {
      body.userToken = userToken;
      if (workflowId !== undefined) body.workflowId = workflowId;
      if (computingUnitId !== undefined) body.computingUnitId = computingUnitId;
    }
    try {
      const response = await this.http("POST", "/api/agents", JSON.parse(JSON.stringify(body)));
      const agentInfo = this.toAgentInfo(response);
      this.agents.set(response.id, agentInfo);
      const view = this.tracking(response.id);
      view.state = agentInfo.state || AgentState.AVAILABLE;
      return agentInfo;
    } catch (error) {
      const err = error as { error?: { error?: string }; message?: string };
      const errorMsg = err.error?.error || err.message || "Failed to create agent";
      this.notifications.push({ level: "error", text: errorMsg });
      throw new Error(errorMsg);
    }
  }

  /** AS:803-845: the list replaces the cache; agents missing from it are forgotten. */
  async getAllAgents(): Promise<AgentInfo[]> {
    try {
      const response = await this.http("GET", "/api/agents");
      const agents = response.agents.map((a: Any) => this.toAgentInfo(a));
      const backend = new Set(agents.map((a: AgentInfo) => a.id));
      for (const id of [...this.agents.keys()]) if (!backend.has(id)) this.forget(id);
      for (const agent of agents) this.agents.set(agent.id, agent);
      return agents;
    } catch {
      return [...this.agents.values()];
    }
  }

  /** AS:764-797 */
  async getAgent(agentId: string): Promise<AgentInfo> {
    const cached = this.agents.get(agentId);
    if (cached) return cached;
    try {
      const agentInfo = this.toAgentInfo(
        await this.http("GET", `/api/agents/${agentId}`, undefined, agentId),
      );
      this.agents.set(agentId, agentInfo);
      return agentInfo;
    } catch {
      throw new Error(`Agent with ID ${agentId} not found`);
    }
  }

  /** AS:850-869: removed locally when the answer says deleted (and on any error). */
  async deleteAgent(agentId: string): Promise<boolean> {
    try {
      const response = await this.http("DELETE", `/api/agents/${agentId}`, undefined, agentId);
      if (response.deleted) this.forget(agentId);
      return response.deleted;
    } catch {
      this.forget(agentId);
      return true;
    }
  }

  /** AS:874-901 */
  async fetchModelTypes(): Promise<{ id: string; name: string; description: string; icon: string }[]> {
    try {
      const response = await this.http("GET", "/api/agents/models");
      return response.data.map((model: Any) => ({
        id: model.id,
        name: model.id
          .split("-")
          .map((w: string) => w.charAt(0).toUpperCase() + w.slice(1))
          .join(" "),
        description: `Model: ${model.id}`,
        icon: "robot",
      }));
    } catch {
      return [];
    }
  }

  /** AS:609-632 + AS:416-453: the socket with access-token; a non-1000 close marks the agent unavailable. */
  activateAgent(agentId: string): Promise<void> {
    const view = this.tracking(agentId);
    const url = `${this.origin.replace(/^http/, "ws")}/api/agents/${agentId}/react?access-token=${encodeURIComponent(this.accessToken)}`;
    const ws = new WebSocket(url);
    view.websocket = ws;
    return new Promise((resolve, reject) => {
      ws.on("message", (data) => {
        try {
          const message = JSON.parse(data.toString());
          this.handleWebSocketMessage(agentId, view, message);
          resolve();
        } catch (error) {
          reject(error);
        }
      });
      ws.on("unexpected-response", (_req, res) =>
        reject(new Error(`socket refused: HTTP ${res.statusCode}`)),
      );
      ws.on("error", reject);
      ws.on("close", (code) => {
        if (view.websocket === ws) {
          view.websocket = undefined;
          if (code !== 1000) view.state = AgentState.UNAVAILABLE;
        }
        resolve();
      });
    });
  }

  /** AS:460-590, case by case. */
  private handleWebSocketMessage(agentId: string, tracking: AgentView, message: Any): void {
    tracking.frames.push(message);
    switch (message.type) {
      case "init":
        if (message.state) tracking.state = this.mapStateToAgentState(message.state);
        if (message.steps && Array.isArray(message.steps))
          tracking.steps = message.steps.map((s: Any) => this.convertApiReActStep(s));
        if (message.headId !== undefined) tracking.headId = message.headId;
        if (message.workflowContent) {
          tracking.wsWorkflowActive = true;
          tracking.workflow = {
            ...(message.workflowMetadata || tracking.workflow || {}),
            content: message.workflowContent,
          };
        }
        if (message.operatorResults) this.updateOperatorResultSummaries(message.operatorResults);
        break;
      case "step":
        if (message.step) {
          const converted = this.convertApiReActStep(message.step);
          const current = tracking.steps;
          const existing = current.findIndex(
            (s) => s.messageId === converted.messageId && s.stepId === converted.stepId,
          );
          if (existing >= 0) {
            const updated = [...current];
            updated[existing] = converted;
            tracking.steps = updated;
          } else {
            tracking.steps = [...current, converted];
          }
          if (converted.id) tracking.headId = converted.id;
          if (converted.afterWorkflowContent) {
            tracking.wsWorkflowActive = true;
            tracking.workflow = { ...(tracking.workflow || {}), content: converted.afterWorkflowContent };
          }
        }
        break;
      case "state":
        if (message.state) tracking.state = this.mapStateToAgentState(message.state);
        break;
      case "complete":
        if (message.state) tracking.state = this.mapStateToAgentState(message.state);
        if (message.operatorResults) this.updateOperatorResultSummaries(message.operatorResults);
        break;
      case "headChange":
        if (message.headId !== undefined) tracking.headId = message.headId;
        if (message.steps && Array.isArray(message.steps))
          tracking.steps = message.steps.map((s: Any) => this.convertApiReActStep(s));
        if (message.workflowContent) {
          tracking.wsWorkflowActive = true;
          tracking.workflow = {
            ...(message.workflowMetadata || tracking.workflow || {}),
            content: message.workflowContent,
          };
        }
        if (message.operatorResults) this.updateOperatorResultSummaries(message.operatorResults);
        break;
      case "error":
        if (message.error === "Agent not found") {
          this.agents.delete(agentId);
          tracking.state = AgentState.UNAVAILABLE;
          this.stopStatePolling(agentId);
          this.notifications.push({
            level: "warning",
            text: "Agent was removed (backend may have restarted)",
          });
        } else {
          this.notifications.push({ level: "error", text: message.error || "Agent error occurred" });
        }
        break;
      default:
        this.unknownFrameTypes.push(String(message.type));
    }
  }

  /** AS:915-936 */
  sendMessage(agentId: string, message: string, messageSource: "chat" | "feedback" = "chat"): void {
    if (!this.agents.get(agentId)) {
      this.notifications.push({ level: "error", text: `Agent with ID ${agentId} not found` });
      return;
    }
    const ws = this.views.get(agentId)?.websocket;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      this.notifications.push({ level: "error", text: "WebSocket connection not available" });
      return;
    }
    ws.send(JSON.stringify({ type: "message", content: message, messageSource }));
  }

  /** AS:980-998: over the socket when open, else POST /stop. */
  async stopGeneration(agentId: string): Promise<void> {
    const ws = this.views.get(agentId)?.websocket;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "stop" }));
    else await this.http("POST", `/api/agents/${agentId}/stop`, {}, agentId).catch(() => {});
  }

  /** AS:952-960 */
  async getReActSteps(agentId: string): Promise<ReActStep[]> {
    try {
      const response = await this.http("GET", `/api/agents/${agentId}/react-steps`, undefined, agentId);
      return response.steps.map((s: Any) => this.convertApiReActStep(s));
    } catch {
      return [];
    }
  }

  /** AS:965-976 */
  async clearMessages(agentId: string): Promise<void> {
    await this.http("POST", `/api/agents/${agentId}/clear`, {}, agentId).then(
      () => {
        const view = this.views.get(agentId);
        if (view) view.steps = [];
      },
      () => {},
    );
  }

  /** AS:1049-1051: the frontend waits for headChange itself. */
  checkoutStep(agentId: string, stepId: string): Promise<Any> {
    return this.http("POST", `/api/agents/${agentId}/checkout`, { stepId }, agentId);
  }

  /** AS:1066-1082 */
  async getSystemInfo(agentId: string): Promise<{
    systemPrompt: string;
    tools: { name: string; description: string; inputSchema: unknown; enabled: boolean }[];
  }> {
    try {
      return await this.http("GET", `/api/agents/${agentId}/system-info`, undefined, agentId);
    } catch {
      return { systemPrompt: "Unable to retrieve system prompt", tools: [] };
    }
  }

  /** AS:1179-1196 */
  async getAgentSettings(agentId: string): Promise<AgentSettingsApi> {
    try {
      return await this.http("GET", `/api/agents/${agentId}/settings`, undefined, agentId);
    } catch {
      return {
        maxOperatorResultCharLimit: 20000,
        maxOperatorResultCellCharLimit: 4000,
        toolTimeoutSeconds: 120,
        executionTimeoutMinutes: 10,
        disabledTools: [],
        maxSteps: 10,
        allowedOperatorTypes: [],
      };
    }
  }

  /** AS:1202-1224 */
  async updateAgentSettings(agentId: string, settings: Partial<AgentSettingsApi>): Promise<AgentSettingsApi> {
    try {
      const response = await this.http("PATCH", `/api/agents/${agentId}/settings`, settings, agentId);
      const agent = this.agents.get(agentId);
      if (agent) agent.settings = response;
      return response;
    } catch (error) {
      const err = error as { error?: { error?: string }; message?: string };
      const errorMsg = err.error?.error || err.message || "Failed to update agent settings";
      this.notifications.push({ level: "error", text: errorMsg });
      throw new Error(errorMsg);
    }
  }

  /** AS:1230-1236 */
  async getAvailableOperatorTypes(agentId: string): Promise<{ type: string; description: string }[]> {
    try {
      return await this.http("GET", `/api/agents/${agentId}/operator-types`, undefined, agentId);
    } catch {
      return [];
    }
  }

  /** AS:1250-1266 */
  async getStepsByOperatorIds(agentId: string, operatorIds: string[]): Promise<{ steps: ReActStep[] }> {
    try {
      const response = await this.http(
        "POST",
        `/api/agents/${agentId}/steps-by-operators`,
        { operatorIds },
        agentId,
      );
      return { steps: response.steps.map((s: Any) => this.convertApiReActStep(s)) };
    } catch {
      return { steps: [] };
    }
  }

  /** AS:1333-1344 */
  async fetchOperatorResults(agentId: string): Promise<void> {
    let response: { results: Record<string, OperatorResultSummary> };
    try {
      response = await this.http("GET", `/api/agents/${agentId}/operator-results`, undefined, agentId);
    } catch {
      response = { results: {} };
    }
    this.updateOperatorResultSummaries(response.results);
  }

  /** AS:1318-1324 */
  private updateOperatorResultSummaries(results: Record<string, OperatorResultSummary>): void {
    this.operatorResultSummaries = new Map(Object.entries(results));
  }

  /** AS:611-663 (deactivate) and the cleanup of AS:593-605. */
  private stopStatePolling(agentId: string): void {
    const view = this.views.get(agentId);
    if (!view) return;
    view.websocket?.close();
    view.websocket = undefined;
  }

  private forget(agentId: string): void {
    this.agents.delete(agentId);
    this.stopStatePolling(agentId);
    this.views.delete(agentId);
  }

  /** AC:571-584: the steps on the path from HEAD back through parentId; all when HEAD is null. */
  visibleSteps(agentId: string): ReActStep[] {
    const view = this.views.get(agentId);
    if (!view) return [];
    const steps = view.steps;
    if (!view.headId || steps.length === 0) return steps;
    const byId = new Map(steps.map((s) => [s.id, s]));
    const path: ReActStep[] = [];
    let current = byId.get(view.headId);
    while (current) {
      path.unshift(current);
      current = current.parentId ? byId.get(current.parentId) : undefined;
    }
    return path;
  }

  close(): void {
    for (const view of this.views.values()) view.websocket?.close();
  }
}
