// Issue 16, the chat half, in Debian's Chromium against the system started as `npm start` starts it:
// answers in sanitised Markdown with the steps folded under them; retry, regenerate, edit and resend on the
// version tree; rename, search and preview in the agent list, clearing the workflow; errors in words
// without internal addresses; uploads from the message box. The demo scenario of llm-sim gets a few rules
// of this file's in front of it (PUT /sim/scenario), so each test can ask for the answer it needs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ReActStep } from "@texera-agent/protocol";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/nginx.ts";
import {
  byTestId,
  createAgent,
  expectAttribute,
  expectCount,
  expectText,
  launchChromium,
  openPage,
  sendMessage,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { clearSimFault, setSimFault } from "./browser-llm-sim.ts";
import { type RunningSystem, startSystem } from "./harness.ts";

const MODEL = "demo-offline-model";
const RUN_TIMEOUT_MS = 45_000;

const MARKDOWN_ANSWER = [
  "Here is the **summary** of `orders`:",
  "",
  "| region | total |",
  "| --- | ---: |",
  "| EU | 120 |",
  "| US | 80 |",
  "",
  "- first item",
  "- second item",
  "",
  "```sql",
  "SELECT region, sum(amount) FROM orders GROUP BY region;",
  "```",
  "",
  `<img src="x" onerror="window.__xss='img'"> <script>window.__xss='script'</script>`,
  "",
  "[a link](javascript:window.__xss='link') and [a good one](https://example.org/docs)",
].join("\n");

/** Rules in front of the demo's: the first that matches answers. */
const RULES = [
  {
    name: "markdown: look first",
    match: { lastUser: "^markdown please", assistantTurns: 0 },
    reply: { content: "Let me look at the workflow.", toolCalls: [{ name: "getWorkflow", arguments: {} }] },
  },
  {
    name: "markdown: answer",
    match: { lastUser: "^markdown please", afterToolResult: true },
    reply: { content: MARKDOWN_ANSWER },
  },
  {
    name: "echo",
    match: { lastUser: "^echo: (.*)$", flags: "s" },
    reply: { content: "You said: {{match:1}}" },
  },
  {
    // the master key rejected once (not retried by agent-service), then the rule answers
    name: "fail once",
    match: { lastUser: "^fail once" },
    reply: { content: "Recovered after the retry." },
    fault: { error: 401, failFirst: 1 },
  },
];

type TestUser = { id: number; token: string; password: string };

let sys: RunningSystem;
let browser: Browser;
const pages: Page[] = [];

async function open(): Promise<Page> {
  const page = await openPage(browser, sys.url);
  pages.push(page);
  return page;
}

async function user(username: string): Promise<TestUser> {
  const password = `pw-${username}-for-chat-tests`;
  const created = await sys.createUser({ username, password, role: "REGULAR" });
  return { id: created.id, token: created.token, password };
}

async function api<T>(u: TestUser, path: string): Promise<T> {
  const res = await fetch(`${sys.url}${path}`, { headers: { authorization: `Bearer ${u.token}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

const stepsOf = async (u: TestUser, agentId: string) =>
  (await api<{ steps: ReActStep[] }>(u, `/api/agents/${agentId}/react-steps`)).steps;

async function runDone(page: Page): Promise<void> {
  await page.locator('[data-testid="run-outcome"][data-reason="done"]').waitFor({ timeout: RUN_TIMEOUT_MS });
  await expectAttribute(byTestId(page, "agent-state"), "data-state", "AVAILABLE");
}

beforeAll(async () => {
  sys = await startSystem({ gateway: "builtin", buildWeb: true });
  const demo = JSON.parse(readFileSync(join(REPO_ROOT, "services/agent/samples/demo-scenario.json"), "utf8"));
  const res = await fetch(`${sys.services.llmSim}/sim/scenario`, {
    method: "PUT",
    headers: { authorization: `Bearer ${sys.masterKey}`, "content-type": "application/json" },
    body: JSON.stringify({ ...demo, rules: [...RULES, ...demo.rules] }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  browser = await launchChromium();
});

afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.context().close()));
});

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

describe("the chat in Chromium (issue 16)", () => {
  it("shows the answer as sanitised Markdown with a copy button, the steps folded under it", async () => {
    const alice = await user("md-alice");
    const page = await open();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: sys.url });
    await signIn(page, "md-alice", alice.password);
    await createAgent(page, MODEL, "Markdown");
    await sendMessage(page, "markdown please <b>as written</b>");
    await runDone(page);

    // The user's message as written: no Markdown, no HTML.
    const userBubble = page.locator('[data-kind="user"] .bubble').first();
    await expectText(userBubble, "markdown please <b>as written</b>", { exact: true });
    await expectCount(userBubble.locator("b"), 0);

    // The answer: a table, a list, a code block with a Copy button.
    const answer = page.locator('[data-answer="true"] [data-testid="answer-text"]');
    await answer.waitFor();
    await expectCount(answer.locator("table tr"), 3);
    await expectText(answer.locator("table td").first(), "EU", { exact: true });
    await expectCount(answer.locator("ul > li"), 2);
    await expectText(answer.locator("strong"), "summary", { exact: true });
    await expectText(answer.locator("pre code"), "SELECT region, sum(amount) FROM orders GROUP BY region;");
    await answer.locator("button[data-copy-code]").click();
    await expectText(answer.locator("button[data-copy-code]"), "Copied", { exact: true });
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      "SELECT region, sum(amount) FROM orders GROUP BY region;",
    );

    // Nothing the model wrote as HTML reached the DOM: the tags are shown as text, nothing ran.
    await expectCount(answer.locator("img, script, [onerror]"), 0);
    await expectText(answer, '<img src="x" onerror="window.__xss=\'img\'">');
    await expectText(answer, "<script>");
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    const links = await answer
      .locator("a")
      .evaluateAll((els) => els.map((a) => [a.getAttribute("href"), a.getAttribute("rel"), a.textContent]));
    expect(links).toEqual([
      [null, "noopener noreferrer nofollow", "a link"],
      ["https://example.org/docs", "noopener noreferrer nofollow", "a good one"],
    ]);

    // For the README: the answer with its steps folded above it.
    await page.screenshot({
      path: join(REPO_ROOT, "docs/screenshots/chat-answer.png"),
      animations: "disabled",
      caret: "hide",
    });

    // The steps fold under the answer: "Worked for 1 step", closed; open it to see the tool call.
    const fold = byTestId(page, "work-toggle");
    await expectText(fold, "Worked for 1 step · 1 tool call");
    expect(await page.locator(".work-fold").getAttribute("open")).toBeNull();
    await expect.poll(() => page.locator('[data-tool="getWorkflow"]').isVisible()).toBe(false);
    await fold.click();
    await page.locator('[data-tool="getWorkflow"]').waitFor({ state: "visible" });
    await expectText(byTestId(page, "step-thought"), "Let me look at the workflow.");
  });

  it("regenerates, edits and resends as branches, and switches between the versions", async () => {
    const bob = await user("branch-bob");
    const page = await open();
    await signIn(page, "branch-bob", bob.password);
    const agentId = await createAgent(page, MODEL, "Branches");
    const answers = page.locator('[data-testid="answer-text"]');

    await sendMessage(page, "echo: one");
    await runDone(page);
    await expectText(answers.last(), "You said: one", { exact: true });

    // Regenerate: the same message again, from before it; the old answer is kept on its branch.
    await byTestId(page, "regenerate").click();
    await expect
      .poll(async () => (await stepsOf(bob, agentId)).filter((s) => s.role === "user").length)
      .toBe(2);
    await runDone(page);
    await expectText(byTestId(page, "version-label"), "2 / 2", { exact: true });
    await expectCount(page.locator('[data-kind="user"]'), 1);

    // Edit and resend: a third version, sent from the same place.
    await page.locator('[data-testid^="edit-"]').first().click();
    await byTestId(page, "edit-input").fill("echo: two");
    await byTestId(page, "edit-send").click();
    await expect
      .poll(async () => (await stepsOf(bob, agentId)).filter((s) => s.role === "user").length)
      .toBe(3);
    await runDone(page);
    await expectText(answers.last(), "You said: two", { exact: true });
    await expectText(byTestId(page, "version-label"), "3 / 3", { exact: true });

    const users = (await stepsOf(bob, agentId)).filter((s) => s.role === "user");
    expect(users.map((s) => s.content)).toEqual(["echo: one", "echo: one", "echo: two"]);
    expect(new Set(users.map((s) => s.parentId))).toEqual(new Set(["step-initial"]));
    await byTestId(page, "other-branches").waitFor();

    // Back to the first version: its answer returns (a checkout to the end of that branch).
    await byTestId(page, "version-previous").click();
    await expectText(byTestId(page, "version-label"), "2 / 3", { exact: true });
    await byTestId(page, "version-previous").click();
    await expectText(byTestId(page, "version-label"), "1 / 3", { exact: true });
    await expectText(page.locator('[data-kind="user"] .bubble'), "echo: one", { exact: true });
    await expectText(answers.last(), "You said: one", { exact: true });

    // Continue from an earlier answer: the next message follows it, not the newest step.
    await sendMessage(page, "echo: three");
    await runDone(page);
    await expectCount(page.locator('[data-kind="user"]'), 2);
    const firstAnswer = page.locator('[data-answer="true"]').first();
    const goBack = firstAnswer.locator('[data-testid^="go-back-"]');
    await goBack.click();
    await expectCount(page.locator('[data-kind="user"]'), 1);
    await sendMessage(page, "echo: four");
    await runDone(page);
    const steps = await stepsOf(bob, agentId);
    const four = steps.find((s) => s.content === "echo: four");
    const three = steps.find((s) => s.content === "echo: three");
    expect(four?.parentId).toBe(three?.parentId);
  });

  it("says an error in words with the details behind a toggle, names no address, and retries in one click", async () => {
    const carol = await user("err-carol");
    const page = await open();
    await signIn(page, "err-carol", carol.password);
    const agentId = await createAgent(page, MODEL, "Errors");
    await sendMessage(page, "fail once");
    await page
      .locator('[data-testid="run-outcome"][data-reason="error"]')
      .waitFor({ timeout: RUN_TIMEOUT_MS });

    const notice = page.locator('[data-kind="system"] [data-testid="error-view"]');
    await expectAttribute(notice, "data-code", "LLM_KEY_REJECTED");
    await expectText(notice, "The language model refused to work for this service.");
    await expectText(notice.locator('[data-testid="error-text"]'), "LITELLM_MASTER_KEY");
    const details = notice.locator('[data-testid="error-details"]');
    await expect.poll(() => details.isVisible()).toBe(false);
    await notice.locator('[data-testid="error-details-toggle"]').click();
    await expectText(details, "LLM_KEY_REJECTED");
    await expectAttribute(notice.locator('[data-testid="error-details-toggle"]'), "aria-expanded", "true");

    // No internal address anywhere on the page, nor in what the server saved for this user.
    const { host, port } = new URL(sys.services.llmSim);
    const text = (await page.locator("body").textContent()) ?? "";
    expect(text).not.toContain(host);
    expect(text).not.toContain(`:${port}`);
    const saved = JSON.stringify(await stepsOf(carol, agentId));
    expect(saved).not.toContain(`:${port}`);

    // One click: the same message again from the same place; this time the model answers.
    await byTestId(page, "retry-run").click();
    await runDone(page);
    await expectText(page.locator('[data-testid="answer-text"]').last(), "Recovered after the retry.");
    await expectText(byTestId(page, "version-label"), "2 / 2", { exact: true });
  });

  it("retries a stopped run in one click", async () => {
    await setSimFault(sys, MODEL, { tokensPerSecond: 3 });
    try {
      const dan = await user("stop-dan");
      const page = await open();
      await signIn(page, "stop-dan", dan.password);
      const agentId = await createAgent(page, MODEL, "Stop and retry");
      await sendMessage(page, "echo: a long answer that takes a while to stream in full");
      await page.waitForFunction(
        () => (document.querySelector('[data-testid="streaming-text"]')?.textContent ?? "").length > 5,
        undefined,
        { timeout: UI_TIMEOUT_MS },
      );
      await byTestId(page, "stop-run").click();
      await page.locator('[data-testid="run-outcome"][data-reason="stopped"]').waitFor();
      await clearSimFault(sys, MODEL);
      await byTestId(page, "retry-run").click();
      await runDone(page);
      await expectText(
        page.locator('[data-testid="answer-text"]').last(),
        "You said: a long answer that takes a while to stream in full",
      );
      const users = (await stepsOf(dan, agentId)).filter((s) => s.role === "user");
      expect(users).toHaveLength(2);
      expect(users[1]?.parentId).toBe(users[0]?.parentId);
    } finally {
      await clearSimFault(sys, MODEL);
    }
  });

  it("lets an agent stopped at its step limit go on in one click", async () => {
    const gus = await user("limit-gus");
    const page = await open();
    await signIn(page, "limit-gus", gus.password);
    const agentId = await createAgent(page, MODEL, "Step limit");
    const patched = await fetch(`${sys.url}/api/agents/${agentId}/settings`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${gus.token}`, "content-type": "application/json" },
      body: JSON.stringify({ maxSteps: 1 }),
    });
    expect(patched.status).toBe(200);
    await sendMessage(page, "markdown please");
    await page
      .locator('[data-testid="run-outcome"][data-reason="max_steps"]')
      .waitFor({ timeout: RUN_TIMEOUT_MS });
    await byTestId(page, "continue-run").click();
    await expect
      .poll(async () => (await stepsOf(gus, agentId)).filter((s) => s.role === "user").map((s) => s.content))
      .toEqual(["markdown please", "Continue."]);
    const steps = await stepsOf(gus, agentId);
    const limit = steps.find((s) => s.error === "MAX_STEPS");
    expect(steps.find((s) => s.content === "Continue.")?.parentId).toBe(limit?.id);
  });

  it("renames inline, searches the list with previews and last activity, clears the workflow", async () => {
    const erin = await user("list-erin");
    const page = await open();
    await signIn(page, "list-erin", erin.password);
    const first = await createAgent(page, MODEL, "Quarterly sales");
    await sendMessage(page, "Build me a workflow over orders.csv");
    await runDone(page);
    const operators = await page.locator('[data-testid^="operator-"]').count();
    expect(operators).toBeGreaterThan(0);
    const second = await createAgent(page, MODEL, "Weather");
    await sendMessage(page, "echo: rainfall per city");
    await runDone(page);

    // The list: newest activity first, each with its latest message.
    await page.reload();
    await byTestId(page, `agent-item-${second}`).waitFor();
    const items = byTestId(page, "agent-item-*");
    expect(await items.evaluateAll((els) => els.map((el) => el.getAttribute("data-testid")))).toEqual([
      `agent-item-${second}`,
      `agent-item-${first}`,
    ]);
    await expectText(
      byTestId(page, `agent-item-${second}`).locator('[data-testid="agent-preview"]'),
      "echo: rainfall per city",
    );
    await expectText(
      byTestId(page, `agent-item-${first}`).locator('[data-testid="agent-preview"]'),
      "Build me a workflow over orders.csv",
    );

    // Search by name or by message.
    await byTestId(page, "agent-search").fill("RAINFALL");
    await expectCount(items, 1);
    await byTestId(page, `agent-item-${second}`).waitFor();
    await byTestId(page, "agent-search").fill("quarterly");
    await expectCount(items, 1);
    await byTestId(page, `agent-item-${first}`).waitFor();
    await byTestId(page, "agent-search").fill("nothing like this");
    await byTestId(page, "agents-no-match").waitFor();
    await byTestId(page, "agent-search").fill("");
    await expectCount(items, 2);

    // Rename in place: the heading and the list follow, the server keeps it; a blank name is refused.
    await byTestId(page, `agent-item-${first}`).click();
    await expectText(byTestId(page, "agent-title"), "Quarterly sales", { exact: true });
    await byTestId(page, "rename-agent").click();
    await byTestId(page, "rename-input").fill("Sales by region");
    await byTestId(page, "rename-input").press("Enter");
    await expectText(byTestId(page, "agent-title"), "Sales by region", { exact: true });
    await expectAttribute(byTestId(page, `agent-item-${first}`), "data-agent-name", "Sales by region");
    expect((await api<{ name: string }>(erin, `/api/agents/${first}`)).name).toBe("Sales by region");
    const blank = await fetch(`${sys.url}/api/agents/${first}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${erin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "  " }),
    });
    expect(blank.status).toBe(400);

    // Clear workflow beside clear chat: the operators go, the conversation stays.
    await expectCount(page.locator('[data-testid^="operator-"]'), operators);
    const stepsBefore = await page.locator('[data-testid^="step-"][data-kind]').count();
    await byTestId(page, "clear-workflow").click();
    await byTestId(page, "confirm-clear-workflow").click();
    await expectCount(page.locator('[data-testid^="operator-"]'), 0);
    await expectCount(page.locator('[data-testid^="step-"][data-kind]'), stepsBefore);
    expect((await api<{ operators: unknown[] }>(erin, `/api/agents/${first}/workflow`)).operators).toEqual(
      [],
    );

    // The demo builds its sample again on the empty workflow (its advice now works).
    await sendMessage(page, "Build me a workflow over orders.csv");
    await runDone(page);
    await expectCount(page.locator('[data-testid^="operator-"]'), operators);
  });

  it("uploads from the message box (attach, drop, paste), refuses a .txt in words, names the dataset in the message", async () => {
    const fay = await user("upload-fay");
    const page = await open();
    await signIn(page, "upload-fay", fay.password);
    const agentId = await createAgent(page, MODEL, "Uploads");

    // Attach: a CSV is uploaded at once and shown with its size.
    await byTestId(page, "attach-input").setInputFiles({
      name: "visits.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("city,visits\nParis,3\nOslo,5\n"),
    });
    const visits = page.locator('[data-testid="attachment"][data-name="visits.csv"]');
    await expectAttribute(visits, "data-status", "ready");
    await expectText(visits, "2 rows, 2 columns");

    // A .txt is refused by the server with words a person can act on.
    await byTestId(page, "attach-input").setInputFiles({
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("Meeting notes\nbring coffee\n"),
    });
    const notes = page.locator('[data-testid="attachment"][data-name="notes.txt"]');
    await expectAttribute(notes, "data-status", "failed");
    await expectText(notes, "not a file the agent can read");
    await expectText(notes, "rename it to .csv");
    await notes.getByRole("button", { name: "Remove notes.txt" }).click();
    await expectCount(notes, 0);

    // Drop and paste: files given the browser's way, as a person's drag or Ctrl+V gives them.
    await byTestId(page, "chat").evaluate((chat) => {
      const data = new DataTransfer();
      data.items.add(new File(["id,amount\n1,9.5\n"], "dropped.csv", { type: "text/csv" }));
      for (const type of ["dragover", "drop"]) {
        chat.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      }
    });
    await expectAttribute(
      page.locator('[data-testid="attachment"][data-name="dropped.csv"]'),
      "data-status",
      "ready",
    );
    await byTestId(page, "message-input").evaluate((input) => {
      const data = new DataTransfer();
      data.items.add(new File(['[{"k":"a","v":1}]'], "pasted.json", { type: "application/json" }));
      input.dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
      );
    });
    await expectAttribute(
      page.locator('[data-testid="attachment"][data-name="pasted.json"]'),
      "data-status",
      "ready",
    );

    // The message names every uploaded dataset for the agent.
    await sendMessage(page, "echo: use my files");
    await runDone(page);
    await expectCount(byTestId(page, "attachment"), 0);
    const sent = (await stepsOf(fay, agentId)).find((s) => s.role === "user")?.content ?? "";
    expect(sent.startsWith("echo: use my files")).toBe(true);
    for (const name of ["visits.csv", "dropped.csv", "pasted.json"])
      expect(sent).toContain(`Uploaded dataset: ${name} (`);
    expect(sent).not.toContain("notes.txt");
    const datasets = await api<{ datasets: { name: string }[] }>(fay, "/api/agents/datasets");
    expect(datasets.datasets.map((d) => d.name)).toEqual(
      expect.arrayContaining(["visits.csv", "dropped.csv", "pasted.json"]),
    );

    // The same file again gets the next free name instead of an error.
    await byTestId(page, "attach-input").setInputFiles({
      name: "visits.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("city,visits\nRome,7\n"),
    });
    await expectAttribute(
      page.locator('[data-testid="attachment"][data-name="visits-2.csv"]'),
      "data-status",
      "ready",
    );
  });
});
