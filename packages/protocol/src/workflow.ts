import { type Static, Type } from "@sinclair/typebox";

/** One operator of a workflow DAG. `properties` are validated against the operator type's JSON Schema. */
export const Operator = Type.Object({
  operatorId: Type.String(),
  operatorType: Type.String(),
  properties: Type.Record(Type.String(), Type.Unknown()),
  displayName: Type.Optional(Type.String()),
});
export type Operator = Static<typeof Operator>;

/** A directed edge. `targetPort` is 0 for single-input operators; a join reads ports 0 (left) and 1 (right). */
export const Link = Type.Object({
  linkId: Type.String(),
  source: Type.String({ description: "operatorId of the upstream operator" }),
  target: Type.String({ description: "operatorId of the downstream operator" }),
  targetPort: Type.Integer({ minimum: 0, default: 0 }),
});
export type Link = Static<typeof Link>;

export const Workflow = Type.Object({ operators: Type.Array(Operator), links: Type.Array(Link) });
export type Workflow = Static<typeof Workflow>;

export const emptyWorkflow = (): Workflow => ({ operators: [], links: [] });
