export * from "./agents.ts";
export * from "./auth.ts";
export * from "./common.ts";
export * from "./decode.ts";
export * from "./frames.ts";
export * from "./steps.ts";
export * from "./tools.ts";
export * from "./workflow.ts";
