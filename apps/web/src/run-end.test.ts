import { describe, expect, it } from "vitest";
import { lastRunEnd } from "./run-end.ts";
import { makeStep } from "./test-fixtures.ts";

const user = makeStep(0, { kind: "user", content: "hi" });
const system = (content: string, error?: string) =>
  makeStep(2, { kind: "system", content, ...(error ? { error } : {}) });

describe("lastRunEnd", () => {
  it("reads how the latest run ended from its last saved step", () => {
    expect(lastRunEnd([user, makeStep(1)], "AVAILABLE")).toEqual({ runId: "run-1", reason: "done" });
    expect(lastRunEnd([user, makeStep(1), system("Stopped by the user.")], "AVAILABLE")?.reason).toBe(
      "stopped",
    );
    expect(
      lastRunEnd(
        [
          user,
          system("Stopped after 10 steps (the agent's maxSteps setting); send another message to go on."),
        ],
        "AVAILABLE",
      )?.reason,
    ).toBe("max_steps");
    expect(
      lastRunEnd([user, system("the model gateway is unreachable", "LLM_UNAVAILABLE")], "AVAILABLE")?.reason,
    ).toBe("error");
    expect(lastRunEnd([user, system("This run was cut short", "INTERRUPTED")], "AVAILABLE")?.reason).toBe(
      "interrupted",
    );
    expect(
      lastRunEnd([user, system("agent-service shut down during this run; send the message again.")], null)
        ?.reason,
    ).toBe("interrupted");
  });

  it("says nothing while the agent runs, for no steps, or when the run has only its message", () => {
    expect(lastRunEnd([user, makeStep(1)], "GENERATING")).toBeNull();
    expect(lastRunEnd([user, makeStep(1)], "STOPPING")).toBeNull();
    expect(lastRunEnd([], "AVAILABLE")).toBeNull();
    expect(lastRunEnd([user], "AVAILABLE")).toBeNull();
  });

  it("names the latest run, not an earlier one", () => {
    const steps = [
      user,
      makeStep(1),
      makeStep(2, { runId: "run-2", kind: "system", content: "Stopped by the user." }),
    ];
    expect(lastRunEnd(steps, "AVAILABLE")).toEqual({ runId: "run-2", reason: "stopped" });
  });
});
