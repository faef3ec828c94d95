import { describe, expect, it } from "vitest";
import { ToolCallAssembler, type ToolCallPiece } from "./tool-call-assembler.ts";

const join = (pieces: ToolCallPiece[]) => {
  const a = new ToolCallAssembler();
  for (const p of pieces) a.push(p);
  return a.finish();
};

describe("ToolCallAssembler", () => {
  it("joins OpenAI's pieces by index (id and name first, argument pieces after)", () => {
    expect(
      join([
        { index: 0, id: "call_abc", function: { name: "search", arguments: '{"qu' } },
        { index: 0, function: { arguments: 'ery":' } },
        { index: 0, function: { arguments: '"hello"}' } },
      ]),
    ).toEqual([{ id: "call_abc", name: "search", arguments: '{"query":"hello"}' }]);
  });

  // BerriAI/litellm issue #20480: LiteLLM sends the id (and type) on every chunk of a call.
  it("an id repeated on every piece stays one call", () => {
    expect(
      join([
        { index: 0, id: "call_abc", function: { name: "search", arguments: '{"qu' } },
        { index: 0, id: "call_abc", function: { arguments: 'ery":' } },
        { index: 0, id: "call_abc", function: { arguments: '"hello"}' } },
      ]),
    ).toEqual([{ id: "call_abc", name: "search", arguments: '{"query":"hello"}' }]);
  });

  it("a name repeated in every piece is set, not appended", () => {
    const calls = join([
      { index: 0, id: "c1", function: { name: "getOperatorSchema", arguments: "" } },
      { index: 0, function: { name: "getOperatorSchema", arguments: '{"a":' } },
      { index: 0, function: { name: "getOperatorSchema", arguments: "1}" } },
    ]);
    expect(calls).toEqual([{ id: "c1", name: "getOperatorSchema", arguments: '{"a":1}' }]);
  });

  it("a new id at an index that holds another call starts a new call", () => {
    const calls = join([
      { index: 0, id: "c1", function: { name: "a", arguments: "{}" } },
      { index: 0, id: "c2", function: { name: "b", arguments: '{"x"' } },
      { index: 0, function: { arguments: ":2}" } },
    ]);
    expect(calls).toEqual([
      { id: "c1", name: "a", arguments: "{}" },
      { id: "c2", name: "b", arguments: '{"x":2}' },
    ]);
  });

  it("object arguments become their JSON text", () => {
    const calls = join([{ index: 0, id: "c1", function: { name: "a", arguments: { x: [1, "y"] } } }]);
    expect(calls[0]!.arguments).toBe('{"x":[1,"y"]}');
  });

  it("a summary piece that repeats the complete arguments (plain or JSON-encoded again) does not double them", () => {
    const streamed: ToolCallPiece[] = [
      { index: 0, id: "c1", function: { name: "a", arguments: '{"q":' } },
      { index: 0, function: { arguments: '"hi"}' } },
    ];
    expect(
      join([...streamed, { index: 0, id: "c1", function: { arguments: '{"q":"hi"}' } }])[0]!.arguments,
    ).toBe('{"q":"hi"}');
    expect(
      join([...streamed, { index: 0, id: "c1", function: { arguments: JSON.stringify('{"q":"hi"}') } }])[0]!
        .arguments,
    ).toBe('{"q":"hi"}');
  });

  it("gives calls without an id one, and makes duplicate ids unique", () => {
    const calls = join([
      { index: 0, function: { name: "a", arguments: "{}" } },
      { index: 1, id: "same", function: { name: "b", arguments: "{}" } },
      { index: 2, function: { name: "c", arguments: "{}" } },
    ]);
    expect(calls.map((c) => c.id)).toEqual(["call_0", "same", "call_2"]);
  });

  // tests/test_litellm/litellm_core_utils/llm_response_utils/test_handle_invalid_parallel_tool_calls.py
  it("expands multi_tool_use.parallel, and leaves a payload it cannot expand as it is", () => {
    const valid = JSON.stringify({
      tool_uses: [
        { recipient_name: "functions.get_weather", parameters: { city: "NYC" } },
        { recipient_name: "functions.get_time", parameters: { tz: "EST" } },
      ],
    });
    expect(
      join([{ index: 0, id: "call_1", function: { name: "multi_tool_use.parallel", arguments: valid } }]),
    ).toEqual([
      { id: "call_1_0", name: "get_weather", arguments: '{"city":"NYC"}' },
      { id: "call_1_1", name: "get_time", arguments: '{"tz":"EST"}' },
    ]);
    for (const bad of [
      '{"tool_uses": [{"recipient_name": "functions.get_weather"}]}',
      '{"tool_uses": "nope"}',
      '{"tool_uses": [42]}',
      "{}",
    ]) {
      expect(
        join([{ index: 0, id: "call_1", function: { name: "multi_tool_use.parallel", arguments: bad } }]),
      ).toEqual([{ id: "call_1", name: "multi_tool_use.parallel", arguments: bad }]);
    }
  });

  it("keeps at most 64 calls", () => {
    const pieces = Array.from({ length: 100 }, (_, i) => ({
      index: i,
      id: `c${i}`,
      function: { name: "a" },
    }));
    expect(join(pieces)).toHaveLength(64);
  });
});
