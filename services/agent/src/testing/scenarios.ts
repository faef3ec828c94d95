import type { Rule } from "@texera-agent/llm-sim";

/**
 * The llm-sim rule several suites share: "add a csv" as the first message of a run answers with one
 * addOperator call, a CSV scan of orders.csv as `op1` (its text and the operator's summary as the suite
 * asserts them).
 */
export function addCsvRule(reply: { content?: string; summary?: string } = {}): Rule {
  return {
    name: "add-csv",
    match: { lastUser: "add a csv", assistantTurns: 0 },
    reply: {
      ...(reply.content === undefined ? {} : { content: reply.content }),
      toolCalls: [
        {
          name: "addOperator",
          arguments: {
            operatorId: "op1",
            operatorType: "CSVFileScan",
            properties: { fileName: "orders.csv" },
            summary: reply.summary ?? "Orders",
          },
        },
      ],
    },
  };
}
