/** A tool call as the model streamed it: arguments are still JSON text. */
export interface RawToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A `delta.tool_calls[]` piece as providers really send it through LiteLLM (looser than OpenAI's type). */
export interface ToolCallPiece {
  index?: number | null;
  id?: string | null;
  function?: { name?: string | null; arguments?: unknown } | null;
}

const MAX_CALLS = 64;

/**
 * Joins the tool-call pieces of a stream into calls. It does what the OpenAI SDK's stream accumulator does
 * (pieces join by `index`; `id` and a name are set, not appended, so a name repeated in every delta stays
 * one name) and more where real streams break it:
 * - a piece with a new `id` at an index that already holds a call with another id starts a new call
 *   (providers that put every call at `index: 0`);
 * - `arguments` sent as an object is its JSON text, not "[object Object]";
 * - a closing "summary" piece that repeats a call's complete arguments (again, or JSON-encoded once more,
 *   BerriAI/litellm issue #20480) does not double them;
 * - OpenAI's hallucinated `multi_tool_use.parallel` call is expanded into the calls it names, with ids
 *   `<id>_<n>`, as LiteLLM does for non-streamed answers (`_handle_invalid_parallel_tool_calls`); a payload
 *   that cannot be expanded stays as it is (and fails as an unknown tool).
 * At most 64 calls per turn are kept; later ones are dropped.
 */
export class ToolCallAssembler {
  private readonly calls: RawToolCall[] = [];
  /** The call each index currently points at. */
  private readonly byIndex = new Map<number, RawToolCall>();

  get size(): number {
    return this.calls.length;
  }

  push(piece: ToolCallPiece): void {
    const id = typeof piece.id === "string" && piece.id !== "" ? piece.id : undefined;
    const index = typeof piece.index === "number" ? piece.index : undefined;
    let call = index !== undefined ? this.byIndex.get(index) : this.calls[this.calls.length - 1];
    if (id !== undefined && call && call.id !== "" && call.id !== id) {
      call = this.calls.find((c) => c.id === id);
    }
    if (!call) {
      if (this.calls.length >= MAX_CALLS) return;
      call = { id: "", name: "", arguments: "" };
      this.calls.push(call);
    }
    if (index !== undefined) this.byIndex.set(index, call);
    if (id !== undefined) call.id = id;
    const fn = piece.function;
    if (typeof fn?.name === "string" && fn.name !== "") call.name = fn.name;
    const args = fn?.arguments;
    if (typeof args === "string") {
      if (args !== "") call.arguments = joinArguments(call.arguments, args);
    } else if (args !== undefined && args !== null) {
      call.arguments = JSON.stringify(args);
    }
  }

  /** The calls in order, each with an id (made up when the stream gave none; duplicates made unique). */
  finish(): RawToolCall[] {
    const out: RawToolCall[] = [];
    for (const call of this.calls) {
      if (call.name === "multi_tool_use.parallel") out.push(...expandParallel(call));
      else out.push(call);
    }
    const seen = new Set<string>();
    return out.map((c, i) => {
      let id = c.id || `call_${i}`;
      while (seen.has(id)) id = `${id}_${i}`;
      seen.add(id);
      return id === c.id ? c : { ...c, id };
    });
  }
}

/** Appends a piece, unless the text so far is complete JSON and the piece restates it (a summary chunk). */
function joinArguments(sofar: string, piece: string): string {
  if (sofar === "" || !looksComplete(sofar)) return sofar + piece;
  const first = piece.trimStart()[0];
  if (first !== "{" && first !== '"') return sofar + piece;
  const restated = parseJson(piece);
  if (restated === undefined) return sofar + piece;
  if (typeof restated === "string") {
    // JSON-encoded once more: '"{\"q\":1}"'
    return parseJson(restated) !== undefined ? restated : sofar + piece;
  }
  return typeof restated === "object" && restated !== null ? piece : sofar + piece;
}

function looksComplete(text: string): boolean {
  const t = text.trimEnd();
  return t.endsWith("}") && parseJson(t) !== undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function expandParallel(call: RawToolCall): RawToolCall[] {
  const args = parseJson(call.arguments) as { tool_uses?: unknown } | undefined;
  const uses = args?.tool_uses;
  if (!Array.isArray(uses) || uses.length === 0) return [call];
  const out: RawToolCall[] = [];
  for (const [n, use] of uses.entries()) {
    const u = use as { recipient_name?: unknown; parameters?: unknown } | null;
    if (typeof u?.recipient_name !== "string" || u.parameters === undefined) return [call];
    const name = u.recipient_name.startsWith("functions.") ? u.recipient_name.slice(10) : u.recipient_name;
    out.push({ id: `${call.id}_${n}`, name, arguments: JSON.stringify(u.parameters) });
  }
  return out;
}
