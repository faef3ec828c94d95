import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Value } from "@sinclair/typebox/value";
import type { ChatRequest, TurnView } from "./conversation.ts";
import type { Fault } from "./fault.ts";
import { fillJson, interpolate, type PlaceholderContext, PlaceholderError } from "./placeholders.ts";
import { type Match, type Reply, type Scenario, ScenarioSchema } from "./scenario-schema.ts";
import { fillerText } from "./tokens.ts";

export const MAX_REPLY_TOKENS = 100_000;

/** The default: `tokens:N` answers N filler tokens; anything else is echoed back. */
export const defaultScenario: Scenario = {
  name: "echo",
  rules: [
    { name: "tokens", match: { lastUser: "^\\s*tokens:\\s*(\\d+)\\s*$" }, reply: { tokens: "{{match:1}}" } },
  ],
  fallback: { content: "{{lastUser}}" },
};

/** A scenario that cannot be used: a programmer's mistake, reported when the scenario is set. */
export class ScenarioError extends TypeError {
  override name = "ScenarioError";
}

interface CompiledRule {
  label: string;
  match: Match;
  lastUser?: RegExp;
  lastToolResult?: RegExp;
  model?: RegExp;
  reply: Reply;
  fault?: Fault;
}

export interface CompiledScenario {
  source: Scenario;
  rules: CompiledRule[];
  fallback: Reply;
}

function regex(source: string, flags: string, where: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new ScenarioError(`${where}: invalid regex: ${(err as Error).message}`);
  }
}

export function compileScenario(scenario: unknown): CompiledScenario {
  if (!Value.Check(ScenarioSchema, scenario)) {
    const first = Value.Errors(ScenarioSchema, scenario).First();
    throw new ScenarioError(
      `scenario${first?.path.replaceAll("/", ".") ?? ""}: ${first?.message ?? "invalid"}`,
    );
  }
  const rules = scenario.rules.map((rule, i): CompiledRule => {
    const label = rule.name ?? `rule ${i}`;
    const where = `scenario.rules.${i} (${label})`;
    const m = rule.match ?? {};
    const flags = m.flags ?? "";
    return {
      label,
      match: m,
      lastUser: m.lastUser !== undefined ? regex(m.lastUser, flags, `${where}.match.lastUser`) : undefined,
      lastToolResult:
        m.lastToolResult !== undefined
          ? regex(m.lastToolResult, flags, `${where}.match.lastToolResult`)
          : undefined,
      model: m.model !== undefined ? regex(m.model, "", `${where}.match.model`) : undefined,
      reply: rule.reply,
      fault: rule.fault,
    };
  });
  return { source: scenario, rules, fallback: scenario.fallback ?? { content: "{{lastUser}}" } };
}

/** Reads and checks a JSON scenario file; throws ScenarioError with the file and the first problem. */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ScenarioError(`cannot read scenario file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`scenario file ${path} is not JSON: ${(err as Error).message}`);
  }
  try {
    return compileScenario(json).source;
  } catch (err) {
    throw new ScenarioError(`${path}: ${(err as Error).message}`);
  }
}

export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface PlannedReply {
  rule: string;
  content: string;
  toolCalls: PlannedToolCall[];
  fault: Fault | undefined;
  /** Recorded chunks to replay as they are (reply.chunks). */
  chunks?: object[];
}

function turnsMatch(want: Match["assistantTurns"], turns: number): boolean {
  if (want === undefined) return true;
  if (typeof want === "number") return turns === want;
  return (want.min === undefined || turns >= want.min) && (want.max === undefined || turns <= want.max);
}

export const newToolCallId = () => `call_${randomBytes(12).toString("hex")}`;

/** Picks the first rule that matches and renders its reply. Throws PlaceholderError when it cannot. */
export function planReply(scenario: CompiledScenario, req: ChatRequest, turn: TurnView): PlannedReply {
  let chosen: { label: string; reply: Reply; fault?: Fault; match: RegExpMatchArray | null } | undefined;
  for (const rule of scenario.rules) {
    const m = rule.match;
    if (m.afterToolResult !== undefined && m.afterToolResult !== turn.lastIsToolResult) continue;
    if (!turnsMatch(m.assistantTurns, turn.assistantTurns)) continue;
    if (rule.model && !rule.model.test(req.model)) continue;
    if (m.toolOffered !== undefined && !req.toolNames.includes(m.toolOffered)) continue;
    if (rule.lastToolResult) {
      const last = turn.toolResults[turn.toolResults.length - 1];
      if (last === undefined || !rule.lastToolResult.test(last)) continue;
    }
    let match: RegExpMatchArray | null = null;
    if (rule.lastUser) {
      match = turn.lastUser.match(rule.lastUser);
      if (!match) continue;
    }
    chosen = { label: rule.label, reply: rule.reply, fault: rule.fault, match };
    break;
  }
  chosen ??= { label: "fallback", reply: scenario.fallback, match: null };
  return render(chosen.label, chosen.reply, chosen.fault, {
    lastUser: turn.lastUser,
    model: req.model,
    user: req.user,
    match: chosen.match,
    toolResults: turn.toolResults,
  });
}

function render(
  label: string,
  reply: Reply,
  fault: Fault | undefined,
  ctx: PlaceholderContext,
): PlannedReply {
  let content = reply.content !== undefined ? interpolate(reply.content, ctx) : "";
  if (reply.tokens !== undefined) {
    const text =
      typeof reply.tokens === "number" ? String(reply.tokens) : interpolate(reply.tokens, ctx).trim();
    if (!/^\d+$/.test(text))
      throw new PlaceholderError(`rule "${label}": tokens "${text}" is not a whole number`);
    const n = Math.min(Number(text), MAX_REPLY_TOKENS);
    const filler = fillerText(n);
    content = content === "" ? filler : filler === "" ? content : `${content} ${filler}`;
  }
  const toolCalls = (reply.toolCalls ?? []).map((spec): PlannedToolCall => {
    const args =
      typeof spec.arguments === "string"
        ? interpolate(spec.arguments, ctx)
        : JSON.stringify(spec.arguments === undefined ? {} : fillJson(spec.arguments, ctx));
    return { id: spec.id ?? newToolCallId(), name: spec.name, arguments: args };
  });
  return { rule: label, content, toolCalls, fault, ...(reply.chunks ? { chunks: reply.chunks } : {}) };
}
