import { describe, expect, it } from "vitest";
import { frameMeta } from "../cluster/envelope.ts";
import { LiveAgents } from "./live-agents.ts";

const complete = JSON.stringify({
  type: "complete",
  state: "AVAILABLE",
  operatorResults: {},
  runId: "r1",
  reason: "error",
});
const completeMeta = frameMeta({
  type: "complete",
  state: "AVAILABLE",
  operatorResults: {},
  runId: "r1",
  reason: "error",
});

describe("LiveAgents: the state of runs on other replicas", () => {
  it("a run another replica ends while the running list is read is not marked GENERATING by that older list", () => {
    const live = new LiveAgents();
    live.setRemoteStates([["a", "GENERATING"]]);
    live.beginRemoteRefresh();
    // the list below was read before this frame arrived
    live.deliver("a", complete, completeMeta);
    live.setRemoteStates([
      ["a", "GENERATING"],
      ["b", "GENERATING"],
    ]);
    expect(live.remoteState("a")).toBeUndefined();
    expect(live.remoteState("b")).toBe("GENERATING");
  });

  it("without a frame meanwhile, the list replaces what was known", () => {
    const live = new LiveAgents();
    live.setRemoteStates([["a", "GENERATING"]]);
    live.beginRemoteRefresh();
    live.setRemoteStates([["b", "GENERATING"]]);
    expect(live.remoteState("a")).toBeUndefined();
    expect(live.remoteState("b")).toBe("GENERATING");
    // the guard lasts one refresh only
    live.deliver("b", complete, completeMeta);
    live.setRemoteStates([["b", "GENERATING"]]);
    expect(live.remoteState("b")).toBe("GENERATING");
  });
});
