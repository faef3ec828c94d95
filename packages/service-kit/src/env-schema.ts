import {
  type Static,
  type TInteger,
  type TLiteral,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  type TUnion,
  Type,
} from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

/**
 * A service's environment, declared once as a TypeBox object of its variables. parseEnv reads and checks
 * the environment through it; the README tables are generated from it (scripts/config-docs.ts). Values
 * stay flat (numbers and strings, as the environment has them): each service derives its nested config.
 */
export type Env = Record<string, string | undefined>;

/** What every variable says about itself beside its JSON Schema keywords (read by the docs generator). */
export interface VarDoc {
  description: string;
  /** The default column when the default is worked out from other variables (no `default` keyword). */
  defaultText?: string;
  /** A string's valid shape in words ("a size such as 2GB or 512MB"); used in error messages and docs. */
  expected?: string;
  /** Never echoed in an error message. */
  secret?: boolean;
  /** Still read under this name, with a warning at start-up: set the variable named here instead. */
  replacedBy?: string;
}

const MAX = Number.MAX_SAFE_INTEGER;

/** Builders for the three kinds of variable; `Type.Optional(...)` for one with no default. */
export const Var = {
  /** A whole number: `Number(raw)` must be an integer within [minimum, maximum] (0 to 2^53 − 1 unless set). */
  int: (o: VarDoc & { default?: number; minimum?: number; maximum?: number }): TInteger =>
    Type.Integer({ minimum: 0, maximum: MAX, ...o }),
  /** `format`: a name registered in TypeBox's FormatRegistry (trusted-proxies.ts registers one). */
  string: (
    o: VarDoc & { default?: string; pattern?: string; minLength?: number; format?: string },
  ): TString => Type.String(o),
  oneOf: <const T extends string>(
    values: readonly T[],
    o: VarDoc & { default?: NoInfer<T> },
  ): TUnion<TLiteral<T>[]> =>
    Type.Union(
      values.map((v) => Type.Literal(v)),
      o,
    ) as TUnion<TLiteral<T>[]>,
};

export type EnvSchema<P extends TProperties = TProperties> = TObject<P>;
export type EnvValues<S extends TSchema> = Static<S>;

export interface EnvProblem {
  name: string;
  message: string;
}

/** Start-up stops with this: every variable at fault, each named with what a valid value looks like. */
export class ConfigError extends TypeError {
  readonly code = "CONFIG_INVALID";
  constructor(readonly problems: EnvProblem[]) {
    super(problems.map((p) => p.message).join("; "));
    this.name = "ConfigError";
  }
}

type VarSchema = TSchema & VarDoc & { default?: unknown };

/** What a valid value of this variable looks like, in words, derived from its schema. */
export function expectedOf(schema: TSchema): string {
  const s = schema as VarSchema & Record<string, unknown>;
  if (s.expected) return s.expected;
  if (s.type === "integer") return `a whole number from ${s.minimum} to ${s.maximum}`;
  if (Array.isArray(s.anyOf)) return `one of ${s.anyOf.map((l: { const: string }) => l.const).join(", ")}`;
  if (typeof s.minLength === "number") return `at least ${s.minLength} characters`;
  return "a string";
}

/**
 * The environment read through the schema: an unset or empty variable takes its `default` (or stays
 * undefined when it has none); a set one must be valid, or a ConfigError names every one at fault.
 */
export function parseEnv<P extends TProperties>(schema: TObject<P>, env: Env): Static<TObject<P>> {
  const values: Record<string, unknown> = {};
  const problems: EnvProblem[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    const s = property as VarSchema;
    const raw = env[name];
    if (raw === undefined || raw === "") {
      if (s.default !== undefined) values[name] = s.default;
      continue;
    }
    const value = s.type === "integer" ? Number(raw) : raw;
    if (Value.Check(s, value)) values[name] = value;
    else {
      const got = s.secret ? "" : `, got "${raw}"`;
      problems.push({ name, message: `${name} must be ${expectedOf(s)}${got}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Static<TObject<P>>;
}

/** Warnings for deprecated names that are set (logged at start-up; the value is still read). */
export function deprecationWarnings(schema: TObject, env: Env): string[] {
  return Object.entries(schema.properties)
    .filter(([name, s]) => (s as VarSchema).replacedBy && env[name] !== undefined && env[name] !== "")
    .map(
      ([name, s]) =>
        `${name} is deprecated and will stop being read: set ${(s as VarSchema).replacedBy} instead (see the README)`,
    );
}
