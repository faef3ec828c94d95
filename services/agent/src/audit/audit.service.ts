import type { AuditPage, AuditQuery } from "@texera-agent/protocol";
import type { FastifyBaseLogger, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { AgentDatabase } from "../db/schema.ts";
import type { DeferredWrites } from "../repositories/deferred-writes.ts";
import { userOf } from "../routes/request-user.ts";
import type { AuditConfig } from "./audit-config.ts";
import { AuditEvents, type NewAuditEvent } from "./audit-events.ts";
import { type ClientAddress, createClientAddress, parseTrustedProxies } from "./client-address.ts";

/** Who did it and from where: the verified user and the client's address (see client-address.ts). */
export interface AuditActor {
  userId: number;
  userName: string;
  address: string | undefined;
}

/** The agent an event is about. */
export interface AuditedAgent {
  id: string;
  modelType: string;
}

/** A run an event is about: its id and the agent and model it runs. */
export interface AuditedRun {
  runId: string;
  agentId: string;
  model: string;
}

export interface AuditServiceDeps {
  events: AuditEvents;
  address: ClientAddress;
  /** AUDIT_PROMPTS=1: run.start events keep the user's message. */
  prompts: boolean;
  log: FastifyBaseLogger;
}

/**
 * The audit log, written by the services where each thing happens (agent created or deleted, run started
 * or ended) and read by ADMIN (GET /api/agents/audit). A failed write is logged, never the caller's
 * failure: the agent was created, the run did end. Never a token; a prompt only with AUDIT_PROMPTS=1.
 */
export class AuditService {
  constructor(private readonly deps: AuditServiceDeps) {}

  /** The actor of a request: its verified user, and the client address behind trusted proxies. */
  actor(req: FastifyRequest): AuditActor {
    const user = userOf(req);
    return {
      userId: user.userId,
      userName: user.sub,
      address: this.deps.address(req.socket.remoteAddress, req.headers["x-forwarded-for"]),
    };
  }

  /** Settles once the event is saved (or its failure logged), so the answer follows its audit row. */
  agentCreated(actor: AuditActor, agent: AuditedAgent): Promise<void> {
    return this.write({ ...actor, action: "agent.create", agentId: agent.id, model: agent.modelType });
  }

  /** As agentCreated. */
  agentDeleted(actor: AuditActor, agent: AuditedAgent): Promise<void> {
    return this.write({ ...actor, action: "agent.delete", agentId: agent.id, model: agent.modelType });
  }

  /** Written in the background: a run does not wait for its audit row. */
  runStarted(actor: AuditActor, run: AuditedRun, prompt: string): void {
    void this.write({
      ...actor,
      action: "run.start",
      agentId: run.agentId,
      model: run.model,
      detail: { runId: run.runId, ...(this.deps.prompts ? { prompt } : {}) },
    });
  }

  /** `tokens`: all the run's model turns together, as LiteLLM reported them. In the background. */
  runEnded(actor: AuditActor, run: AuditedRun, tokens: number, reason: string): void {
    void this.write({
      ...actor,
      action: "run.end",
      agentId: run.agentId,
      model: run.model,
      tokens,
      detail: { runId: run.runId, reason },
    });
  }

  /** ADMIN's read: newest first, filtered and paged. */
  page(query: AuditQuery): Promise<AuditPage> {
    return this.deps.events.page(query);
  }

  private write(event: NewAuditEvent): Promise<void> {
    return this.deps.events
      .append(event)
      .catch((err) => this.deps.log.error({ err, action: event.action }, "could not write an audit event"));
  }
}

/** The audit log over the service's database, appended through its group commit, from its configuration. */
export function createAuditService(options: {
  db: Kysely<AgentDatabase>;
  writes: DeferredWrites;
  now: () => Date;
  log: FastifyBaseLogger;
  config?: AuditConfig;
}): AuditService {
  return new AuditService({
    events: new AuditEvents(options.db, options.writes, options.now),
    address: createClientAddress(parseTrustedProxies(options.config?.trustedProxies)),
    prompts: options.config?.prompts ?? false,
    log: options.log,
  });
}
