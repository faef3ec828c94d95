export { type CompiledWorkflow, compileWorkflow } from "./compile-workflow.ts";
export { loadEngineConfig } from "./config.ts";
export { DEFAULT_SAMPLES_DIR, ENGINE_DEFAULTS, Engine, type EngineOptions } from "./engine.ts";
export { EngineError, type EngineErrorCode, isWorkflowError } from "./errors.ts";
export { type ExecuteOptions, type Execution, executeWorkflow } from "./execute-workflow.ts";
export { type OperatorSchema, propagateSchemas } from "./propagate-schemas.ts";
export { withResultRecording } from "./record-results.ts";
export {
  loadOperatorResults,
  operatorResultsMigration,
  resultSummaries,
  saveOperatorResults,
} from "./results-store.ts";
export { SchemaCheckError, withSchemaCheck } from "./schema-check.ts";
export { schemaContext } from "./schema-context.ts";
export { type SummaryLimits, summariseResults } from "./summarise.ts";
export { type ExecutionOutcome, type ExecutionTool, executionTools } from "./tools.ts";
