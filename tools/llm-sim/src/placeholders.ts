// Placeholders in scenario replies: {{lastUser}}, {{model}}, {{user}}, {{match:1}} / {{match:name}} (groups
// of the rule's lastUser regex), {{result:0.operatorId}} (a field of the JSON of a tool result since the
// last user message; 0 is the first, -1 the latest; no path gives the whole result).

export class PlaceholderError extends Error {
  override name = "PlaceholderError";
}

export interface PlaceholderContext {
  lastUser: string;
  model: string;
  user: string | undefined;
  match: RegExpMatchArray | null;
  toolResults: string[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)(?::([^}\s]*))?\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z]+)(?::([^}\s]*))?\s*\}\}$/;

function resolveResult(arg: string, ctx: PlaceholderContext, token: string): unknown {
  const dot = arg.indexOf(".");
  const indexText = dot < 0 ? arg : arg.slice(0, dot);
  const path = dot < 0 ? [] : arg.slice(dot + 1).split(".");
  if (!/^-?\d+$/.test(indexText))
    throw new PlaceholderError(`${token}: "${indexText}" is not a result index`);
  const n = Number(indexText);
  const index = n < 0 ? ctx.toolResults.length + n : n;
  const raw = ctx.toolResults[index];
  if (raw === undefined) {
    throw new PlaceholderError(
      `${token}: there is no tool result ${n} since the last user message (found ${ctx.toolResults.length})`,
    );
  }
  if (path.length === 0) return raw;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new PlaceholderError(`${token}: tool result ${n} is not JSON: ${raw.slice(0, 120)}`);
  }
  for (const key of path) {
    if (value !== null && typeof value === "object" && Object.hasOwn(value, key)) {
      value = (value as Record<string, unknown>)[key];
    } else {
      throw new PlaceholderError(
        `${token}: tool result ${n} has no field "${path.join(".")}": ${raw.slice(0, 120)}`,
      );
    }
  }
  return value;
}

function resolve(name: string, arg: string | undefined, ctx: PlaceholderContext, token: string): unknown {
  switch (name) {
    case "lastUser":
      return ctx.lastUser;
    case "model":
      return ctx.model;
    case "user":
      return ctx.user ?? "";
    case "match": {
      if (!ctx.match)
        throw new PlaceholderError(`${token}: the rule has no lastUser regex to take groups from`);
      const key = arg ?? "0";
      const value = /^\d+$/.test(key) ? ctx.match[Number(key)] : ctx.match.groups?.[key];
      if (value === undefined)
        throw new PlaceholderError(`${token}: the lastUser regex has no group "${key}"`);
      return value;
    }
    case "result":
      return resolveResult(arg ?? "", ctx, token);
    default:
      throw new PlaceholderError(
        `${token}: unknown placeholder (use lastUser, model, user, match:N, result:N.path)`,
      );
  }
}

const asText = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

/** Replaces every placeholder in a string by its value as text. */
export function interpolate(template: string, ctx: PlaceholderContext): string {
  if (!template.includes("{{")) return template;
  return template.replace(PLACEHOLDER, (token, name: string, arg: string | undefined) =>
    asText(resolve(name, arg, ctx, token)),
  );
}

/**
 * Fills placeholders in a JSON value: a string that is exactly one placeholder takes the raw value
 * (a number stays a number, an object stays an object); other strings are interpolated as text.
 */
export function fillJson(value: unknown, ctx: PlaceholderContext): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return resolve(whole[1]!, whole[2], ctx, value);
    return interpolate(value, ctx);
  }
  if (Array.isArray(value)) return value.map((v) => fillJson(v, ctx));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fillJson(v, ctx);
    return out;
  }
  return value;
}
