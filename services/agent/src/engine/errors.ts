/** Why the engine refused or stopped a workflow; stable strings a caller can `switch` on. */
export type EngineErrorCode =
  | "empty_workflow"
  | "unknown_operator"
  | "unknown_operator_type"
  | "invalid_properties"
  | "cycle"
  | "missing_input"
  | "bad_link"
  | "disabled"
  | "unsupported_property"
  | "unknown_column"
  | "duplicate_column"
  | "type_mismatch"
  | "unknown_dataset"
  | "wrong_format"
  | "invalid_path"
  | "unreadable_dataset"
  | "upstream_error"
  | "timeout"
  | "cancelled"
  | "busy"
  | "out_of_memory"
  | "execution_failed";

/**
 * A workflow the engine cannot compile or run, or a run that was stopped. The message names the operator
 * (and the column, when one is at fault) and says what to change; it goes back to the model as is.
 */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly operatorId: string | undefined;
  readonly column: string | undefined;
  /** The operator property at fault, as a path into operatorProperties (e.g. `predicates[0].attribute`). */
  readonly property: string | undefined;

  constructor(
    code: EngineErrorCode,
    message: string,
    where: { operatorId?: string; column?: string; property?: string } = {},
  ) {
    super(message);
    this.name = "EngineError";
    this.code = code;
    this.operatorId = where.operatorId;
    this.column = where.column;
    this.property = where.property;
  }
}

/** Errors that are the workflow's fault (the model can fix them), as opposed to a stopped run. */
export function isWorkflowError(error: unknown): error is EngineError {
  return (
    error instanceof EngineError &&
    !["timeout", "cancelled", "busy", "out_of_memory", "execution_failed"].includes(error.code)
  );
}
