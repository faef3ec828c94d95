import type { FastifyBaseLogger, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { AuditConfig } from "../audit/audit-config.ts";
import { AuditEvents } from "../audit/audit-events.ts";
import { type ClientAddress, createClientAddress, parseTrustedProxies } from "../audit/client-address.ts";
import type { AgentDatabase } from "../db/schema.ts";
import type { Usage } from "../react/turn.ts";
import type { DeferredWrites } from "../repositories/deferred-writes.ts";
import type { AgentRecord } from "../repositories/index.ts";
import type { SqlClient } from "../repositories/sql.ts";
import { userOf } from "../routes/request-user.ts";
import type { RunHooks } from "../services/run-hooks.ts";
import type { RunLimitsConfig } from "./limits-config.ts";
import { RunLimits } from "./run-limits.ts";
import { SqlSharedRunCounts } from "./shared-run-counts.ts";
import { TokenUsage } from "./token-usage.ts";

export interface RunGateDeps {
  /** Absent: no limits (tests of the loop alone, benchmarks). */
  limits?: RunLimits;
  audit: AuditEvents;
  /** AUDIT_PROMPTS=1: run.start events keep the user's message. */
  auditPrompts: boolean;
  address: ClientAddress;
  log: FastifyBaseLogger;
}

interface ActiveRun {
  userId: number;
  userName: string;
  agentId: string;
  model: string;
  address: string | undefined;
  tokens: number;
  release: () => void;
}

/**
 * Every run passes here: the limits decide whether it may start (a refusal throws RunLimitError before any
 * LLM request), the audit log gets run.start and run.end (with the tokens LiteLLM reported), and the
 * user's daily spend grows with each model turn.
 */
export class RunGate implements RunHooks {
  private readonly runs = new Map<string, ActiveRun>();

  constructor(private readonly deps: RunGateDeps) {}

  /** Checks the limits, then calls `start` (which starts the run and may throw, e.g. AGENT_BUSY). */
  async start(
    req: FastifyRequest,
    record: AgentRecord,
    content: string,
    start: () => { runId: string },
  ): Promise<void> {
    const user = userOf(req);
    const admission = this.deps.limits ? await this.deps.limits.admit(user) : undefined;
    let runId: string;
    try {
      runId = start().runId;
    } catch (error) {
      admission?.release();
      throw error;
    }
    admission?.started(runId);
    const run: ActiveRun = {
      userId: user.userId,
      userName: user.sub,
      agentId: record.id,
      model: record.modelType,
      address: this.deps.address(req.socket.remoteAddress, req.headers["x-forwarded-for"]),
      tokens: 0,
      release: () => admission?.release(),
    };
    this.runs.set(runId, run);
    this.write(run, "run.start", undefined, {
      runId,
      ...(this.deps.auditPrompts ? { prompt: content } : {}),
    });
  }

  usage(runId: string, usage: Usage): void {
    const run = this.runs.get(runId);
    if (!run || !(usage.totalTokens > 0)) return;
    run.tokens += usage.totalTokens;
    this.deps.limits
      ?.spend(run.userId, usage.totalTokens)
      .catch((err) => this.deps.log.error({ err, runId }, "could not count a run's tokens"));
  }

  ended(runId: string, reason: string): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.runs.delete(runId);
    run.release();
    this.write(run, "run.end", run.tokens, { runId, reason });
  }

  /** Hands the token counts not yet written to the group commit (at shutdown, before its last flush). */
  flush(): Promise<void> {
    return this.deps.limits?.flush() ?? Promise.resolve();
  }

  private write(run: ActiveRun, action: "run.start" | "run.end", tokens: number | undefined, detail: object) {
    this.deps.audit
      .append({
        userId: run.userId,
        userName: run.userName,
        action,
        agentId: run.agentId,
        model: run.model,
        address: run.address,
        detail: detail as Record<string, unknown>,
        ...(tokens === undefined ? {} : { tokens }),
      })
      .catch((err) => this.deps.log.error({ err, action }, "could not write an audit event"));
  }
}

/** The gate and the audit log over one database, from the service's configuration. */
export function createRunGate(options: {
  db: Kysely<AgentDatabase>;
  sql: SqlClient;
  /** Where the audit events and token counters are written (committed once per event-loop turn). */
  writes: DeferredWrites;
  now: () => Date;
  limits?: RunLimitsConfig;
  /**
   * Count concurrent and per-minute runs over every replica sharing the database (PostgreSQL only: pass
   * `database.dialect === "postgres"`); otherwise they are counted in this process. Default false.
   */
  sharedCounts?: boolean;
  audit?: AuditConfig;
  log: FastifyBaseLogger;
}): { gate: RunGate; events: AuditEvents; address: ClientAddress } {
  const { writes } = options;
  const events = new AuditEvents(options.db, writes, options.now);
  const address = createClientAddress(parseTrustedProxies(options.audit?.trustedProxies));
  const limits =
    options.limits &&
    new RunLimits(
      options.limits,
      new TokenUsage(options.sql, writes),
      options.now,
      options.sharedCounts ? new SqlSharedRunCounts(options.sql) : undefined,
    );
  const gate = new RunGate({
    limits,
    audit: events,
    auditPrompts: options.audit?.prompts ?? false,
    address,
    log: options.log,
  });
  return { gate, events, address };
}
