import { type Static, Type } from "@sinclair/typebox";

/** Every error answer of every service: one sentence a person can act on. */
export const ErrorBody = Type.Object({ error: Type.String() }, { $id: "ErrorBody" });
export type ErrorBody = Static<typeof ErrorBody>;

export const Uuid = Type.String({ format: "uuid", pattern: "^[0-9a-fA-F-]{36}$" });
export const IsoDate = Type.String({ description: "ISO-8601 timestamp" });
