import { randomUUID } from "node:crypto";
import type { AgentSettings, ReActStep, ServerFrame, Workflow } from "@texera-agent/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { Coordinator, Lease } from "../cluster/coordinator.ts";
import type { LlmPolicy } from "../config.ts";
import type { RunStatus } from "../db/schema.ts";
import { agentBusy } from "../errors.ts";
import { DeltaCoalescer } from "../live/delta-coalescer.ts";
import type { LiveAgent, LiveAgents } from "../live/live-agents.ts";
import type { LlmClient } from "../react/llm-client.ts";
import { historyToMessages } from "../react/messages.ts";
import { type RunOutcome, runAgent } from "../react/run-agent.ts";
import type { ToolRegistry } from "../react/tool-registry.ts";
import type { DeferredWrites } from "../repositories/deferred-writes.ts";
import type { AgentRecord, Repositories } from "../repositories/index.ts";
import { settingsOf, toAgentDto } from "./agent-dto.ts";
import type { RunHooks } from "./run-hooks.ts";

export interface RunsServiceDeps {
  /**
   * Every write of a run goes through it: each group lands whole, committed with the other runs' writes
   * of the same turn of the event loop; nothing that depends on it goes on before it is saved.
   */
  commits: DeferredWrites;
  repos: Repositories;
  live: LiveAgents;
  /** Who may run which agent (one process alone, or replicas over PostgreSQL). */
  coordinator: Coordinator;
  llm: LlmClient;
  tools: ToolRegistry;
  policy: LlmPolicy;
  /** The model's input window as LiteLLM's /model/info says (ModelsService.contextWindow). */
  contextWindow?(model: string): Promise<number | undefined>;
  systemPrompt(workflow: Workflow, settings: AgentSettings, userId: number): Promise<string> | string;
  now(): Date;
  log: FastifyBaseLogger;
  /** Metering and the audit log (see limits/run-gate.ts). */
  hooks?: RunHooks;
  /** Told the reason of every run that ended (metrics): its complete reason, or "interrupted" by shutdown. */
  onRunEnd?(reason: string): void;
}

type StopCause = "user" | "shutdown" | "database";

export const STOPPED_BY_USER = "Stopped by the user.";
export const STOPPED_BY_SHUTDOWN =
  "agent-service shut down during this run; send the message again to continue.";
export const STOPPED_BY_DATABASE =
  "agent-service lost its connection to the database during this run, so it was stopped; the steps above were saved. Send the message again once the service is back (usually within seconds).";

/**
 * Runs agents: one run per message, one run at a time per agent. Steps are saved as they complete and
 * fanned out to every watching socket; a socket that goes away changes nothing. Stop and delete abort the
 * upstream request at once.
 */
export class RunsService {
  private readonly stopCause = new WeakMap<LiveAgent, StopCause>();
  /** Runs whose row was already closed as done, in the transaction of their last step. */
  private readonly closedWithLastStep = new Set<string>();

  constructor(private readonly deps: RunsServiceDeps) {}

  /**
   * The right to start a run of the agent, on this replica or any other. Throws AGENT_BUSY when it answers
   * a message (here or elsewhere: nothing is queued), DATABASE_UNAVAILABLE when that cannot be known.
   */
  async reserve(agentId: string): Promise<Lease> {
    const busy = () => agentBusy("send the next message");
    if (this.deps.live.peek(agentId)?.done) throw busy();
    const lease = await this.deps.coordinator.acquire(agentId);
    if (!lease) throw busy();
    return lease;
  }

  /**
   * Starts answering `content` under `lease` (from reserve), which the run gives back when it has ended.
   * Returns once the run is under way; it goes on without the caller.
   */
  start(record: AgentRecord, userId: number, content: string, lease: Lease): { runId: string } {
    const { live } = this.deps;
    const agent = live.get(record.id);
    if (agent.state !== "AVAILABLE" || agent.done) {
      lease.release();
      throw agentBusy("send the next message");
    }
    const runId = randomUUID();
    agent.state = "GENERATING";
    agent.runId = runId;
    agent.controller = new AbortController();
    this.stopCause.delete(agent);
    live.broadcast(record.id, { type: "state", state: "GENERATING" });
    agent.done = this.execute(record, agent, userId, content, runId, lease);
    return { runId };
  }

  /**
   * Aborts the agent's run; it ends with a system step saying it was stopped. A run on another replica is
   * told to stop there (`local`: only a run here, as asked by another replica).
   */
  stop(agentId: string, cause: StopCause = "user", local = false): boolean {
    const agent = this.deps.live.peek(agentId);
    if (!agent?.controller || agent.state !== "GENERATING") {
      if (!local && this.deps.coordinator.shared) this.deps.coordinator.command(agentId, "stop");
      return false;
    }
    this.stopCause.set(agent, cause);
    agent.state = "STOPPING";
    this.deps.live.broadcast(agentId, { type: "state", state: "STOPPING" });
    agent.controller.abort();
    return true;
  }

  /**
   * Aborts the run of an agent that is being deleted, wherever it runs, and takes its lease (waiting,
   * bounded, until the run has let go). Undefined when it could not be had in time: the deletion goes on.
   */
  async quiesce(agentId: string): Promise<Lease | undefined> {
    this.abortLocal(agentId);
    const agent = this.deps.live.peek(agentId);
    if (agent?.done) await settleWithin(agent.done, 5_000);
    if (this.deps.coordinator.shared) this.deps.coordinator.command(agentId, "abort");
    const deadline = Date.now() + 5_000;
    for (;;) {
      const lease = await this.deps.coordinator.acquire(agentId).catch(() => undefined);
      if (lease || Date.now() > deadline) return lease;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** A deleted agent's run here ends at once and writes nothing more. */
  abortLocal(agentId: string): void {
    const agent = this.deps.live.peek(agentId);
    if (!agent?.done) return;
    agent.deleted = true;
    agent.controller?.abort();
  }

  /** Forgets the conversation; refused (AGENT_BUSY) while the agent answers, here or elsewhere. */
  async clearHistory(record: AgentRecord): Promise<void> {
    const lease = await this.reserve(record.id).catch((error) => {
      throw error?.code === "AGENT_BUSY" ? agentBusy("clear its history") : error;
    });
    try {
      await this.deps.repos.steps.clear(record.id);
      const workflow = await this.deps.repos.workflows.get(record.id);
      this.deps.live.broadcast(record.id, {
        type: "init",
        agent: toAgentDto(record, "AVAILABLE"),
        state: "AVAILABLE",
        steps: [],
        workflow,
      });
    } finally {
      lease.release();
    }
  }

  /** Stops every run here (each saves a step saying so) and waits for them, bounded. */
  async shutdown(timeoutMs = 5_000, cause: StopCause = "shutdown"): Promise<void> {
    const running = this.deps.live.running();
    for (const agent of running) {
      this.stopCause.set(agent, cause);
      agent.controller?.abort();
    }
    await settleWithin(Promise.all(running.map((a) => a.done)), timeoutMs);
  }

  private async execute(
    record: AgentRecord,
    agent: LiveAgent,
    userId: number,
    content: string,
    runId: string,
    lease: Lease,
  ): Promise<void> {
    const { repos, live, log } = this.deps;
    const id = record.id;
    const settings = settingsOf(record);
    const signal = agent.controller!.signal;
    let nextIndex = 0;
    let outcome: RunOutcome | { reason: "crash"; error: unknown };
    const started = performance.now();
    const deltas = new DeltaCoalescer((index, text, urgent) =>
      live.broadcast(id, { type: "delta", index, text }, urgent),
    );
    agent.deltas = deltas;
    let saving: Promise<void> = Promise.resolve();
    try {
      const [history, workflow] = await Promise.all([repos.steps.list(id), repos.workflows.get(id)]);
      // The first system prompt may read the data's columns from disk: started now, it is built while
      // the user's step is saved and sent.
      const prompt = Promise.resolve(this.deps.systemPrompt(workflow, settings, userId));
      prompt.catch(() => {});
      nextIndex = history.length > 0 ? history[history.length - 1]!.index + 1 : 0;
      const at = this.deps.now().toISOString();
      const userStep: ReActStep = {
        index: nextIndex,
        kind: "user",
        runId,
        content,
        toolCalls: [],
        toolResults: [],
        touchedOperators: [],
        createdAt: at,
      };
      // Saved, with the run row in the same transaction (a restart finds the row and closes the run),
      // before the model request goes out (the first prompt waits for it); every later write waits for it
      // too. If it fails, the run is stopped and ends as a crash.
      saving = this.deps.commits.add([
        repos.runs.startStatement(runId, id, at),
        repos.steps.appendStatement(id, userStep),
      ]);
      saving.then(
        () => live.broadcast(id, { type: "step", step: userStep }),
        () => agent.controller?.abort(),
      );
      nextIndex++;

      outcome = await runAgent(
        {
          runId,
          agentId: id,
          userId,
          settings,
          history: historyToMessages([...history, userStep]),
          workflow,
          firstIndex: nextIndex,
          signal,
          firstSystemPrompt: Promise.all([prompt, saving]).then(([text]) => text),
        },
        {
          llm: this.deps.llm,
          tools: this.deps.tools,
          policy: this.deps.policy,
          contextWindow: this.deps.contextWindow,
          systemPrompt: this.deps.systemPrompt,
          now: this.deps.now,
          onRetry: (error, delayMs, attempt) =>
            log.warn({ agentId: id, runId, code: error.code, attempt, delayMs }, "LLM call failed; retrying"),
        },
        {
          delta: (index, text) => deltas.push(index, text),
          step: async (step, changed) => {
            deltas.flush();
            if (step.usage) this.deps.hooks?.usage(runId, step.usage);
            if (agent.deleted) return;
            await saving;
            // A step without tool calls ends the run as done: its run row is closed in the same
            // transaction, one commit instead of two (finish() writes it again if the run ends otherwise).
            const last = step.kind === "agent" && step.toolCalls.length === 0;
            await this.deps.commits.add([
              ...(changed ? [repos.workflows.putStatement(id, changed, step.createdAt)] : []),
              repos.steps.appendStatement(id, step),
              ...(last ? [repos.runs.finishStatement(runId, "done", step.createdAt)] : []),
            ]);
            if (last) this.closedWithLastStep.add(runId);
            nextIndex = step.index + 1;
            deltas.reset();
            live.broadcast(id, changed ? { type: "step", step, workflow: changed } : { type: "step", step });
          },
        },
      );
      await saving;
    } catch (error) {
      outcome = { reason: "crash", error };
    }
    deltas.reset();
    agent.deltas = undefined;
    await saving.catch(() => {});
    try {
      await this.finish(record, agent, runId, nextIndex, outcome);
    } catch (error) {
      log.error({ err: error, agentId: id, runId }, "could not save the end of a run");
    }
    this.closedWithLastStep.delete(runId);
    log.info(
      {
        agentId: id,
        runId,
        model: settings.modelType,
        reason: outcome.reason,
        ms: Math.round(performance.now() - started),
      },
      "run ended",
    );
    this.deps.hooks?.ended(runId, outcome.reason);
    const cause = this.stopCause.get(agent);
    const failed = outcome.reason === "crash" || (outcome.reason === "stopped" && cause === "database");
    this.deps.onRunEnd?.(failed ? "error" : cause === "shutdown" ? "interrupted" : outcome.reason);
    agent.state = "AVAILABLE";
    agent.controller = undefined;
    agent.runId = undefined;
    agent.done = undefined;
    if (agent.deleted) {
      lease.release();
      return;
    }
    live.broadcast(id, { type: "state", state: "AVAILABLE" });
    // The run's last frame: it leaves at once, with the step and state queued before it.
    live.broadcast(
      id,
      { type: "complete", runId, reason: failed ? "error" : (outcome.reason as RunOutcome["reason"]) },
      true,
    );
    // After the last frames: on another replica, the next run's frames cannot overtake them.
    lease.release();
    live.forgetIfIdle(id);
  }

  /** Saves how the run ended: the run row, and a system step for anything but a plain finish. */
  private async finish(
    record: AgentRecord,
    agent: LiveAgent,
    runId: string,
    index: number,
    outcome: RunOutcome | { reason: "crash"; error: unknown },
  ): Promise<void> {
    if (agent.deleted) return;
    const at = this.deps.now().toISOString();
    let status: Exclude<RunStatus, "running"> = "done";
    let notice: string | undefined;
    let code: string | undefined;
    let errorFrame: ServerFrame | undefined;
    switch (outcome.reason) {
      case "done":
        break;
      case "max_steps":
        status = "max_steps";
        notice = `Stopped after ${record.settings.maxSteps} steps (the agent's maxSteps setting); send another message to go on.`;
        break;
      case "stopped": {
        const cause = this.stopCause.get(agent) ?? "user";
        if (cause === "database") {
          status = "interrupted";
          notice = STOPPED_BY_DATABASE;
          code = "DATABASE_UNAVAILABLE";
          errorFrame = { type: "error", message: notice, code };
          break;
        }
        status = cause === "shutdown" ? "interrupted" : "stopped";
        notice = cause === "shutdown" ? STOPPED_BY_SHUTDOWN : STOPPED_BY_USER;
        break;
      }
      case "error":
        status = "error";
        notice = outcome.error.describe();
        code = outcome.error.code;
        errorFrame = { type: "error", message: notice, code };
        this.deps.log.warn({ agentId: record.id, runId, code, attempts: outcome.error.attempts }, notice);
        break;
      case "crash":
        status = "error";
        notice =
          "the run failed inside agent-service; the service log has the details. Send the message again.";
        code = "INTERNAL";
        errorFrame = { type: "error", message: notice, code };
        this.deps.log.error({ err: outcome.error, agentId: record.id, runId }, "run crashed");
        break;
    }
    if (errorFrame) this.deps.live.broadcast(record.id, errorFrame);
    const step: ReActStep | undefined =
      notice === undefined
        ? undefined
        : {
            index,
            kind: "system",
            runId,
            content: notice,
            toolCalls: [],
            toolResults: [],
            touchedOperators: [],
            ...(code ? { error: code } : {}),
            createdAt: at,
          };
    const { repos } = this.deps;
    if (step) {
      await this.deps.commits.add([
        repos.steps.appendStatement(record.id, step),
        repos.runs.finishStatement(runId, status, at, code),
      ]);
    } else if (!(status === "done" && this.closedWithLastStep.has(runId))) {
      await this.deps.commits.add(repos.runs.finishStatement(runId, status, at, code));
    }
    if (step) this.deps.live.broadcast(record.id, { type: "step", step });
  }
}

function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
