import type { Compilable, Expression, Kysely, OperationNode } from "kysely";
import { ValueNode } from "kysely";

/** Only `bind` makes statements: one written by hand (`?` where PostgreSQL needs `$1`) does not typecheck. */
const COMPILED: unique symbol = Symbol("compiled statement");

/**
 * One statement in its database's own SQL (`?` on SQLite, `$1…` on PostgreSQL) and its parameters, made by
 * `SqlClient.statement` from a typed query.
 */
export interface SqlStatement {
  readonly text: string;
  readonly params: readonly unknown[];
  readonly [COMPILED]: true;
}

/** Stands in for the value named `name` when a query is compiled; each call binds the value. */
class Param<T> implements Expression<T> {
  constructor(readonly name: string) {}
  get expressionType(): T | undefined {
    return undefined;
  }
  toOperationNode(): OperationNode {
    return ValueNode.create(this);
  }
}

/** Names a query's parameters while it is built: `p("id")` is typed as the value the call will bind. */
export type Params<P> = <K extends keyof P & string>(name: K) => Expression<P[K]>;

/**
 * A query written once with Kysely's builder over the service's schema `DB`: its parameters `P` (named
 * values bound at each call) and its rows `R` come from the builder's types, so no row type is written by
 * hand. It is compiled once per database (see SqlClient), never per call.
 */
export interface Query<DB, P, R> {
  readonly build: (db: Kysely<DB>, p: Params<P>) => Compilable<R>;
}

/**
 * The query helper for one schema: `const query = queryOf<MyDatabase>()`, then
 * `query((db, p: Params<{ id: string }>) => db.selectFrom("t").select("x").where("id", "=", p("id")))`.
 */
export function queryOf<DB>() {
  return <R, P = Record<never, never>>(
    build: (db: Kysely<DB>, p: Params<P>) => Compilable<R>,
  ): Query<DB, P, R> => ({
    build,
  });
}

/** A query compiled for one dialect: its text and, for each placeholder, a parameter's name or a constant. */
export interface CompiledStatement {
  text: string;
  slots: readonly ({ param: string } | { value: unknown })[];
}

/**
 * Compiles a query with its dialect's compiler, parameters left as named slots. Kysely compiles a query
 * with its values; binding named slots instead lets the text be compiled once and prepared once, then
 * reused with each call's values (Kysely itself has no prepared queries).
 */
export function compileQuery<DB, P, R>(db: Kysely<DB>, query: Query<DB, P, R>): CompiledStatement {
  const compiled = query.build(db, (name) => new Param(name)).compile();
  return {
    text: compiled.sql,
    slots: compiled.parameters.map((value) => (value instanceof Param ? { param: value.name } : { value })),
  };
}

/** The compiled query with each slot's value: the named parameter from `params`, or the constant. */
export function bind(compiled: CompiledStatement, params: unknown): SqlStatement {
  // a query's parameters object: its names are the ones its slots were compiled with
  const values = params as Record<string, unknown>;
  return {
    text: compiled.text,
    params: compiled.slots.map((slot) => ("param" in slot ? values[slot.param] : slot.value)),
    [COMPILED]: true,
  };
}
