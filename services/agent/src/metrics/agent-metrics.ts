import { Counter, Gauge, Histogram, type Registry } from "@texera-agent/service-kit";
import type { LlmObserver } from "./instrument-llm.ts";

export interface AgentMetricsSources {
  /** Runs under way right now (read at each scrape). */
  runsInProgress(): number;
  /** Open WebSockets right now (read at each scrape). */
  sockets(): number;
  /** Replicas over PostgreSQL: whether the cluster connections are up (absent: one process, no series). */
  clusterUp?(): boolean;
}

export interface AgentMetrics {
  /** Counts a run that ended, by the reason its `complete` frame gives (or `interrupted` by a shutdown). */
  runEnded(reason: string): void;
  /** Counts runs of a replica that is gone, closed by this one's sweep. */
  orphansClosed(count: number): void;
  /** Counts a database failure no request saw: a pool connection lost, a cluster NOTIFY or unlock failed. */
  databaseError(source: "pool" | "notify" | "unlock"): void;
  llm: LlmObserver;
}

/** Model names come from agents' settings: at most this many get a series of their own, then "other". */
const MAX_MODELS = 50;
const MAX_MODEL_CHARS = 100;
const LLM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

/**
 * agent-service's own series in the app's registry: `agent_runs_in_progress` and `websocket_connections`
 * (gauges read at scrape time, nothing on the hot path), `agent_runs_total{reason}`, and per model
 * `llm_time_to_first_token_seconds`, `llm_request_duration_seconds`, `llm_requests_total{outcome}` and
 * `llm_tokens_total{kind="prompt|completion"}` (from the usage LiteLLM reports). Replicas over PostgreSQL
 * add `agent_cluster_link_up` (1 or 0) and `agent_orphaned_runs_closed_total`; `agent_database_errors_total{source}`
 * counts database failures no request saw (pool, notify, unlock).
 */
export function agentMetrics(registry: Registry, sources: AgentMetricsSources): AgentMetrics {
  new Gauge({
    name: "agent_runs_in_progress",
    help: "Agent runs under way",
    registers: [registry],
    collect() {
      this.set(sources.runsInProgress());
    },
  });
  new Gauge({
    name: "websocket_connections",
    help: "Open WebSockets (/api/agents/:id/react)",
    registers: [registry],
    collect() {
      this.set(sources.sockets());
    },
  });
  const { clusterUp } = sources;
  if (clusterUp) {
    new Gauge({
      name: "agent_cluster_link_up",
      help: "1 while this replica's LISTEN and lock connections to PostgreSQL are up, else 0 (runs are refused)",
      registers: [registry],
      collect() {
        this.set(clusterUp() ? 1 : 0);
      },
    });
  }
  const orphans = new Counter({
    name: "agent_orphaned_runs_closed_total",
    help: "Runs left by a replica that died (or lost the database), closed by this replica with an INTERRUPTED step",
    registers: [registry],
  });
  const databaseErrors = new Counter({
    name: "agent_database_errors_total",
    help: "Database failures no request saw, by source: pool (a connection lost while idle or mid-transaction), notify (frames not sent to other replicas), unlock (an agent lock not let go; the cluster link was recycled)",
    labelNames: ["source"] as const,
    registers: [registry],
  });
  const runs = new Counter({
    name: "agent_runs_total",
    help: "Agent runs that ended, by reason: done, stopped, max_steps, error, interrupted (service shut down)",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const firstToken = new Histogram({
    name: "llm_time_to_first_token_seconds",
    help: "From sending a chat completion to its first streamed text or tool call, by model",
    labelNames: ["model"] as const,
    buckets: LLM_BUCKETS,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "llm_request_duration_seconds",
    help: "From sending a chat completion to the end of its stream (or its failure), by model",
    labelNames: ["model"] as const,
    buckets: LLM_BUCKETS,
    registers: [registry],
  });
  const requests = new Counter({
    name: "llm_requests_total",
    help: "Chat completions by model and outcome: ok, error (refused, failed or cut), aborted (stop, delete, shutdown)",
    labelNames: ["model", "outcome"] as const,
    registers: [registry],
  });
  const tokens = new Counter({
    name: "llm_tokens_total",
    help: "Tokens LiteLLM reported in the usage of chat completions, by model and kind (prompt, completion)",
    labelNames: ["model", "kind"] as const,
    registers: [registry],
  });

  const models = new Set<string>();
  const modelLabel = (model: string): string => {
    if (models.has(model)) return model;
    if (models.size >= MAX_MODELS || model.length > MAX_MODEL_CHARS) return "other";
    models.add(model);
    return model;
  };

  return {
    runEnded: (reason) => runs.inc({ reason }),
    orphansClosed: (count) => orphans.inc(count),
    databaseError: (source) => databaseErrors.inc({ source }),
    llm: {
      modelLabel,
      firstToken: (model, seconds) => firstToken.observe({ model }, seconds),
      finished: (model, seconds, outcome) => {
        duration.observe({ model }, seconds);
        requests.inc({ model, outcome });
      },
      usage: (model, prompt, completion) => {
        if (prompt > 0) tokens.inc({ model, kind: "prompt" }, prompt);
        if (completion > 0) tokens.inc({ model, kind: "completion" }, completion);
      },
    },
  };
}
