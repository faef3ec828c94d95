import type { Workflow } from "@texera-agent/protocol";
import { argumentParser } from "../workflow/tool-arguments.ts";
import type { AgentTool, ToolContext, ToolOutcome } from "../workflow/tools.ts";
import { readBoundedRows } from "./bounded-rows.ts";
import { describeColumns } from "./columns.ts";
import { SCAN_FOR_FORMAT, scanSql } from "./compile-operator.ts";
import type { Engine } from "./engine.ts";
import { EngineError } from "./errors.ts";
import { acquireSlot, type Execution, executeWorkflow } from "./execute-workflow.ts";
import { interruptOnAbort } from "./interrupt.ts";
import type { ExecutionToolName } from "./protocol.ts";
import { resourceError } from "./resource-errors.ts";
import { cutText } from "./result-values.ts";
import { summariseResults } from "./summarise.ts";

/** A tool's outcome plus, for executeWorkflow, the full bounded results for the caller to store. */
export interface ExecutionOutcome extends ToolOutcome {
  execution?: Execution;
}

export interface ExecutionTool extends Omit<AgentTool, "name" | "execute"> {
  name: ExecutionToolName;
  execute(args: unknown, ctx: ToolContext): Promise<ExecutionOutcome>;
}

const MIN_TOOL_MS = 100;
const PREVIEW_ROWS = 5;
const LIST_CHARS = 8_000;

const params = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});
const operatorIdParam = (description: string) => ({
  type: "string",
  minLength: 1,
  maxLength: 200,
  description,
});

/**
 * The time limit of one execution: the agent's executionTimeoutMinutes (Texera's setting), within the
 * engine's own limit (ENGINE_TIMEOUT_MS) and ending a moment before the tool's own timeout, so that the user
 * reads the engine's error naming the limit rather than a bare tool timeout.
 */
export function executionTimeLimitMs(
  engineLimitMs: number,
  settings: Pick<ToolContext["settings"], "toolTimeoutMs" | "executionTimeoutMinutes">,
): number {
  const agentLimitMs = settings.executionTimeoutMinutes * 60_000;
  return Math.max(MIN_TOOL_MS, Math.min(engineLimitMs, agentLimitMs, settings.toolTimeoutMs - 250));
}

/**
 * The tools that run the workflow and read datasets. executeWorkflow's outcome carries `execution` (every
 * operator's bounded result) for the caller to store and show; `output` is the summary the model reads.
 */
export function executionTools(deps: { engine: Engine }): ExecutionTool[] {
  const { engine } = deps;
  const timeout = (ctx: ToolContext) => executionTimeLimitMs(engine.settings.timeoutMs, ctx.settings);

  const tools: (Omit<ExecutionTool, "execute"> & {
    run(args: Record<string, unknown>, ctx: ToolContext): Promise<ExecutionOutcome>;
  })[] = [
    {
      name: "executeWorkflow",
      description:
        "Run the workflow on the data, up to operatorId (that operator and everything upstream of it), or the whole " +
        "workflow. Returns the row count and first rows of that operator (or of each final operator) and the row " +
        "count of every operator that ran. Unknown columns, missing links and type mismatches fail with an error " +
        "naming the operator; fix them and run again.",
      parameters: params({
        operatorId: operatorIdParam("run up to this operator; default: the whole workflow"),
      }),
      async run(args, ctx) {
        const target = args.operatorId as string | undefined;
        const execution = await executeWorkflow(engine, {
          workflow: ctx.workflow,
          targetOperatorId: target,
          userId: ctx.userId,
          timeoutMs: timeout(ctx),
          signal: ctx.signal,
        });
        const shown = target ? [target] : sinks(ctx.workflow);
        return { output: output(execution, shown, ctx), execution };
      },
    },
    {
      name: "getOperatorResult",
      description:
        "Show more rows of one operator's result: runs the workflow up to operatorId and returns its rows from offset on.",
      parameters: params(
        {
          operatorId: operatorIdParam("the operator whose rows to show"),
          offset: {
            type: "integer",
            minimum: 0,
            maximum: 1_000_000_000,
            default: 0,
            description: "rows to skip",
          },
        },
        ["operatorId"],
      ),
      async run(args, ctx) {
        const target = args.operatorId as string;
        const offset = args.offset as number;
        const execution = await executeWorkflow(engine, {
          workflow: ctx.workflow,
          targetOperatorId: target,
          userId: ctx.userId,
          timeoutMs: timeout(ctx),
          signal: ctx.signal,
          targetOffset: offset,
        });
        return { output: output(execution, [target], ctx, offset) };
      },
    },
    {
      name: "listDatasets",
      description:
        "List the datasets you can read (the user's uploads and the samples): name (what a file scan's fileName " +
        "takes), format (which scan reads it), row count and columns.",
      parameters: params({}),
      async run(_args, ctx) {
        const all = await engine.datasets.list(ctx.userId);
        const datasets: unknown[] = [];
        let chars = 0;
        for (const d of all) {
          const entry = {
            name: d.name,
            format: d.format,
            rowCount: d.rowCount,
            columns: cutText(describeColumns(d.columns), 600).value,
            ...(d.sample ? { sample: true } : {}),
          };
          chars += JSON.stringify(entry).length;
          if (chars > LIST_CHARS) break;
          datasets.push(entry);
        }
        const more = all.length - datasets.length;
        return { output: { datasets, ...(more > 0 ? { note: `${more} more not shown` } : {}) } };
      },
    },
    {
      name: "describeDataset",
      description:
        "Describe one dataset by name: its format, row count, columns with types and its first rows.",
      parameters: params(
        { name: { type: "string", minLength: 1, maxLength: 512, description: "the dataset's name" } },
        ["name"],
      ),
      async run(args, ctx) {
        const name = args.name as string;
        const resolver = await engine.resolverFor(ctx.userId);
        const dataset = resolver.resolve(name, { operatorId: "describeDataset", label: "describeDataset" });
        const record = await engine.datasets.get(ctx.userId, dataset.id);
        // Reading a file is the engine's work like an execution: it takes one of the user's slots.
        const stop = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeout(ctx))]);
        const release = await acquireSlot(
          engine,
          ctx.userId,
          stop,
          () => new EngineError("cancelled", "describeDataset was cancelled while it waited for the engine"),
        );
        const conn = await engine.connect();
        const dispose = interruptOnAbort(conn, stop);
        try {
          const { rows, cellsCut } = await readBoundedRows(conn, `(${scanSql(dataset)})`, record.columns, {
            limit: PREVIEW_ROWS,
            maxCellBytes: engine.settings.maxCellBytes,
            maxRowBytes: engine.settings.maxRowBytes,
            maxCellChars: ctx.settings.maxOperatorResultCellCharLimit,
            maxBytes: ctx.settings.maxOperatorResultCharLimit,
          });
          return {
            output: {
              name: record.name,
              format: record.format,
              readWith: SCAN_FOR_FORMAT[record.format],
              rowCount: record.rowCount,
              sizeBytes: record.sizeBytes,
              columns: record.columns.map((c) => `${c.name} ${c.type}`),
              firstRows: rows.map((r) => Object.fromEntries(record.columns.map((c, i) => [c.name, r[i]]))),
              ...(cellsCut
                ? { note: "long cells cut (a cell cut by the engine ends with … [cut at N of M bytes])" }
                : {}),
              ...(record.sample ? { sample: true } : {}),
            },
          };
        } catch (error) {
          if (stop.aborted)
            throw new EngineError(
              "timeout",
              `describeDataset was stopped at its time limit of ${timeout(ctx)} ms`,
            );
          throw resourceError(error, engine.settings, "describeDataset") ?? error;
        } finally {
          dispose();
          conn.closeSync();
          release();
        }
      },
    },
  ];

  return tools.map(({ run, ...described }) => {
    const parse = argumentParser(described.name, described.parameters);
    return {
      ...described,
      execute: async (args, ctx) => {
        ctx.signal.throwIfAborted();
        return run(parse(args), ctx);
      },
    };
  });
}

/** Operators no link leaves: what "the whole workflow" produces. */
function sinks(workflow: Workflow): string[] {
  const sources = new Set(workflow.links.map((l) => l.source.operatorID));
  return workflow.operators
    .filter((o) => !o.isDisabled && !sources.has(o.operatorID))
    .map((o) => o.operatorID);
}

function output(execution: Execution, shownIds: string[], ctx: ToolContext, offset = 0) {
  const limits = ctx.settings;
  const { shown, rowCounts, note } = summariseResults(execution.results, shownIds, limits, offset);
  const body = {
    ...(shown.length === 1 ? shown[0] : { results: shown }),
    ...(rowCounts ? { rowCounts } : {}),
    ...(note ? { countsNote: note } : {}),
    elapsedMs: execution.elapsedMs,
  };
  if (JSON.stringify(body).length <= limits.maxOperatorResultCharLimit) return body;
  // Narrower than the smallest useful summary: only the counts.
  return Object.fromEntries(
    shown.map((s) => [s.operatorId, `${s.rowCount} rows (columns and rows do not fit in the result limit)`]),
  );
}
