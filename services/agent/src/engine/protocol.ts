// The result and dataset schemas live in packages/protocol/src/results.ts. Until the package index
// re-exports that file, this module is the one place that reaches into it; afterwards it can re-export
// from "@texera-agent/protocol" instead.
export * from "../../../../packages/protocol/src/results.ts";
