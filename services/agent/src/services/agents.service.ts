import { randomUUID } from "node:crypto";
import { isAdmin, type UserClaims } from "@texera-agent/auth";
import {
  type Agent,
  type AgentSettings,
  type CreateAgentBody,
  DEFAULT_AGENT_SETTINGS,
  type ReActStep,
  type SettingsPatch,
  type Workflow,
} from "@texera-agent/protocol";
import type { Coordinator } from "../cluster/coordinator.ts";
import { AgentServiceError, agentBusy, agentNotFound } from "../errors.ts";
import type { LiveAgents } from "../live/live-agents.ts";
import type { AgentRecord, Repositories } from "../repositories/index.ts";
import { settingsOf, toAgentDto } from "./agent-dto.ts";
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
  toolNames(): string[];
  now(): Date;
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

  dto(record: AgentRecord): Agent {
    return toAgentDto(record, this.deps.live.state(record.id));
  }

  async create(user: UserClaims, body: CreateAgentBody): Promise<Agent> {
    await this.checkModel(body.modelType);
    const settings = withoutNulls({ ...DEFAULT_AGENT_SETTINGS, ...(body.settings ?? {}) });
    this.checkTools(settings.disabledTools);
    const record: AgentRecord = {
      id: randomUUID(),
      ownerId: user.userId,
      name: body.name?.trim() || `${body.modelType} agent`,
      modelType: body.modelType,
      settings,
      createdAt: this.deps.now().toISOString(),
    };
    await this.deps.repos.agents.insert(record);
    return this.dto(record);
  }

  async list(user: UserClaims, all: boolean): Promise<Agent[]> {
    if (all && !isAdmin(user.role)) {
      throw new AgentServiceError("ADMIN_ONLY", "only an ADMIN may list every user's agents (all=true)");
    }
    const records = all
      ? await this.deps.repos.agents.listAll()
      : await this.deps.repos.agents.listByOwner(user.userId);
    return records.map((r) => this.dto(r));
  }

  async get(user: UserClaims, id: string): Promise<Agent> {
    return this.dto(await this.owned(user, id));
  }

  /** Stops a running agent first (the upstream request is cancelled), then deletes it and its history. */
  async delete(user: UserClaims, id: string): Promise<void> {
    const record = await this.owned(user, id);
    const lease = await this.deps.runs.quiesce(record.id);
    try {
      await this.deps.repos.agents.delete(record.id);
    } finally {
      lease?.release();
    }
    this.deps.live.closeAll(record.id, AGENT_DELETED_CODE, AGENT_DELETED_REASON);
    this.deps.coordinator?.command(record.id, "deleted");
  }

  async settings(user: UserClaims, id: string): Promise<AgentSettings> {
    return settingsOf(await this.owned(user, id));
  }

  /** Changes apply from the next run on; a run in progress keeps the settings it started with. */
  async patchSettings(user: UserClaims, id: string, patch: SettingsPatch): Promise<AgentSettings> {
    const record = await this.owned(user, id);
    const { modelType, ...rest } = patch;
    if (modelType !== undefined && modelType !== record.modelType) await this.checkModel(modelType);
    const settings = withoutNulls({ ...record.settings, ...rest });
    if (patch.systemPrompt === "") delete settings.systemPrompt;
    this.checkTools(settings.disabledTools);
    const next = modelType ?? record.modelType;
    await this.deps.repos.agents.updateSettings(record.id, next, settings);
    return { ...settings, modelType: next };
  }

  async stop(user: UserClaims, id: string): Promise<Agent> {
    const record = await this.owned(user, id);
    this.deps.runs.stop(record.id);
    return this.dto(record);
  }

  /** Forgets the conversation (the workflow stays); refused while the agent is answering. */
  async clear(user: UserClaims, id: string): Promise<Agent> {
    const record = await this.owned(user, id);
    if (this.deps.live.state(record.id) !== "AVAILABLE") throw agentBusy("clear its history");
    await this.deps.runs.clearHistory(record);
    return this.dto(record);
  }

  async steps(user: UserClaims, id: string): Promise<ReActStep[]> {
    const record = await this.owned(user, id);
    return this.deps.repos.steps.list(record.id);
  }

  async workflow(user: UserClaims, id: string): Promise<Workflow> {
    const record = await this.owned(user, id);
    return this.deps.repos.workflows.get(record.id);
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
    const names = this.deps.toolNames();
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
