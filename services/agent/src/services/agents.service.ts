import { randomUUID } from "node:crypto";
import { isAdmin, type UserClaims } from "@texera-agent/auth";
import {
  type Agent,
  type AgentDetail,
  type CheckoutResponse,
  type CreateAgentBody,
  DEFAULT_AGENT_SETTINGS,
  emptyWorkflow,
  type HeadChangeFrame,
  type InitFrame,
  type OperatorResultMap,
  type OperatorTypeList,
  PREVIEW_CHARS,
  pathToHead,
  type ReActStep,
  ROOT_STEP_ID,
  type SettingsPatch,
  type SettingsView,
  type SystemInfo,
  touchedBy,
  type Workflow,
} from "@texera-agent/protocol";
import type { AuditActor, AuditService } from "../audit/audit.service.ts";
import type { Coordinator } from "../cluster/coordinator.ts";
import { AgentServiceError, agentBusy, agentNotFound } from "../errors.ts";
import type { LiveAgents } from "../live/live-agents.ts";
import type { AgentRecord, Repositories } from "../repositories/index.ts";
import { settingsOf, settingsView, toAgentDto } from "./agent-dto.ts";
import type { RunsService } from "./runs.service.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The close code and reason a socket gets when its agent is deleted (on every replica). */
export const AGENT_DELETED_CODE = 4404;
export const AGENT_DELETED_REASON = "the agent was deleted";

export interface AgentsServiceDeps {
  repos: Repositories;
  live: LiveAgents;
  /** Tells the other replicas of a deletion (absent: one process alone). */
  coordinator?: Pick<Coordinator, "command">;
  runs: RunsService;
  /** The model ids LiteLLM lists, or undefined when it cannot be asked right now. */
  knownModels(): Promise<Set<string> | undefined>;
  /** The tools, in the order the model is offered them, with their JSON Schemas. */
  tools(): { name: string; description: string; parameters: unknown }[];
  /** The system prompt an agent's next run would start with. */
  systemPrompt(workflow: Workflow, record: AgentRecord): Promise<string>;
  operatorTypes(): OperatorTypeList;
  /** The results visible on `path` (step ids, root to HEAD; results follow the tree) keyed by operator id. */
  operatorResults(agentId: string, path: readonly string[]): Promise<OperatorResultMap>;
  now(): Date;
  /** Where agent.create and agent.delete are recorded. */
  audit: AuditService;
}

/**
 * The rules about agents: each belongs to the user who created it; another user's agent is answered
 * exactly as a missing one (404), ADMIN included: ADMIN only gets the list of everyone's agents.
 */
export class AgentsService {
  constructor(private readonly deps: AgentsServiceDeps) {}

  /** The caller's agent, or AGENT_NOT_FOUND: a malformed id, a missing id and another user's id alike. */
  async owned(user: UserClaims, id: string): Promise<AgentRecord> {
    if (!UUID.test(id)) throw agentNotFound(id);
    const record = await this.deps.repos.agents.findById(id.toLowerCase());
    if (!record || record.ownerId !== user.userId) throw agentNotFound(id);
    return record;
  }

  /** The agent as stored now (HEAD and settings may have changed since it was loaded), if it still exists. */
  reload(id: string): Promise<AgentRecord | undefined> {
    return this.deps.repos.agents.findById(id);
  }

  dto(record: AgentRecord): Agent {
    return toAgentDto(record, this.deps.runs.state(record.id));
  }

  /**
   * Texera's create: `userToken`, `workflowId` and `computingUnitId` are accepted and not used — the agent
   * belongs to the verified caller, and the token is dropped here, never stored, logged or echoed.
   * `actor`: who the audit log names (the user, from the client's address).
   */
  async create(user: UserClaims, body: CreateAgentBody, actor: AuditActor): Promise<Agent> {
    const { userToken: _dropped, workflowId: _wid, computingUnitId: _cuid, ...wanted } = body;
    await this.checkModel(wanted.modelType);
    const settings = this.applyPatch({ ...DEFAULT_AGENT_SETTINGS }, wanted.settings ?? {});
    const record: AgentRecord = {
      id: randomUUID(),
      ownerId: user.userId,
      name: wanted.name?.trim() || `${wanted.modelType} agent`,
      modelType: wanted.modelType,
      settings,
      createdAt: this.deps.now().toISOString(),
      headId: null,
    };
    await this.deps.repos.agents.insert(record);
    await this.deps.audit.agentCreated(actor, record);
    return this.dto(record);
  }

  async list(user: UserClaims, all: boolean): Promise<Agent[]> {
    if (all && !isAdmin(user.role)) {
      throw new AgentServiceError("ADMIN_ONLY", "only an ADMIN may list every user's agents (all=true)");
    }
    const records = all
      ? await this.deps.repos.agents.listAll()
      : await this.deps.repos.agents.listByOwner(user.userId);
    // extras Texera's frontend ignores: when each conversation last changed, and what was last asked
    const activity = await this.deps.repos.steps.activity(records.map((r) => r.id));
    return records.map((r) => {
      const seen = activity.get(r.id);
      if (!seen) return this.dto(r);
      const preview = seen.lastUserMessage?.replace(/\s+/g, " ").trim();
      return {
        ...this.dto(r),
        lastActivityAt: seen.lastActivityAt,
        ...(preview ? { preview: clip(preview, PREVIEW_CHARS) } : {}),
      };
    });
  }

  /** Renames the agent (allowed while it answers: the name is not part of a run). */
  async rename(user: UserClaims, id: string, name: string): Promise<Agent> {
    const record = await this.owned(user, id);
    const clean = name.replace(/\s+/g, " ").trim();
    await this.deps.repos.agents.rename(record.id, clean);
    return this.dto({ ...record, name: clean });
  }

  /**
   * Empties the agent's workflow; the conversation and HEAD stay (a checkout brings back the workflow of
   * any step). Refused while the agent answers. Every socket gets `headChange` with the empty workflow.
   */
  async clearWorkflow(user: UserClaims, id: string): Promise<Workflow> {
    const record = await this.owned(user, id);
    const workflow = emptyWorkflow();
    await this.exclusive(record.id, "clear its workflow", async () => {
      await this.deps.repos.workflows.put(record.id, workflow, this.deps.now().toISOString());
      const current = (await this.deps.repos.agents.findById(record.id)) ?? record;
      const steps = await this.deps.repos.steps.list(record.id);
      const operatorResults = await this.visibleResults(record.id, steps, current.headId);
      this.deps.live.broadcast(record.id, {
        type: "headChange",
        headId: current.headId ?? ROOT_STEP_ID,
        steps,
        workflowContent: workflow,
        operatorResults,
      });
    });
    return workflow;
  }

  /** Texera's GET /agents/:id: the agent, its workflow and how many steps it has (every branch). */
  async get(user: UserClaims, id: string): Promise<AgentDetail> {
    const record = await this.owned(user, id);
    const [workflow, steps] = await Promise.all([
      this.deps.repos.workflows.get(record.id),
      this.deps.repos.steps.nextIndex(record.id),
    ]);
    return { ...this.dto(record), workflow, stepCount: steps, headId: record.headId ?? ROOT_STEP_ID };
  }

  /**
   * Stops a running agent first (the upstream request is cancelled), then deletes it and its history.
   * `actor`: as in create.
   */
  async delete(user: UserClaims, id: string, actor: AuditActor): Promise<void> {
    const record = await this.owned(user, id);
    const lease = await this.deps.runs.quiesce(record.id);
    try {
      await this.deps.repos.agents.delete(record.id);
    } finally {
      lease?.release();
    }
    this.deps.live.closeAll(record.id, AGENT_DELETED_CODE, AGENT_DELETED_REASON);
    this.deps.coordinator?.command(record.id, "deleted");
    await this.deps.audit.agentDeleted(actor, record);
  }

  async settings(user: UserClaims, id: string): Promise<SettingsView> {
    return settingsView(await this.owned(user, id));
  }

  /** Changes apply from the next run on; a run in progress keeps the settings it started with. */
  async patchSettings(user: UserClaims, id: string, patch: SettingsPatch): Promise<SettingsView> {
    const record = await this.owned(user, id);
    const { modelType, ...rest } = patch;
    if (modelType !== undefined && modelType !== record.modelType) await this.checkModel(modelType);
    const settings = this.applyPatch({ ...DEFAULT_AGENT_SETTINGS, ...record.settings }, rest);
    const next = modelType ?? record.modelType;
    await this.deps.repos.agents.updateSettings(record.id, next, settings);
    return settingsView({ ...record, modelType: next, settings });
  }

  /** Texera's POST /stop. */
  async stop(user: UserClaims, id: string): Promise<{ status: "stopping" }> {
    const record = await this.owned(user, id);
    this.deps.runs.stop(record.id);
    return { status: "stopping" };
  }

  /**
   * Forgets the conversation (the workflow stays) and moves HEAD back to the root; refused while the agent
   * answers, here or on another replica. Every socket gets a fresh `init`.
   */
  async clear(user: UserClaims, id: string): Promise<{ status: "cleared" }> {
    const record = await this.owned(user, id);
    await this.exclusive(record.id, "clear its history", async () => {
      await this.deps.repos.steps.clear(record.id);
      await this.deps.repos.agents.setHead(record.id, null);
      this.deps.live.broadcast(record.id, await this.initFrame({ ...record, headId: null }));
    });
    return { status: "cleared" };
  }

  /**
   * Texera's checkout: HEAD moves to `stepId` (a step of any branch, or "step-initial"), the workflow becomes
   * the one after that step (a step without one, like the root or a stop, leaves it as it is), and every
   * socket gets `headChange`. Saved, so a restart or another replica sees the same. Refused while the agent
   * answers (Texera accepts it; here a run cannot have its HEAD moved under it).
   */
  async checkout(user: UserClaims, id: string, stepId: string): Promise<CheckoutResponse> {
    const record = await this.owned(user, id);
    const { repos } = this.deps;
    await this.exclusive(record.id, "check out a step", async () => {
      const step = stepId === ROOT_STEP_ID ? undefined : await repos.steps.find(record.id, stepId);
      if (stepId !== ROOT_STEP_ID && !step) {
        throw new AgentServiceError(
          "STEP_NOT_FOUND",
          `Step ${printable(stepId)} not found or checkout failed`,
        );
      }
      const headId = step ? step.id : null;
      await repos.agents.setHead(record.id, headId);
      let workflow = await repos.workflows.get(record.id);
      if (step?.afterWorkflowContent) {
        workflow = step.afterWorkflowContent;
        await repos.workflows.put(record.id, workflow, this.deps.now().toISOString());
      }
      const steps = await repos.steps.list(record.id);
      const operatorResults = await this.visibleResults(record.id, steps, headId);
      const frame: HeadChangeFrame = {
        type: "headChange",
        headId: headId ?? ROOT_STEP_ID,
        steps,
        workflowContent: workflow,
        operatorResults,
      };
      this.deps.live.broadcast(record.id, frame);
    });
    return { status: "checked out", headId: stepId };
  }

  async steps(user: UserClaims, id: string): Promise<{ steps: ReActStep[]; state: string }> {
    const record = await this.owned(user, id);
    return { steps: await this.deps.repos.steps.list(record.id), state: this.deps.runs.state(record.id) };
  }

  /** Texera's steps-by-operators: the steps that added or changed any of the ids; every step when empty. */
  async stepsByOperators(
    user: UserClaims,
    id: string,
    operatorIds: string[],
  ): Promise<{ steps: ReActStep[] }> {
    const record = await this.owned(user, id);
    const steps = await this.deps.repos.steps.list(record.id);
    if (operatorIds.length === 0) return { steps };
    const wanted = new Set(operatorIds);
    return { steps: steps.filter((s) => touchedBy(s).some((op) => wanted.has(op))) };
  }

  async workflow(user: UserClaims, id: string): Promise<Workflow> {
    const record = await this.owned(user, id);
    return this.deps.repos.workflows.get(record.id);
  }

  async operatorResults(user: UserClaims, id: string): Promise<OperatorResultMap> {
    const record = await this.owned(user, id);
    return this.visibleResults(record.id, await this.deps.repos.steps.list(record.id), record.headId);
  }

  /** Results follow the version tree: those stored on the path from the root to HEAD (Texera §5.5). */
  private visibleResults(
    agentId: string,
    steps: readonly ReActStep[],
    headId: string | null,
  ): Promise<OperatorResultMap> {
    return this.deps.operatorResults(
      agentId,
      pathToHead(steps, headId).map((s) => s.id),
    );
  }

  /** Texera's system-info: the prompt the next run starts with and every tool, `enabled` unless disabled. */
  async systemInfo(user: UserClaims, id: string): Promise<SystemInfo> {
    const record = await this.owned(user, id);
    const disabled = new Set(settingsOf(record).disabledTools);
    const workflow = await this.deps.repos.workflows.get(record.id);
    return {
      systemPrompt: await this.deps.systemPrompt(workflow, record),
      tools: this.deps.tools().map((t) => ({
        name: t.name,
        description: t.description,
        inputSchema: t.parameters,
        enabled: !disabled.has(t.name),
      })),
    };
  }

  async operatorTypes(user: UserClaims, id: string): Promise<OperatorTypeList> {
    await this.owned(user, id);
    return this.deps.operatorTypes();
  }

  /** What a socket gets first: state, every step, HEAD, results, the workflow and the agent. */
  async initFrame(record: AgentRecord): Promise<InitFrame> {
    const [steps, workflow] = await Promise.all([
      this.deps.repos.steps.list(record.id),
      this.deps.repos.workflows.get(record.id),
    ]);
    const operatorResults = await this.visibleResults(record.id, steps, record.headId);
    return {
      type: "init",
      state: this.deps.runs.state(record.id),
      steps,
      headId: record.headId ?? ROOT_STEP_ID,
      operatorResults,
      workflowContent: workflow,
      agent: this.dto(record),
    };
  }

  /** Runs `work` holding the agent's lease: no run here or on another replica meanwhile. */
  private async exclusive(agentId: string, what: string, work: () => Promise<void>): Promise<void> {
    const lease = await this.deps.runs.reserve(agentId).catch((error) => {
      throw error?.code === "AGENT_BUSY" ? agentBusy(what) : error;
    });
    try {
      await work();
    } finally {
      lease.release();
    }
  }

  /** Texera's names are translated to the stored ones; both names of one setting must agree. */
  private applyPatch(
    base: AgentRecord["settings"],
    patch: Omit<SettingsPatch, "modelType">,
  ): AgentRecord["settings"] {
    const { toolTimeoutSeconds, operatorResultSerializationMode: _tsv, ...rest } = patch;
    if (toolTimeoutSeconds !== undefined) {
      if (rest.toolTimeoutMs !== undefined && rest.toolTimeoutMs !== toolTimeoutSeconds * 1000) {
        throw new AgentServiceError(
          "INVALID_SETTINGS",
          "toolTimeoutSeconds and toolTimeoutMs disagree; send one of them",
        );
      }
      rest.toolTimeoutMs = toolTimeoutSeconds * 1000;
    }
    const settings = withoutNulls({ ...base, ...rest });
    if (rest.systemPrompt === "") delete settings.systemPrompt;
    this.checkTools(settings.disabledTools);
    return settings;
  }

  /** A model LiteLLM does not list is refused; when LiteLLM cannot be asked, the name is accepted. */
  private async checkModel(modelType: string): Promise<void> {
    const known = await this.deps.knownModels();
    if (known && !known.has(modelType)) {
      const names = [...known].slice(0, 20).join(", ");
      throw new AgentServiceError(
        "UNKNOWN_MODEL",
        `LiteLLM has no model "${modelType}"; choose one of: ${names || "(none listed)"}`,
      );
    }
  }

  private checkTools(disabled: readonly string[]): void {
    const names = this.deps.tools().map((t) => t.name);
    const unknown = disabled.filter((n) => !names.includes(n));
    if (unknown.length > 0) {
      throw new AgentServiceError(
        "INVALID_SETTINGS",
        `disabledTools names unknown tools: ${unknown.join(", ")}; the tools are: ${names.join(", ")}`,
      );
    }
  }
}

/** A setting patched to null is cleared (temperature, topP, contextWindowTokens: then not sent). */
function withoutNulls<T extends object>(settings: T): { [K in keyof T]: Exclude<T[K], null> } {
  for (const [key, value] of Object.entries(settings)) {
    if (value === null) delete (settings as Record<string, unknown>)[key];
  }
  return settings as { [K in keyof T]: Exclude<T[K], null> };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const printable = (id: string) => {
  const clean = id.replace(/[^\w-]/g, "?");
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
};
