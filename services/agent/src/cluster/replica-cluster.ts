import type { FastifyBaseLogger } from "fastify";
import type { LiveAgents } from "../live/live-agents.ts";
import type { Repositories } from "../repositories/index.ts";
import type { RunRecord } from "../repositories/runs.repository.ts";
import type { SqlClient } from "../repositories/sql.ts";
import { AGENT_DELETED_CODE, AGENT_DELETED_REASON } from "../services/agents.service.ts";
import { closeInterruptedRun } from "../services/recover-interrupted-runs.ts";
import type { RunsService } from "../services/runs.service.ts";
import type { Coordinator } from "./coordinator.ts";

export interface ReplicaClusterDeps {
  coordinator: Coordinator;
  live: LiveAgents;
  runs: RunsService;
  repos: Repositories;
  sql: SqlClient;
  now: () => Date;
  log: FastifyBaseLogger;
  /** How often to look for runs whose replica is gone (AGENT_CLUSTER_SWEEP_MS). */
  sweepMs: number;
  /** Told how many runs of a replica that is gone a sweep closed (metrics). */
  onOrphansClosed?(count: number): void;
}

/**
 * After the database connection is back, how long the sockets of an agent whose run from before the outage
 * another replica is still closing wait for that close before their fresh init (else the init shows the
 * run as GENERATING and without its INTERRUPTED step, which only the frames after it bring).
 */
export const RESYNC_SETTLE_MS = 1_500;

export const LINK_LOST_NOTICE =
  "agent-service lost its connection to the database: updates of this agent pause until it is back (usually within seconds); the conversation will then be sent again.";

/**
 * One replica's part in the cluster: frames and commands from the other replicas reach the sockets and
 * runs here, runs left behind by a replica that died are closed (an INTERRUPTED system step every socket
 * sees, and the agent free again) within one sweep, and a lost database connection stops the runs here and
 * resends every socket its conversation once the connection is back.
 */
export class ReplicaCluster {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  /** The runs here being stopped since the link went down. */
  private stopping: Promise<void> = Promise.resolve();
  /** When the link went down (the first time, if it flapped), until it is back. */
  private downAt: number | undefined;

  constructor(private readonly deps: ReplicaClusterDeps) {
    const { live, runs } = deps;
    deps.coordinator.attach({
      frame: (id, text, meta) => live.deliver(id, text, meta),
      command: (id, command) => {
        if (command === "stop") runs.stop(id, "user", true);
        else if (command === "abort") runs.abortLocal(id);
        else live.closeAll(id, AGENT_DELETED_CODE, AGENT_DELETED_REASON);
      },
      down: () => this.linkDown(),
      up: () => void this.linkUp(),
    });
  }

  /** Connects, closes the runs of replicas that are gone, and starts sweeping. Returns how many it closed. */
  async start(): Promise<number> {
    await this.deps.coordinator.start();
    await this.refreshRemoteStates();
    const closed = await this.sweep();
    this.timer = setInterval(() => this.tick(), this.deps.sweepMs);
    this.timer.unref();
    return closed;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping?.catch(() => {});
    await this.deps.coordinator.close();
  }

  /**
   * Closes every run marked running whose agent's lock nobody holds: its replica died (or lost the
   * database) before it could end it. Returns how many.
   */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    const { repos, live, coordinator, log } = this.deps;
    const running = await repos.runs.listRunning();
    let closed = 0;
    for (const run of running) {
      if (this.deps.runs.isRunningHere(run.agentId)) continue;
      const lease = await coordinator.acquire(run.agentId).catch(() => undefined);
      if (!lease) continue;
      try {
        // Its replica may have ended it between the list and the lock.
        if ((await repos.runs.get(run.id))?.status !== "running") continue;
        const step = await closeInterruptedRun(this.deps.sql, repos, run, this.deps.now);
        live.broadcast(run.agentId, { type: "step", step });
        live.broadcast(run.agentId, { type: "step", step }, false, null);
        live.broadcast(
          run.agentId,
          { type: "complete", state: "AVAILABLE", operatorResults: {}, runId: run.id, reason: "error" },
          true,
        );
        closed++;
      } catch (error) {
        log.error({ err: error, runId: run.id }, "could not close a run left by a replica that is gone");
      } finally {
        lease.release();
      }
    }
    if (closed > 0) {
      log.warn(`${closed} run(s) left by a replica that is gone were marked interrupted`);
      this.deps.onOrphansClosed?.(closed);
    }
    return closed;
  }

  private tick(): void {
    if (!this.deps.coordinator.isUp || this.sweeping) return;
    this.deps.coordinator
      .ping()
      .then(() => this.sweep())
      .catch((error) => this.deps.log.warn({ err: error }, "cluster sweep failed"));
  }

  /**
   * The agents running elsewhere, as the database says (frames keep it current from then on). Returns the
   * runs it read as running.
   */
  private async refreshRemoteStates(): Promise<RunRecord[]> {
    this.deps.live.beginRemoteRefresh();
    const running = await this.deps.repos.runs.listRunning();
    this.deps.live.setRemoteStates(running.map((r) => [r.agentId, "GENERATING"] as const));
    return running;
  }

  private linkDown(): void {
    const { live, runs, log } = this.deps;
    this.downAt ??= Date.now();
    // Its locks are gone with the connection: another replica could take these agents. Stop them here.
    this.stopping = runs
      .shutdown(5_000, "database")
      .catch((error) => log.error({ err: error }, "stopping runs failed"));
    const frame = JSON.stringify({ type: "error", error: LINK_LOST_NOTICE, code: "DATABASE_UNAVAILABLE" });
    for (const id of live.watched()) {
      if (!runs.isRunningHere(id) && live.remoteState(id) !== undefined) live.deliver(id, frame, undefined);
    }
  }

  private async linkUp(): Promise<void> {
    const { live, runs, log } = this.deps;
    // The runs stopped here must have ended first: until then they show as GENERATING, and the sweep
    // cannot close what they leave marked running.
    await this.stopping;
    const downAt = this.downAt ?? Date.now();
    this.downAt = undefined;
    let running: RunRecord[] = [];
    try {
      await this.sweep();
      running = await this.refreshRemoteStates();
    } catch (error) {
      log.warn({ err: error }, "cluster resync after reconnecting failed");
    }
    // Frames of the outage are lost: every socket gets the conversation again, as the database has it.
    // An agent whose run from before the outage is still marked running (another replica holds its lock:
    // it is closing it now, or that replica never lost the database) waits a moment for that run's end.
    const settling = new Set(
      running
        .filter((r) => Date.parse(r.startedAt) < downAt && !runs.isRunningHere(r.agentId))
        .map((r) => r.agentId),
    );
    const resync = (id: string) => {
      for (const w of live.watchersOf(id)) w.resync?.();
    };
    const waiting: string[] = [];
    for (const id of live.watched()) {
      if (settling.has(id)) waiting.push(id);
      else resync(id);
    }
    const until = Date.now() + RESYNC_SETTLE_MS;
    while (waiting.length > 0) {
      for (let i = waiting.length - 1; i >= 0; i--) {
        if (live.remoteState(waiting[i]!) === undefined || Date.now() >= until) {
          resync(waiting[i]!);
          waiting.splice(i, 1);
        }
      }
      if (waiting.length > 0) await new Promise((r) => setTimeout(r, 50));
    }
  }
}
