import type { Workflow } from "@texera-agent/protocol";
import { describeColumns } from "./columns.ts";
import type { Engine } from "./engine.ts";
import { EngineError } from "./errors.ts";
import { operatorLabel } from "./plan.ts";
import { propagateSchemas } from "./propagate-schemas.ts";
import { cutText } from "./result-values.ts";

const MAX_CHARS = 6_000;
const MAX_DATASETS = 30;

/**
 * The part of the system prompt that shows the model what the data looks like: the datasets it can read,
 * and every operator's output columns (or its error), known before anything runs.
 */
export async function schemaContext(engine: Engine, workflow: Workflow, userId: number): Promise<string> {
  const datasets = await engine.datasets.list(userId);
  const lines = [
    "Datasets you can read (a file scan's fileName takes the name; the scan must match the format: csv → CSVFileScan, json → JSONLFileScan, parquet → ParquetFileScan):",
    ...(datasets.length === 0
      ? ["- none"]
      : datasets
          .slice(0, MAX_DATASETS)
          .map((d) => `- ${d.name} (${d.format}, ${d.rowCount} rows): ${describeColumns(d.columns)}`)),
    ...(datasets.length > MAX_DATASETS ? [`- … ${datasets.length - MAX_DATASETS} more (listDatasets)`] : []),
  ];
  if (workflow.operators.length > 0) {
    lines.push("Output columns of each operator (known before running):");
    let schemas: Awaited<ReturnType<typeof propagateSchemas>>;
    try {
      schemas = await propagateSchemas(engine, workflow, userId);
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      schemas = {};
      lines.push(`- (not known: ${error.message})`);
    }
    for (const op of workflow.operators) {
      const s = schemas[op.operatorID];
      if (!s) continue;
      lines.push(
        `- ${operatorLabel(op)}: ${"columns" in s ? describeColumns(s.columns) : `ERROR ${s.error}`}`,
      );
    }
  }
  return cutText(lines.join("\n"), MAX_CHARS).value;
}
