/** Why a tool call was refused; stable strings a caller can `switch` on. */
export type ToolInputErrorCode =
  | "invalid_arguments"
  | "invalid_properties"
  | "unknown_operator_type"
  | "unknown_operator"
  | "duplicate_operator"
  | "unknown_link"
  | "self_loop"
  | "cycle"
  | "port_out_of_range"
  | "port_taken"
  | "duplicate_link"
  | "ambiguous_link"
  | "too_large";

/**
 * The model's mistake: a tool was called with arguments that cannot be applied. The message goes back to
 * the model as the tool's error result and says what to send instead; the run goes on.
 */
export class ToolInputError extends Error {
  readonly code: ToolInputErrorCode;

  constructor(message: string, code: ToolInputErrorCode = "invalid_arguments") {
    super(message);
    this.name = "ToolInputError";
    this.code = code;
  }
}
