export * from "@texera-agent/protocol";
