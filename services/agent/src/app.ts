import websocket from "@fastify/websocket";
import type { TokenVerifier } from "@texera-agent/auth";
import { type Database, isDatabaseUnreachable } from "@texera-agent/db";
import {
  type AgentSettings,
  type OperatorResultMap,
  toAnnotation,
  type Workflow,
} from "@texera-agent/protocol";
import {
  installAuthHook,
  installErrorHandling,
  installMetrics,
  installProbes,
  type LoggerConfig,
  loggerOptions,
} from "@texera-agent/service-kit";
import Fastify, { type FastifyInstance } from "fastify";
import { sql } from "kysely";
import { auditRoutes } from "./audit/audit.routes.ts";
import { createAuditService } from "./audit/audit.service.ts";
import type { AuditConfig } from "./audit/audit-config.ts";
import { type Coordinator, LocalCoordinator, PgCoordinator } from "./cluster/coordinator.ts";
import { ReplicaCluster } from "./cluster/replica-cluster.ts";
import type { AgentServiceConfig } from "./config.ts";
import { datasetsRoutes } from "./datasets/index.ts";
import type { UploadBounds } from "./datasets/upload-bounds.ts";
import type { AgentDatabase } from "./db/schema.ts";
import {
  type Engine,
  executionTools,
  loadOperatorResults,
  saveOperatorResults,
  schemaContext,
  withResultRecording,
  withSchemaCheck,
} from "./engine/index.ts";
import { type Directory, refineByDirectory } from "./identity/current-user.ts";
import { DEFAULT_MAX_SOCKETS_PER_USER } from "./identity/identity-config.ts";
import { SocketSessions } from "./identity/socket-sessions.ts";
import type { RunLimitsConfig } from "./limits/limits-config.ts";
import { createRunGate } from "./limits/run-gate.ts";
import { LiveAgents } from "./live/live-agents.ts";
import { agentMetrics, instrumentLlm } from "./metrics/index.ts";
import { createLlmClient, type LlmClient } from "./react/llm-client.ts";
import { buildSystemPrompt } from "./react/system-prompt.ts";
import { ToolRegistry } from "./react/tool-registry.ts";
import type { AgentTool } from "./react/tool-types.ts";
import { DeferredWrites } from "./repositories/deferred-writes.ts";
import { createRepositories } from "./repositories/index.ts";
import { agentInfoRoutes } from "./routes/agent-info.routes.ts";
import { agentsRoutes } from "./routes/agents.routes.ts";
import { healthRoutes } from "./routes/health.routes.ts";
import { historyRoutes } from "./routes/history.routes.ts";
import { modelsRoutes } from "./routes/models.routes.ts";
import { operatorResultsRoutes } from "./routes/operator-results.routes.ts";
import { closeAfterError, reactSocket } from "./routes/react.socket.ts";
import { runControlRoutes } from "./routes/run-control.routes.ts";
import { settingsRoutes } from "./routes/settings.routes.ts";
import { settingsOf } from "./services/agent-dto.ts";
import { AgentsService } from "./services/agents.service.ts";
import { ModelsService } from "./services/models.service.ts";
import { RunsService } from "./services/runs.service.ts";
import { createTicketGuard, type TicketsOptions } from "./tickets/ticket-guard.ts";
import { wsTicketRoutes } from "./tickets/ws-ticket.routes.ts";
import { OPERATOR_CATALOG, workflowSummary, workflowTools } from "./workflow/index.ts";

export interface AppDeps {
  config: Pick<AgentServiceConfig, "litellmBaseUrl" | "litellmMasterKey" | "modelsCacheSeconds" | "llm">;
  verify: TokenVerifier;
  /** Opened and migrated (see openAgentDatabase); the caller closes it after the app. */
  database: Database<AgentDatabase>;
  /**
   * The workflow engine (DuckDB, datasets). With it the agent gets the execution tools, schema-checked
   * editing tools, the datasets routes and the data's columns in its system prompt; without it (tests of
   * the loop alone) only the workflow-editing tools.
   */
  engine?: Engine;
  /** Default: see engine. */
  tools?: readonly AgentTool[];
  /** Default: the OpenAI SDK pointed at config.litellmBaseUrl with the master key. */
  llm?: LlmClient;
  /** When set, GET /metrics needs it as a bearer token (METRICS_TOKEN, read by config.ts). */
  metricsToken?: string;
  /** false: no logging (benchmarks); default: pino at LOG_LEVEL to stdout. */
  logger?: LoggerConfig | false;
  now?: () => Date;
  /** WebSocket keep-alive ping interval (tests shorten it). */
  pingIntervalMs?: number;
  /** WebSocket tickets (POST /api/agents/:id/ws-ticket); without them only access-token opens a socket. */
  tickets?: TicketsOptions;
  /** Per-user run limits and token budgets (src/limits); absent: none. */
  limits?: RunLimitsConfig;
  /** Audit log options (src/audit); the log itself is always written. */
  audit?: AuditConfig;
  /** How long a dataset upload's body may stall or take (src/datasets/upload-bounds.ts defaults when absent). */
  uploads?: UploadBounds;
  /**
   * Several replicas over one PostgreSQL database (src/cluster): the database URL for the replica's own
   * LISTEN/lock connection, and how often to close the runs of replicas that are gone. Absent: this process
   * is the only one (runs cut short by an earlier process are the caller's to close at start-up).
   */
  cluster?: { url: string; sweepMs?: number };
  /**
   * Who callers are now (src/identity): access-control's user directory, whose roles and deactivations
   * override the tokens' (REST and open sockets alike); the per-user cap on open sockets; how often open
   * sockets are checked. Absent: tokens are judged by their claims alone, DEFAULT_MAX_SOCKETS_PER_USER, 1 s.
   */
  identity?: { directory?: Directory; maxSocketsPerUser?: number; sweepMs?: number };
}

/** agent-service as a Fastify instance: the guard, the REST routes and the WebSocket, wired to their services. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
  const app = Fastify({
    logger: deps.logger === false ? false : loggerOptions(deps.logger ?? {}),
    // Unknown fields are refused with a 400 that names them, never silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    bodyLimit: 256 * 1024,
    return503OnClosing: true,
    // A long id is answered like any unknown id (404), not 414.
    routerOptions: { maxParamLength: 2048 },
  });
  installErrorHandling(app, { unavailable: isDatabaseUnreachable });
  const metrics = installMetrics(app, {
    token: deps.metricsToken,
  });
  // The plugin first: its onRequest hook marks upgrade requests, so that a socket refused by the auth hook
  // below is destroyed after its HTTP answer instead of lingering half-open.
  // Its sockets are closed below, after the runs in progress have ended (preClose at the end).
  // No permessage-deflate: small JSON frames gain little from it, and it costs CPU and memory per socket.
  await app.register(websocket, {
    options: { maxPayload: 256 * 1024, perMessageDeflate: false },
    preClose: (done) => done(),
    errorHandler: (_error, socket) => closeAfterError(socket),
  });
  // A refused upgrade's socket is destroyed after its answer: say so, or a proxy that keeps upstream
  // connections alive (nginx) may send the next request down the dead one and answer 502.
  app.addHook("onSend", async (request, reply) => {
    if (request.headers.upgrade && reply.statusCode !== 101) reply.header("connection", "close");
  });
  const tickets = deps.tickets && createTicketGuard({ ...deps.tickets, db: deps.database.db, now });
  const directory = deps.identity?.directory;
  installAuthHook(app, {
    verify: deps.verify,
    verifyTicket: tickets?.verifyTicket,
    ...(directory && { refine: refineByDirectory(directory) }),
  });
  const sessions = new SocketSessions({
    ...(directory && { directory }),
    maxSocketsPerUser: deps.identity?.maxSocketsPerUser ?? DEFAULT_MAX_SOCKETS_PER_USER,
    sweepMs: deps.identity?.sweepMs ?? 1_000,
    now,
  });

  const { config } = deps;
  const measured = agentMetrics(metrics.registry, {
    runsInProgress: () => runs.inProgress,
    sockets: () => app.websocketServer.clients.size,
    ...(deps.cluster && { clusterUp: () => coordinator.isUp }),
  });
  const llm = instrumentLlm(
    deps.llm ?? createLlmClient({ baseUrl: config.litellmBaseUrl, masterKey: config.litellmMasterKey }),
    measured.llm,
  );
  const { engine } = deps;
  const db = deps.database.db;
  const tools = new ToolRegistry(
    deps.tools ??
      (engine
        ? [
            ...withSchemaCheck(workflowTools(), { engine }),
            ...withResultRecording(executionTools({ engine }), (agentId, headId, execution) =>
              saveOperatorResults(deps.database.sql, agentId, headId, execution),
            ),
          ]
        : workflowTools()),
  );
  const operatorTypes = OPERATOR_CATALOG;
  const repos = createRepositories(deps.database.sql);
  deps.database.onConnectionError((error) => {
    measured.databaseError("pool");
    app.log.warn(
      { err: error },
      "a database connection was lost (idle or between statements); the pool drops it",
    );
  });
  const coordinator: Coordinator = deps.cluster
    ? new PgCoordinator(deps.cluster.url, app.log, { onFailure: (kind) => measured.databaseError(kind) })
    : new LocalCoordinator();
  const live = new LiveAgents(
    coordinator.shared ? (id, data, meta) => coordinator.publish(id, data, meta) : undefined,
  );
  const models = new ModelsService(llm, {
    cacheSeconds: config.modelsCacheSeconds,
    timeoutMs: config.llm.modelsTimeoutMs,
    now: () => now().getTime(),
  });
  // Group commit for the writes of runs (steps, run rows) and their bookkeeping (audit, token counts).
  const writes = new DeferredWrites(deps.database.sql);
  const audit = createAuditService({ db, writes, now, log: app.log, config: deps.audit });
  const gate = createRunGate({
    db,
    sql: deps.database.sql,
    writes,
    now,
    limits: deps.limits,
    // Replicas share PostgreSQL: count a user's runs across all of them.
    sharedCounts: deps.database.dialect === "postgres",
    audit,
    log: app.log,
  });
  const systemPrompt = async (workflow: Workflow, settings: AgentSettings, userId: number) =>
    buildSystemPrompt({
      workflow,
      // Texera's allowedOperatorTypes: the types the agent is told about (empty: all).
      operatorTypes:
        settings.allowedOperatorTypes.length > 0
          ? operatorTypes.filter((t) => settings.allowedOperatorTypes.includes(t.operatorType))
          : operatorTypes,
      summarize: workflowSummary,
      extra: [engine ? await schemaContext(engine, workflow, userId) : undefined, settings.systemPrompt]
        .filter((part) => part)
        .join("\n\n"),
    });
  const operatorResults = async (agentId: string, path: readonly string[]): Promise<OperatorResultMap> => {
    const list = await loadOperatorResults(deps.database.sql, agentId, path);
    return Object.fromEntries(list.results.map((r) => [r.operatorId, toAnnotation(r)]));
  };
  const runs = new RunsService({
    commits: writes,
    repos,
    live,
    coordinator,
    llm,
    tools,
    policy: config.llm,
    contextWindow: (model: string) => models.contextWindow(model),
    systemPrompt,
    operatorResults,
    now,
    log: app.log,
    gate,
    hooks: gate,
    onRunEnd: (reason) => measured.runEnded(reason),
  });
  const agents = new AgentsService({
    repos,
    live,
    coordinator,
    runs,
    knownModels: () => models.knownIds(),
    tools: () => tools.describe(),
    systemPrompt: (workflow, record) => systemPrompt(workflow, settingsOf(record), record.ownerId),
    operatorTypes: () => OPERATOR_CATALOG.map((t) => ({ type: t.operatorType, description: t.description })),
    operatorResults,
    now,
    audit,
  });

  healthRoutes(app);
  const cluster =
    deps.cluster &&
    new ReplicaCluster({
      coordinator,
      live,
      runs,
      repos,
      sql: deps.database.sql,
      now,
      log: app.log,
      sweepMs: deps.cluster.sweepMs ?? 2_000,
      onOrphansClosed: (count) => measured.orphansClosed(count),
    });
  if (cluster) {
    // Before the first request: connected, and the runs of replicas that are gone closed.
    app.addHook("onReady", async () => {
      const closed = await cluster.start();
      app.log.info(`cluster: replica ${coordinator.replicaId}; ${closed} orphaned run(s) closed at start`);
    });
  }
  installProbes(app, {
    checks: {
      database: () => sql`select 1`.execute(db),
      ...(cluster && {
        cluster: async () => {
          if (!coordinator.isUp) throw new Error("no cluster connection to PostgreSQL");
        },
      }),
    },
  });
  modelsRoutes(app, models);
  agentsRoutes(app, agents, audit);
  settingsRoutes(app, agents);
  runControlRoutes(app, agents);
  historyRoutes(app, agents);
  agentInfoRoutes(app, agents);
  operatorResultsRoutes(app, agents);
  if (engine) {
    await app.register(
      datasetsRoutes({
        store: engine.datasets,
        maxBytes: engine.settings.maxDatasetBytes,
        bounds: deps.uploads,
      }),
    );
  }
  if (tickets) wsTicketRoutes(app, agents, tickets);
  auditRoutes(app, audit);
  reactSocket(app, { agents, runs, live, sessions, pingIntervalMs: deps.pingIntervalMs });

  // Runs in progress end with a step saying the service stopped (sent to their sockets), then every socket
  // is closed as "going away" (1001): clients reconnect elsewhere.
  app.addHook("preClose", async () => {
    await runs.shutdown();
    for (const socket of app.websocketServer.clients) socket.close(1001, "agent-service is shutting down");
    app.websocketServer.close();
  });
  // The audit events and token counts of those last ends are saved before the caller closes the database.
  app.addHook("onClose", async () => {
    sessions.stop();
    await gate.flush();
    await writes.flush();
    await cluster?.close();
  });
  return app;
}
