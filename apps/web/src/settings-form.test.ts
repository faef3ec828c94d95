import { describe, expect, it } from "vitest";
import { settingsPatch, toDraft } from "./settings-form.ts";
import { makeAgent } from "./test-fixtures.ts";

const saved = makeAgent().settings;

describe("settingsPatch", () => {
  it("sends only what changed, with the timeout in milliseconds", () => {
    expect(settingsPatch(saved, toDraft(saved))).toEqual({});
    const draft = {
      ...toDraft(saved),
      maxSteps: "25",
      toolTimeoutSeconds: "2.5",
      disabledTools: ["deleteLink"],
    };
    expect(settingsPatch(saved, draft)).toEqual({
      maxSteps: 25,
      toolTimeoutMs: 2500,
      disabledTools: ["deleteLink"],
    });
    expect(settingsPatch(saved, { ...toDraft(saved), temperature: "1.3" })).toEqual({ temperature: 1.3 });
  });

  it("clears the temperature when the field is emptied (the model's default is then used)", () => {
    const set = { ...saved, temperature: 0.2 };
    expect(toDraft({ ...saved, temperature: undefined }).temperature).toBe("");
    expect(settingsPatch(set, { ...toDraft(set), temperature: "" })).toEqual({ temperature: null });
    expect(
      settingsPatch({ ...saved, temperature: undefined }, { ...toDraft(saved), temperature: "" }),
    ).toEqual({});
  });

  it("treats the disabled tools as a set", () => {
    const withTwo = { ...saved, disabledTools: ["addLink", "deleteLink"] };
    expect(settingsPatch(withTwo, { ...toDraft(withTwo), disabledTools: ["deleteLink", "addLink"] })).toEqual(
      {},
    );
  });

  it("names the field that is out of range", () => {
    const draft = toDraft(saved);
    expect(settingsPatch(saved, { ...draft, maxSteps: "0" })).toMatch(/Max steps/);
    expect(settingsPatch(saved, { ...draft, maxSteps: "2.5" })).toMatch(/whole number/);
    expect(settingsPatch(saved, { ...draft, temperature: "3" })).toMatch(/Temperature/);
    expect(settingsPatch(saved, { ...draft, toolTimeoutSeconds: "0.01" })).toMatch(/Tool timeout/);
    expect(settingsPatch(saved, { ...draft, toolTimeoutSeconds: "601" })).toMatch(/Tool timeout/);
  });
});
