/** Names of the workflow-editing tools the agent offers the model (agent-service owns their schemas). */
export const WORKFLOW_TOOLS = [
  "listOperatorTypes",
  "getOperatorSchema",
  "getWorkflow",
  "addOperator",
  "modifyOperator",
  "deleteOperator",
  "addLink",
  "deleteLink",
] as const;
export type WorkflowToolName = (typeof WORKFLOW_TOOLS)[number];
