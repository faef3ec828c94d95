import { randomUUID } from "node:crypto";
import type { UserClaims } from "@texera-agent/auth";
import {
  type AgentSettings,
  type AgentState,
  emptyWorkflow,
  type MessageSource,
  type OperatorResultMap,
  type OperatorResultSummary,
  pathToHead,
  type ReActStep,
  type Workflow,
} from "@texera-agent/protocol";
import type { FastifyBaseLogger, FastifyRequest } from "fastify";
import type { Coordinator, Lease } from "../cluster/coordinator.ts";
import type { LlmPolicy } from "../config.ts";
import type { RunStatus } from "../db/schema.ts";
import { agentBusy, agentNotFound } from "../errors.ts";
import type { LiveAgents } from "../live/live-agents.ts";
import { describeForPeople } from "../react/describe-for-people.ts";
import type { LlmClient } from "../react/llm-client.ts";
import { historyToMessages } from "../react/messages.ts";
import { type RunOutcome, runAgent } from "../react/run-agent.ts";
import type { ToolRegistry } from "../react/tool-registry.ts";
import type { DeferredWrites } from "../repositories/deferred-writes.ts";
import type { AgentRecord, Repositories } from "../repositories/index.ts";
import { agentStep, noticeStep, STOPPED_CONTENT, userStep } from "../steps/step-builders.ts";
import { settingsOf } from "./agent-dto.ts";
import { Run, type StopCause } from "./run.ts";
import type { RunHooks } from "./run-hooks.ts";
import { StartTurns } from "./start-turns.ts";

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
  /** The results visible on `path` (step ids, root to HEAD) keyed by operator id (for `complete`). */
  operatorResults?(agentId: string, path: readonly string[]): Promise<OperatorResultMap>;
  now(): Date;
  log: FastifyBaseLogger;
  /** Admission: the run limits and the audit log (limits/run-gate.ts); absent, every run is admitted. */
  gate?: {
    start(
      req: FastifyRequest,
      record: AgentRecord,
      content: string,
      start: () => { runId: string },
    ): Promise<void>;
  };
  /** Metering and the audit log (see limits/run-gate.ts). */
  hooks?: RunHooks;
  /** Told the reason of every run that ended (metrics): its complete reason, or "interrupted" by shutdown. */
  onRunEnd?(reason: string): void;
}

export type { StopCause } from "./run.ts";

export const STOPPED_BY_USER = STOPPED_CONTENT;
export const STOPPED_BY_SHUTDOWN =
  "agent-service shut down during this run; send the message again to continue.";
export const STOPPED_BY_DATABASE =
  "agent-service lost its connection to the database during this run, so it was stopped; the steps above were saved. Send the message again once the service is back (usually within seconds).";

type Outcome = RunOutcome | { reason: "crash"; error: unknown };

/** Where the next step of a run hangs in the tree. */
interface Cursor {
  index: number;
  parentId: string | null;
  stepId: number;
  workflow: Workflow;
  last: ReActStep | undefined;
  /** The step ids from the root to HEAD, as the run moves HEAD. */
  path: string[];
}

/**
 * Runs agents: one run per message, one run at a time per agent (across replicas). A message branches from
 * the agent's HEAD; every step is saved as it completes, moves HEAD, and is fanned out to every watching
 * socket; a socket that goes away changes nothing. Stop and delete abort the upstream request at once.
 */
export class RunsService {
  private readonly runs = new Map<string, Run>();
  /** Messages wait here for their turn to start a run (start-turns.ts). */
  private readonly turns = new StartTurns();

  constructor(private readonly deps: RunsServiceDeps) {}

  /** The agent's state: its run here, else a run on another replica, else AVAILABLE. */
  state(agentId: string): AgentState {
    return this.runs.get(agentId)?.state ?? this.deps.live.remoteState(agentId) ?? "AVAILABLE";
  }

  isRunningHere(agentId: string): boolean {
    return this.runs.has(agentId);
  }

  /** How many runs are in progress here (metrics). */
  get inProgress(): number {
    return this.runs.size;
  }

  /** The text of the step in progress that has been streamed so far (for a socket that joins now). */
  partial(agentId: string): { index: number; text: string } | undefined {
    const sent = this.runs.get(agentId)?.deltas.sent;
    return sent && { ...sent };
  }

  /**
   * The right to start a run of the agent, on this replica or any other. Throws AGENT_BUSY when it answers
   * a message (here or elsewhere: nothing is queued), DATABASE_UNAVAILABLE when that cannot be known.
   */
  async reserve(agentId: string): Promise<Lease> {
    const busy = () => agentBusy("send the next message");
    if (this.runs.has(agentId)) throw busy();
    const lease = await this.deps.coordinator.acquire(agentId);
    if (!lease) throw busy();
    return lease;
  }

  /**
   * A user's message: waits for its turn (start-turns.ts), reserves the agent, passes admission (limits,
   * audit) and starts the run, which goes on without the caller. The agent is read again (its settings or
   * HEAD may have changed). A stop that came while the message waited stops the run as it starts.
   */
  async submit(
    agentId: string,
    user: UserClaims,
    content: string,
    messageSource: MessageSource,
    origin?: FastifyRequest,
  ): Promise<{ runId: string }> {
    const stopped = await this.turns.wait(agentId);
    const record = await this.deps.repos.agents.findById(agentId);
    if (!record) throw agentNotFound(agentId);
    const lease = await this.reserve(agentId);
    // Once start is called, the run (or its refusal) gives the lease back; a refusal before it, here.
    let started: { runId: string } | undefined;
    const start = () => {
      started = this.start(record, user.userId, content, messageSource, lease);
      if (stopped) this.stop(agentId);
      return started;
    };
    try {
      if (this.deps.gate && origin) await this.deps.gate.start(origin, record, content, start);
      else start();
    } finally {
      if (!started) lease.release();
    }
    return started!;
  }

  private start(
    record: AgentRecord,
    userId: number,
    content: string,
    messageSource: MessageSource,
    lease: Lease,
  ): { runId: string } {
    if (this.runs.has(record.id)) {
      lease.release();
      throw agentBusy("send the next message");
    }
    const { live } = this.deps;
    const run = new Run(randomUUID(), record.id, lease, (index, text, urgent) =>
      live.broadcast(record.id, { type: "delta", index, text }, urgent),
    );
    this.runs.set(record.id, run);
    run.done = this.execute(record, run, userId, content, messageSource);
    return { runId: run.id };
  }

  /**
   * Aborts the agent's run; it ends with a step saying it was stopped. A run on another replica is told to
   * stop there (`local`: only a run here, as asked by another replica).
   */
  stop(agentId: string, cause: StopCause = "user", local = false): boolean {
    const run = this.runs.get(agentId);
    // a message waiting for its turn here: its run stops as it starts
    const waiting = !run && cause === "user" && this.turns.stop(agentId);
    if (!run || run.state !== "GENERATING") {
      if (!local && this.deps.coordinator.shared) this.deps.coordinator.command(agentId, "stop");
      return waiting;
    }
    run.stop(cause);
    this.deps.live.broadcast(agentId, { type: "state", state: "STOPPING" });
    return true;
  }

  /**
   * Aborts the run of an agent that is being deleted, wherever it runs, and takes its lease (waiting,
   * bounded, until the run has let go). Undefined when it could not be had in time: the deletion goes on.
   */
  async quiesce(agentId: string): Promise<Lease | undefined> {
    const run = this.runs.get(agentId);
    this.abortLocal(agentId);
    if (run) await settleWithin(run.done, 5_000);
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
    const run = this.runs.get(agentId);
    if (!run) return;
    run.deleted = true;
    run.controller.abort();
  }

  /** Stops every run here (each saves a step saying so) and waits for them, bounded. */
  async shutdown(timeoutMs = 5_000, cause: StopCause = "shutdown"): Promise<void> {
    const running = [...this.runs.values()];
    for (const run of running) run.stop(cause);
    await settleWithin(Promise.all(running.map((r) => r.done)), timeoutMs);
  }

  private async execute(
    record: AgentRecord,
    run: Run,
    userId: number,
    content: string,
    messageSource: MessageSource,
  ): Promise<void> {
    const { repos, live, log } = this.deps;
    const id = record.id;
    const runId = run.id;
    const settings = settingsOf(record);
    const signal = run.controller.signal;
    let outcome: Outcome;
    const started = performance.now();
    let saving: Promise<void> = Promise.resolve();
    const cursor: Cursor = {
      index: 0,
      parentId: record.headId,
      stepId: 1,
      workflow: emptyWorkflow(),
      last: undefined,
      path: [],
    };
    try {
      const [history, workflow] = await Promise.all([repos.steps.list(id), repos.workflows.get(id)]);
      cursor.workflow = workflow;
      // The first system prompt may read the data's columns from disk: started now, it is built while
      // the user's step is saved and sent.
      const prompt = Promise.resolve(this.deps.systemPrompt(workflow, settings, userId));
      prompt.catch(() => {});
      cursor.index = history.length > 0 ? history[history.length - 1]!.index + 1 : 0;
      cursor.path = pathToHead(history, record.headId).map((s) => s.id);
      const user = userStep(
        { runId, index: cursor.index, parentId: record.headId, at: this.deps.now() },
        content,
        messageSource,
        workflow,
      );
      // Saved, with the run row and HEAD in the same transaction (a restart finds the row and closes the
      // run), while the model request goes out: the commit overlaps the model's time to first token
      // instead of adding to it. Nothing of the answer goes out or is saved before it: the streamed text
      // is held (run.deltas) and every later write waits for it. If it fails, the request is aborted and
      // the run ends as a crash without a word of the answer shown.
      run.deltas.hold();
      saving = this.deps.commits.add([
        repos.runs.startStatement(runId, id, new Date(user.timestamp).toISOString()),
        repos.steps.appendStatement(id, user),
        repos.agents.setHeadStatement(id, user.id),
      ]);
      // GENERATING goes out with the user's step, in the same write (a stop meanwhile already said
      // STOPPING): the message was taken once it is saved.
      saving.then(
        () => {
          if (run.state === "GENERATING") live.broadcast(id, { type: "state", state: "GENERATING" });
          live.broadcast(id, { type: "step", step: user });
          run.deltas.release();
        },
        () => run.controller.abort(),
      );
      cursor.index++;
      cursor.parentId = user.id;
      cursor.last = user;
      cursor.path.push(user.id);

      // Every saved step of the run (model turn or notice) becomes HEAD and takes the next index.
      const advance = (step: ReActStep, workflow: Workflow) => {
        cursor.index++;
        cursor.stepId++;
        cursor.parentId = step.id;
        cursor.workflow = workflow;
        cursor.last = step;
        cursor.path.push(step.id);
        run.deltas.reset();
      };
      outcome = await runAgent(
        {
          runId,
          agentId: id,
          userId,
          settings,
          // The conversation HEAD sees: a message after a checkout continues from there.
          history: historyToMessages([...pathToHead(history, record.headId), user]),
          workflow,
          firstIndex: cursor.index,
          signal,
          firstSystemPrompt: prompt,
          head: () => cursor.parentId,
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
          delta: (index, text) => run.deltas.push(index, text),
          step: async (turn, changed, last) => {
            if (turn.usage) this.deps.hooks?.usage(runId, turn.usage);
            if (run.deleted) return run.deltas.flush();
            await saving;
            const after = changed ?? cursor.workflow;
            const step = agentStep(
              { runId, index: cursor.index, parentId: cursor.parentId, at: turn.at },
              cursor.stepId,
              turn,
              cursor.workflow,
              after,
              last,
            );
            const at = new Date(step.timestamp).toISOString();
            // A step without tool calls ends the run as done: its run row is closed in the same
            // transaction, one commit instead of two (finish() writes it again if the run ends otherwise).
            const saved = this.deps.commits.add([
              ...(changed ? [repos.workflows.putStatement(id, changed, at)] : []),
              repos.steps.appendStatement(id, step),
              repos.agents.setHeadStatement(id, step.id),
              ...(last ? [repos.runs.finishStatement(runId, "done", at)] : []),
            ]);
            // The rest of the streamed text goes out before the step. Queued after the commit, it waits in
            // the corked socket and leaves in one write with the step (and, for the last one, the run's end)
            // instead of a write of its own ahead of the commit.
            run.deltas.flush();
            await saved;
            if (last) run.closedWithLastStep = true;
            advance(step, after);
            // Texera sends a run's last step twice: first as not ending it, then (at the end) as ending it.
            const sent = last ? { ...step, isEnd: false } : step;
            live.broadcast(id, {
              type: "step",
              step: sent,
              ...(step.operatorResults ? { operatorResults: summaryMap(step.operatorResults) } : {}),
            });
          },
          notice: async (content, code) => {
            run.deltas.flush();
            if (run.deleted) return;
            await saving;
            // a note in the middle of a run: an agent step (error carries its code) that does not end it
            const step = {
              ...noticeStep(
                { runId, index: cursor.index, parentId: cursor.parentId, at: this.deps.now() },
                cursor.stepId,
                content,
                code,
              ),
              isEnd: false,
            };
            await this.deps.commits.add([
              repos.steps.appendStatement(id, step),
              repos.agents.setHeadStatement(id, step.id),
            ]);
            advance(step, cursor.workflow);
            live.broadcast(id, { type: "step", step });
          },
        },
      );
      await saving;
    } catch (error) {
      outcome = { reason: "crash", error };
    }
    run.deltas.reset();
    await saving.catch(() => {});
    let ending: ReActStep | undefined;
    try {
      ending = await this.finish(record, run, cursor, outcome);
    } catch (error) {
      log.error({ err: error, agentId: id, runId }, "could not save the end of a run");
    }
    // Written once the run's last frames are out: a log line is a synchronous file write, not for the
    // client to wait on.
    const took = Math.round(performance.now() - started);
    const logEnd = () =>
      log.info(
        { agentId: id, runId, model: settings.modelType, reason: outcome.reason, ms: took },
        "run ended",
      );
    this.deps.hooks?.ended(runId, outcome.reason);
    const cause = run.stopCause;
    const failed = outcome.reason === "crash" || (outcome.reason === "stopped" && cause === "database");
    this.deps.onRunEnd?.(failed ? "error" : cause === "shutdown" ? "interrupted" : outcome.reason);
    const results = run.deleted
      ? {}
      : await (this.deps.operatorResults?.(id, cursor.path) ?? Promise.resolve({})).catch(() => ({}));
    this.runs.delete(id);
    if (run.deleted) {
      run.lease.release();
      logEnd();
      return;
    }
    // The run's last step again, now ending it (no meta: a socket that has it gets it again), then complete:
    // they leave at once, with the steps queued before them.
    if (ending) live.broadcast(id, { type: "step", step: ending }, false, null);
    live.broadcast(
      id,
      {
        type: "complete",
        state: "AVAILABLE",
        operatorResults: results,
        runId,
        reason: failed ? "error" : (outcome.reason as RunOutcome["reason"]),
      },
      true,
    );
    // After the last frames: on another replica, the next run's frames cannot overtake them.
    run.lease.release();
    logEnd();
  }

  /**
   * Saves how the run ended: the run row, and a step saying so for anything but a plain finish. Returns the
   * run's last step (to be re-sent as ending it).
   */
  private async finish(
    record: AgentRecord,
    run: Run,
    cursor: Cursor,
    outcome: Outcome,
  ): Promise<ReActStep | undefined> {
    if (run.deleted) return undefined;
    const at = this.deps.now();
    let status: Exclude<RunStatus, "running"> = "done";
    let notice: string | undefined;
    let code = "";
    let errorText: string | undefined;
    switch (outcome.reason) {
      case "done":
        break;
      case "max_steps":
        status = "max_steps";
        code = "MAX_STEPS";
        notice = `Stopped after ${record.settings.maxSteps} steps (the agent's maxSteps setting); send another message to go on.`;
        break;
      case "stopped": {
        const cause = run.stopCause ?? "user";
        if (cause === "database") {
          status = "interrupted";
          code = "DATABASE_UNAVAILABLE";
          notice = STOPPED_BY_DATABASE;
          errorText = notice;
          break;
        }
        status = cause === "shutdown" ? "interrupted" : "stopped";
        code = cause === "shutdown" ? "INTERRUPTED" : "STOPPED";
        notice = cause === "shutdown" ? STOPPED_BY_SHUTDOWN : STOPPED_BY_USER;
        break;
      }
      case "error":
        status = "error";
        // People read it without the service's internal addresses; the log keeps the whole error.
        errorText = describeForPeople(outcome.error);
        code = outcome.error.code;
        // Texera reports a failed model call as an agent step "Error: …" (texera-agent.ts:697-719).
        notice = `Error: ${errorText}`;
        this.deps.log.warn(
          { agentId: record.id, runId: run.id, code, attempts: outcome.error.attempts },
          outcome.error.describe(),
        );
        break;
      case "crash":
        status = "error";
        code = "INTERNAL";
        errorText =
          "the run failed inside agent-service; the service log has the details. Send the message again.";
        notice = `Error: ${errorText}`;
        this.deps.log.error({ err: outcome.error, agentId: record.id, runId: run.id }, "run crashed");
        break;
    }
    const { repos, live } = this.deps;
    if (errorText) live.broadcast(record.id, { type: "error", error: errorText, code });
    if (notice === undefined) {
      if (!run.closedWithLastStep) {
        await this.deps.commits.add(repos.runs.finishStatement(run.id, status, at.toISOString()));
      }
      return cursor.last?.role === "agent" ? cursor.last : undefined;
    }
    const step = noticeStep(
      { runId: run.id, index: cursor.index, parentId: cursor.parentId, at },
      cursor.stepId,
      notice,
      code,
    );
    await this.deps.commits.add([
      repos.steps.appendStatement(record.id, step),
      repos.agents.setHeadStatement(record.id, step.id),
      repos.runs.finishStatement(run.id, status, at.toISOString(), code === "STOPPED" ? undefined : code),
    ]);
    live.broadcast(record.id, { type: "step", step });
    return step;
  }
}

/** A step's execution summaries keyed by operator id, as Texera's frames carry results (without rows). */
export function summaryMap(summaries: readonly OperatorResultSummary[]): OperatorResultMap {
  const map: OperatorResultMap = {};
  for (const s of summaries) {
    map[s.operatorId] = {
      state: s.error ? "Failed" : "Completed",
      inputTuples: 0,
      outputTuples: s.rowCount,
      outputColumns: s.columns.length,
      ...(s.error ? { error: s.error } : {}),
      totalRowCount: s.rowCount,
      operatorType: s.operatorType,
      columns: s.columns,
      truncated: s.truncated,
      elapsedMs: s.elapsedMs,
    };
  }
  return map;
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
