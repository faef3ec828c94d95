export { type AddLinkInput, addLink } from "./add-link.ts";
export { type AddOperatorInput, addOperator } from "./add-operator.ts";
export {
  AGGREGATE_FUNCTIONS,
  FILTER_CONDITIONS,
  findOperatorType,
  JOIN_TYPES,
  OPERATOR_CATALOG,
  type OperatorType,
  portLabel,
} from "./catalog.ts";
export { type DeleteLinkInput, deleteLink } from "./delete-link.ts";
export { deleteOperator } from "./delete-operator.ts";
export { ToolInputError, type ToolInputErrorCode } from "./errors.ts";
export { topologicalOrder } from "./graph.ts";
export { MAX_LINKS, MAX_OPERATORS } from "./lookup.ts";
export { type ModifyOperatorInput, modifyOperator } from "./modify-operator.ts";
export { type AgentTool, type ToolContext, type ToolOutcome, workflowTools } from "./tools.ts";
export { validateProperties } from "./validate-properties.ts";
export { validateWorkflow } from "./validate-workflow.ts";
export { workflowSummary } from "./workflow-summary.ts";
