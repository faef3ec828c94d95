import { type Static, Type } from "@sinclair/typebox";

/*
 * Texera's WorkflowContent: what is stored, what REST returns and what frames carry. Field names and
 * shapes are Texera's (apache/texera, frontend/src/app/common/type/workflow.ts@0b42939 lines 23-47 and
 * frontend/src/app/workspace/types/workflow-common.interface.ts@429e11e lines 27-107). Objects accept
 * fields this service does not know (Texera adds some between versions); they are kept as they are.
 */

/** `{x, y}` on Texera's canvas (workflow-common.interface.ts:27-31). */
export const Point = Type.Object({ x: Type.Number(), y: Type.Number() });
export type Point = Static<typeof Point>;

/** One end of a link (`LogicalPort`, workflow-common.interface.ts:33-37). */
export const LogicalPort = Type.Object({
  operatorID: Type.String({ minLength: 1, maxLength: 200 }),
  portID: Type.String({ minLength: 1, maxLength: 100 }),
});
export type LogicalPort = Static<typeof LogicalPort>;

/** workflow-common.interface.ts:39-44 */
export const PartitionInfo = Type.Object({
  type: Type.Union([
    Type.Literal("hash"),
    Type.Literal("range"),
    Type.Literal("single"),
    Type.Literal("broadcast"),
    Type.Literal("none"),
  ]),
});

/** An input or output port of an operator (`PortDescription`, workflow-common.interface.ts:54-62). */
export const PortDescription = Type.Object({
  portID: Type.String({ minLength: 1, maxLength: 100 }),
  displayName: Type.Optional(Type.String({ maxLength: 200 })),
  disallowMultiInputs: Type.Optional(Type.Boolean()),
  isDynamicPort: Type.Optional(Type.Boolean()),
  partitionRequirement: Type.Optional(PartitionInfo),
  dependencies: Type.Optional(Type.Array(Type.Object({ id: Type.Integer(), internal: Type.Boolean() }))),
});
export type PortDescription = Static<typeof PortDescription>;

/**
 * One operator (`OperatorPredicate`, workflow-common.interface.ts:64-79). `operatorProperties` are the
 * operator's JSON properties, checked against its type's JSON Schema from the operator catalog.
 */
export const Operator = Type.Object({
  operatorID: Type.String({ minLength: 1, maxLength: 200 }),
  operatorType: Type.String({ minLength: 1, maxLength: 100 }),
  operatorVersion: Type.String({ maxLength: 100 }),
  operatorProperties: Type.Record(Type.String(), Type.Unknown()),
  inputPorts: Type.Array(PortDescription),
  outputPorts: Type.Array(PortDescription),
  dynamicInputPorts: Type.Optional(Type.Boolean()),
  dynamicOutputPorts: Type.Optional(Type.Boolean()),
  showAdvanced: Type.Boolean(),
  isDisabled: Type.Optional(Type.Boolean()),
  viewResult: Type.Optional(Type.Boolean()),
  markedForReuse: Type.Optional(Type.Boolean()),
  customDisplayName: Type.Optional(Type.String({ maxLength: 1000 })),
});
export type Operator = Static<typeof Operator>;
/** Texera's name for an operator of the workflow. */
export type OperatorPredicate = Operator;

/** A link from an output port to an input port (`OperatorLink`, workflow-common.interface.ts:102-107). */
export const Link = Type.Object({
  linkID: Type.String({ minLength: 1, maxLength: 200 }),
  source: LogicalPort,
  target: LogicalPort,
});
export type Link = Static<typeof Link>;
export type OperatorLink = Link;

/**
 * A comment box (`CommentBox`, workflow-common.interface.ts:81-100). This service never makes or reads
 * one; boxes loaded from Texera are kept as they are.
 */
export const CommentBox = Type.Intersect([
  Type.Object({ commentBoxID: Type.String() }),
  Type.Record(Type.String(), Type.Unknown()),
]);
export type CommentBox = Static<typeof CommentBox>;

/** `WorkflowSettings` (workflow.ts:23-26): `batchProcessing` exists only in later frontends. */
export const WorkflowSettings = Type.Object({
  dataTransferBatchSize: Type.Number(),
  batchProcessing: Type.Optional(Type.Boolean()),
});
export type WorkflowSettings = Static<typeof WorkflowSettings>;

/** Texera's `WorkflowContent` (workflow.ts:40-47), in Texera's key order. */
export const Workflow = Type.Object({
  operators: Type.Array(Operator),
  operatorPositions: Type.Record(Type.String(), Point),
  links: Type.Array(Link),
  commentBoxes: Type.Array(CommentBox),
  settings: WorkflowSettings,
});
export type Workflow = Static<typeof Workflow>;
export type WorkflowContent = Workflow;

/** Texera's agent-service default when no settings were loaded (agent/workflow-state.ts:41-43). */
export const DEFAULT_WORKFLOW_SETTINGS: WorkflowSettings = { dataTransferBatchSize: 400 };

export const emptyWorkflow = (): Workflow => ({
  operators: [],
  operatorPositions: {},
  links: [],
  commentBoxes: [],
  settings: { ...DEFAULT_WORKFLOW_SETTINGS },
});

/** The index of `portID` in `ports`, or -1. */
export function portIndex(ports: readonly PortDescription[], portID: string): number {
  return ports.findIndex((p) => p.portID === portID);
}
