import type { Workflow } from "@texera-agent/protocol";
import { MARKER_ROOM, readBoundedRows } from "./bounded-rows.ts";
import type { Engine } from "./engine.ts";
import { EngineError, isWorkflowError } from "./errors.ts";
import { interruptOnAbort } from "./interrupt.ts";
import { QueueFull } from "./limiter.ts";
import { duckdbError, Interrupted, type Materialized, materialize } from "./materialize.ts";
import { operatorLabel, planWorkflow } from "./plan.ts";
import { describePlan } from "./propagate-schemas.ts";
import type { OperatorResult } from "./protocol.ts";
import { resourceError } from "./resource-errors.ts";

export interface ExecuteOptions {
  workflow: Workflow;
  /** Run up to this operator (it and everything upstream); every operator when absent. */
  targetOperatorId?: string;
  /** Whose datasets the file scans read. */
  userId: number;
  /** Default: the engine's timeoutMs. */
  timeoutMs?: number;
  /** Most rows kept per operator; default and upper bound: the engine's resultRowLimit. */
  rowLimit?: number;
  /** Rows of the target to skip before the kept ones (paging through a result). */
  targetOffset?: number;
  signal?: AbortSignal;
}

export interface Execution {
  targetOperatorId: string | undefined;
  /** One result per operator that ran, in run order (the target last). */
  results: OperatorResult[];
  executedAt: string;
  elapsedMs: number;
}

/**
 * Runs a workflow on DuckDB. First every operator is described (so a missing input, a cycle, an unknown
 * column or a type mismatch fails before any data is read, naming the operator), then each operator runs
 * into a temporary table of this execution's connection, in order, and keeps its row count and its first
 * rows. The time limit and the signal interrupt DuckDB mid-query; the connection (and its tables) is
 * closed at the end either way.
 */
export async function executeWorkflow(engine: Engine, options: ExecuteOptions): Promise<Execution> {
  const started = performance.now();
  const { settings } = engine;
  const timeoutMs = options.timeoutMs ?? settings.timeoutMs;
  const rowLimit = Math.min(options.rowLimit ?? settings.resultRowLimit, settings.resultRowLimit);
  const plan = planWorkflow(options.workflow, options.targetOperatorId);
  const firstError = plan.nodes.find((n) => n.error)?.error;
  if (firstError) throw firstError;

  const deadline = AbortSignal.timeout(timeoutMs);
  const stop = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let waitedMs = 0;
  const stopped = (running: string) =>
    deadline.aborted
      ? new EngineError(
          "timeout",
          `the execution was cancelled at its time limit of ${timeoutMs} ms while ${running} was running` +
            (waitedMs >= 1_000
              ? ` (${Math.round(waitedMs)} ms of it waiting for an engine slot: at most ` +
                `${settings.maxConcurrentRunsPerUser} of your executions run at once)`
              : "") +
            "; make the data smaller first (Filter, Limit, Projection) or join on a more selective column",
        )
      : new EngineError("cancelled", `the execution was cancelled while ${running} was running`);

  const release = await acquireSlot(engine, options.userId, stop, () => {
    waitedMs = performance.now() - started;
    return stopped("it waited for another execution to finish");
  });
  waitedMs = performance.now() - started;
  const resolver = await engine.resolverFor(options.userId);
  const conn = await engine.connect();
  const dispose = interruptOnAbort(conn, stop);
  let running = "the check of the workflow";
  try {
    if (stop.aborted) throw new Interrupted();
    const described = await describePlan(conn, plan, resolver, engine.scanCache, stop);
    for (const node of plan.nodes) {
      const result = described.get(node.id);
      if (result instanceof EngineError) throw result;
    }
    const ctx = { conn, resolver, cache: engine.scanCache, dry: false, prefix: "result", signal: stop };
    const tables = new Map<string, Materialized>();
    const results: OperatorResult[] = [];
    for (const [index, node] of plan.nodes.entries()) {
      if (stop.aborted) throw new Interrupted();
      running = operatorLabel(node.op);
      const began = performance.now();
      const dry = described.get(node.id) as Materialized;
      const inputs = node.inputs.map((id) => tables.get(id!)!);
      const table = await materialize(ctx, node, index, inputs, dry.columns);
      tables.set(node.id, table);
      const offset = node.id === plan.target ? (options.targetOffset ?? 0) : 0;
      let read: Awaited<ReturnType<typeof readBoundedRows>>;
      try {
        if (stop.aborted) throw new Interrupted();
        // Cells and rows are bounded inside DuckDB: no value leaves it larger than the engine's caps.
        read = await readBoundedRows(conn, table.sql, table.columns, {
          limit: rowLimit,
          offset,
          maxCellBytes: settings.maxCellBytes,
          maxRowBytes: settings.maxRowBytes,
          maxCellChars: settings.maxCellBytes + MARKER_ROOM,
          maxBytes: Math.min(
            settings.maxResultBytes,
            Math.floor(settings.maxExecutionBytes / plan.nodes.length),
          ),
        });
      } catch (error) {
        throw duckdbError(error, { operatorId: node.id, label: running }, undefined, resolver);
      }
      const { rows, cellsCut, rowsLeftOut } = read;
      results.push({
        operatorId: node.id,
        operatorType: node.op.operatorType,
        columns: table.columns,
        rows,
        rowCount: table.rowCount,
        truncated: cellsCut || rowsLeftOut || offset + rows.length < table.rowCount || offset > 0,
        ...(cellsCut ? { cellsCut } : {}),
        elapsedMs: round(performance.now() - began),
      });
    }
    return {
      targetOperatorId: plan.target,
      results,
      executedAt: new Date().toISOString(),
      elapsedMs: round(performance.now() - started),
    };
  } catch (error) {
    if (error instanceof Interrupted || (stop.aborted && !isWorkflowError(error))) throw stopped(running);
    throw resourceError(error, settings, running) ?? error;
  } finally {
    dispose();
    conn.closeSync();
    release();
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * One of the engine's slots for this user (waiting while the user holds their share or all are taken).
 * A user with too many executions waiting already gets "busy" at once; an abort while waiting, `stopped`.
 */
export async function acquireSlot(
  engine: Engine,
  userId: number,
  signal: AbortSignal,
  stopped: () => Error,
): Promise<() => void> {
  try {
    return await engine.runs.acquire(signal, String(userId));
  } catch (error) {
    if (error instanceof QueueFull) {
      throw new EngineError(
        "busy",
        `you already have ${error.maxQueuedPerOwner} workflow executions waiting for the engine ` +
          `(at most ${engine.settings.maxConcurrentRunsPerUser} of yours run at once; ` +
          "ENGINE_MAX_QUEUED_RUNS_PER_USER); wait for them to finish and run again",
      );
    }
    throw stopped();
  }
}
