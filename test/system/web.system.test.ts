// The web app in Debian's Chromium against the system started as `npm start` starts it (scripts/start.ts:
// offline demo model on llm-sim, access-control-service, agent-service, built-in gateway serving
// apps/web/dist). Saves the screenshots in docs/screenshots/ that the README shows (see its README.md).
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatasetList, OperatorResultsResponse, User, Workflow } from "@texera-agent/protocol";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/nginx.ts";
import {
  byTestId,
  createAgent,
  DESKTOP,
  expectAttribute,
  expectCount,
  expectText,
  launchChromium,
  NARROW,
  openPage,
  sendMessage,
  signIn,
  submitSignIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { clearSimFault, setSimFault, simRequests } from "./browser-llm-sim.ts";
import { type RunningSystem, startSystem } from "./harness.ts";

const MODEL = "demo-offline-model";
const SESSION_KEY = "texera-agent.session";
const SCREENSHOTS = join(REPO_ROOT, "docs/screenshots");
/** A whole demo run (four LLM calls at 40 tokens/s) on a loaded machine. */
const RUN_TIMEOUT_MS = 45_000;

type TestUser = User & { token: string; password: string };

let sys: RunningSystem;
let browser: Browser;
const pages: Page[] = [];
let failures: string | undefined;

async function open(viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
  const page = await openPage(browser, sys.url, viewport);
  pages.push(page);
  return page;
}

/** `name.png` in light mode and `name-dark.png` in dark mode (the system's setting, which the app follows). */
async function screenshot(page: Page, name: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const file = colorScheme === "light" ? name : name.replace(/\.png$/, "-dark.png");
    await page.screenshot({ path: join(SCREENSHOTS, file), animations: "disabled", caret: "hide" });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

async function regularUser(username: string): Promise<TestUser> {
  const password = `pw-${username}-for-browser-tests`;
  const user = await sys.createUser({
    username,
    password,
    role: "REGULAR",
    email: `${username}@example.com`,
  });
  return { ...user, password };
}

/** A session as the app stores it (apps/web/src/session.ts), for tokens the sign-in form cannot give. */
async function storeSession(page: Page, session: { accessToken: string; expiresAt: string; user: User }) {
  await page.evaluate(([key, value]) => window.localStorage.setItem(key, value), [
    SESSION_KEY,
    JSON.stringify(session),
  ] as const);
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // As `npm start`: builds apps/web/dist only when it is missing (CI builds it before the system suites).
  sys = await startSystem({ gateway: "builtin", buildWeb: true });
  browser = await launchChromium();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    failures ??= mkdtempSync(join(tmpdir(), "texera-web-failures-"));
    for (const [i, page] of pages.entries()) {
      const path = join(failures, `${context.task.name.slice(0, 40).replace(/\W+/g, "-")}-${i}.png`);
      await page.screenshot({ path }).catch(() => undefined);
      console.error(`browser test failed: screenshot ${path} of ${page.url()}`);
    }
  }
  await Promise.all(pages.splice(0).map((page) => page.context().close()));
});

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

describe("web app in Chromium, system started as npm start", () => {
  let alice: TestUser;
  let aliceAgentId = "";
  let aliceOperators = 0;

  it("signs in, creates an agent, streams the reply as steps while the DAG grows, survives a reload, signs out", async () => {
    alice = await regularUser("alice");
    const page = await open();

    await byTestId(page, "login-form").waitFor();
    await expectCount(byTestId(page, "login-message"), 0);
    await screenshot(page, "sign-in.png");

    await signIn(page, "alice", alice.password);
    await expectCount(byTestId(page, "nav-admin"), 0);
    await expectCount(page.locator('[data-testid="model-picker"] option', { hasText: MODEL }), 1);
    aliceAgentId = await createAgent(page, MODEL, "Sales analysis");
    await byTestId(page, "chat-empty").waitFor();
    await expectAttribute(byTestId(page, "workflow-graph"), "data-operator-count", "0");
    const seqBefore = (await simRequests(sys)).length;

    // Record every change of the streamed text, the agent state and the graph as the DOM changes, so
    // nothing depends on catching a short moment by polling.
    await page.evaluate(() => {
      type Sample = {
        text: string | null;
        state: string | null;
        steps: number;
        operators: number;
        edges: number;
      };
      const samples: Sample[] = [];
      (window as unknown as { samples: Sample[] }).samples = samples;
      const take = () => {
        const sample: Sample = {
          text: document.querySelector('[data-testid="streaming-text"]')?.textContent ?? null,
          state: document.querySelector('[data-testid="agent-state"]')?.getAttribute("data-state") ?? null,
          steps: document.querySelectorAll('[data-testid^="step-"][data-kind="agent"]').length,
          operators: document.querySelectorAll('[data-testid^="operator-"]').length,
          edges: document.querySelectorAll(".react-flow__edge").length,
        };
        const last = samples[samples.length - 1];
        if (JSON.stringify(last) !== JSON.stringify(sample)) samples.push(sample);
      };
      take();
      new MutationObserver(take).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });

    await sendMessage(page, "Build me a workflow over orders.csv");
    await page
      .locator('[data-testid="run-outcome"][data-reason="done"]')
      .waitFor({ timeout: RUN_TIMEOUT_MS });
    await expectAttribute(byTestId(page, "agent-state"), "data-state", "AVAILABLE");
    await expectCount(byTestId(page, "stop-run"), 0);

    // The steps: the user's message, then agent steps whose tool calls all succeeded.
    await expectCount(page.locator('[data-testid^="step-"][data-kind="user"]'), 1);
    const agentSteps = page.locator('[data-testid^="step-"][data-kind="agent"]');
    expect(await agentSteps.count()).toBeGreaterThanOrEqual(3);
    const tools = await page
      .locator('[data-testid^="tool-call-"][data-tool]')
      .evaluateAll((els) => els.map((el) => el.getAttribute("data-tool")));
    expect(tools).toContain("addOperator"); // Texera's: each linked to its inputs by inputOperatorIds
    expect(tools).toContain("executeWorkflow");
    await expectCount(page.locator('[data-testid^="tool-result-"][data-ok="false"]'), 0);
    await expectCount(page.locator('[data-testid^="tool-result-"][data-ok="true"]'), tools.length);
    // the thoughts of the folded steps, and the answer under which they fold
    const thoughts = await page
      .locator('[data-testid="step-thought"], [data-testid="answer-text"]')
      .allTextContents();
    expect(thoughts.length).toBeGreaterThanOrEqual(3);

    // The DAG shows the workflow agent-service saved: one node per operator, of its type; one edge per link.
    const res = await fetch(`${sys.url}/api/agents/${aliceAgentId}/workflow`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(res.status).toBe(200);
    const saved = (await res.json()) as Workflow;
    aliceOperators = saved.operators.length;
    expect(saved.operators.length).toBeGreaterThanOrEqual(2);
    expect(saved.links.length).toBeGreaterThanOrEqual(1);
    const nodes = page.locator('[data-testid^="operator-"]');
    await expectCount(nodes, saved.operators.length);
    const shown = await nodes.evaluateAll((els) =>
      els.map((el) => `${el.getAttribute("data-operator-id")}:${el.getAttribute("data-operator-type")}`),
    );
    expect(shown.sort()).toEqual(saved.operators.map((op) => `${op.operatorID}:${op.operatorType}`).sort());
    await expectCount(page.locator(".react-flow__edge"), saved.links.length);
    await expectAttribute(
      byTestId(page, "workflow-graph"),
      "data-operator-count",
      String(saved.operators.length),
    );

    type Sample = {
      text: string | null;
      state: string | null;
      steps: number;
      operators: number;
      edges: number;
    };
    const samples = await page.evaluate(() => (window as unknown as { samples: Sample[] }).samples);
    // Text streamed in word by word while a step was in progress, and what streamed is what was saved.
    const texts = samples.map((s) => s.text?.trim() || null);
    const grew = texts.some((text, i) => {
      const next = texts[i + 1];
      return text && next && next.length > text.length && next.startsWith(text);
    });
    expect(grew).toBe(true);
    const streamedSteps = texts.filter((text, i) => text && !texts[i + 1]) as string[];
    expect(streamedSteps.length).toBeGreaterThanOrEqual(1);
    for (const text of streamedSteps) expect(thoughts.join("\n")).toContain(text);
    // The graph grew during the run, from nothing to every operator and link, never shrinking.
    const operatorCounts = samples.map((s) => s.operators);
    expect(operatorCounts[0]).toBe(0);
    expect(operatorCounts.every((n, i) => i === 0 || n >= (operatorCounts[i - 1] ?? 0))).toBe(true);
    const firstWithOperators = samples.findIndex((s) => s.operators > 0);
    const firstWithLinks = samples.findIndex((s) => s.edges === saved.links.length);
    expect(firstWithOperators).toBeGreaterThan(0);
    expect(firstWithLinks).toBeGreaterThanOrEqual(firstWithOperators);
    expect(samples.some((s) => s.operators > 0 && s.state === "GENERATING")).toBe(true);
    // Saved steps appeared one by one during the run, not all at its end.
    const stepCounts = [...new Set(samples.filter((s) => s.state === "GENERATING").map((s) => s.steps))];
    expect(stepCounts).toEqual(expect.arrayContaining([0, 1, 2]));

    // Every LLM call of the run went to the demo model on behalf of alice (OpenAI `user` field).
    const calls = (await simRequests(sys)).slice(seqBefore);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const call of calls) {
      expect(call.model).toBe(MODEL);
      expect(call.user).toBe(String(alice.id));
      expect(call.outcome).toBe("completed");
    }

    // Screens for the README: the chat with an open tool call, then the workflow with a selected operator.
    await byTestId(page, "work-toggle").click(); // the steps fold under the answer once it came
    await page.locator('[data-tool="addOperator"] summary').first().click();
    await page.locator('[data-tool="addOperator"] [data-testid="tool-arguments"]').first().waitFor();
    await byTestId(page, "transcript").evaluate((el) => {
      el.scrollTop = 0;
    });
    await screenshot(page, "chat-steps.png");
    // The third operator (the demo's aggregation) has properties worth showing.
    const picked = saved.operators[Math.min(2, saved.operators.length - 1)]?.operatorID ?? "";
    await byTestId(page, `operator-${picked}`).click();
    await expectAttribute(byTestId(page, "selected-operator"), "data-operator-id", picked);
    await screenshot(page, "workflow.png");

    // A reload reopens the same agent with the same conversation and workflow.
    const stepIds = await page
      .locator('[data-testid^="step-"][data-kind]')
      .evaluateAll((els) =>
        els.map((el) => `${el.getAttribute("data-testid")}:${el.getAttribute("data-kind")}`),
      );
    await page.reload();
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    await expectText(byTestId(page, "agent-title"), "Sales analysis", { exact: true });
    await expectAttribute(byTestId(page, `agent-item-${aliceAgentId}`), "aria-current", "page");
    await expectCount(page.locator('[data-testid^="step-"][data-kind]'), stepIds.length);
    const reloadedIds = await page
      .locator('[data-testid^="step-"][data-kind]')
      .evaluateAll((els) =>
        els.map((el) => `${el.getAttribute("data-testid")}:${el.getAttribute("data-kind")}`),
      );
    expect(reloadedIds).toEqual(stepIds);
    await expectCount(page.locator('[data-testid^="operator-"]'), saved.operators.length);

    // Sign out: back to the sign-in page with a word on why, and nothing left in the browser.
    await byTestId(page, "sign-out").click();
    await expectText(byTestId(page, "login-message"), "You have signed out.", { exact: true });
    expect(await page.evaluate((key) => window.localStorage.getItem(key), SESSION_KEY)).toBeNull();
    await page.reload();
    await byTestId(page, "login-form").waitFor();
    await expectCount(byTestId(page, "current-user"), 0);
  });

  it("stops a run mid-stream: the stream ends at once, the upstream request is aborted", async () => {
    // Slow the demo model's stream down for this test only (llm-sim's control route; 2 tokens/s makes the
    // first reply last several seconds), and restore the demo pace afterwards.
    await setSimFault(sys, MODEL, { tokensPerSecond: 2 });
    try {
      const page = await open();
      await signIn(page, "alice", alice.password);
      await createAgent(page, MODEL, "Stop me");
      const seqBefore = (await simRequests(sys)).length;
      await sendMessage(page, "Build the sample workflow");

      await page.waitForFunction(
        () =>
          (document.querySelector('[data-testid="streaming-text"]')?.textContent ?? "").trim().length > 10,
        undefined,
        { timeout: UI_TIMEOUT_MS },
      );
      await expectAttribute(byTestId(page, "agent-state"), "data-state", "GENERATING");
      await byTestId(page, "message-input").waitFor();
      await byTestId(page, "stop-run").click();

      await page.locator('[data-testid="run-outcome"][data-reason="stopped"]').waitFor();
      await expectAttribute(byTestId(page, "agent-state"), "data-state", "AVAILABLE");
      await expectCount(byTestId(page, "streaming-step"), 0);
      await expectCount(byTestId(page, "stop-run"), 0);
      await expectCount(page.locator('[data-testid^="tool-call-"]'), 0);
      await byTestId(page, "workflow-empty").waitFor();

      // llm-sim saw exactly one request of this run, cut short by the client (agent-service aborted it).
      await expect
        .poll(async () => (await simRequests(sys)).slice(seqBefore).map((r) => r.outcome), {
          timeout: UI_TIMEOUT_MS,
        })
        .toEqual(["aborted"]);

      // The agent takes the next message.
      await byTestId(page, "message-input").fill("again");
      await expect.poll(() => byTestId(page, "send-message").isEnabled()).toBe(true);
      await expectText(byTestId(page, "composer-hint"), "", { exact: true });
    } finally {
      await clearSimFault(sys, MODEL);
    }
  });

  it("shows a REGULAR user only their own agents", async () => {
    const [bob, carol] = await Promise.all([regularUser("bob"), regularUser("carol")]);
    const [bobPage, carolPage] = await Promise.all([open(), open()]);
    await Promise.all([signIn(bobPage, "bob", bob.password), signIn(carolPage, "carol", carol.password)]);
    const bobAgent = await createAgent(bobPage, MODEL, "Bob's agent");
    const carolAgent = await createAgent(carolPage, MODEL, "Carol's agent");

    for (const [page, own, other] of [
      [bobPage, bobAgent, carolAgent],
      [carolPage, carolAgent, bobAgent],
    ] as const) {
      await page.goto("/#/agents");
      await page.reload();
      await byTestId(page, "agent-list").waitFor();
      await expectCount(byTestId(page, "agent-item-*"), 1);
      await byTestId(page, `agent-item-${own}`).waitFor();
      await expectCount(byTestId(page, `agent-item-${other}`), 0);
    }
    expect(await byTestId(bobPage, "agent-list").textContent()).not.toContain("Carol's agent");
    expect(await byTestId(carolPage, "agent-list").textContent()).not.toContain("Bob's agent");
    // alice's two agents from the earlier tests are not listed either.
    expect(await byTestId(bobPage, "agent-list").textContent()).not.toContain("Sales analysis");

    // Opening another user's agent by its URL answers as if it did not exist.
    await bobPage.goto(`/#/agents/${carolAgent}`);
    await bobPage.reload();
    await expectText(bobPage.locator("body"), "no longer exists");
    expect(await bobPage.locator("body").textContent()).not.toContain("Carol's agent");
  });

  it("refuses an INACTIVE user with a clear message, at sign-in and in a session already open", async () => {
    const dave = await regularUser("dave");
    const davePage = await open();
    await signIn(davePage, "dave", dave.password);
    await byTestId(davePage, "agent-list").waitFor();

    const admin = await open();
    await signIn(admin, sys.admin.username, sys.admin.password);
    await byTestId(admin, "nav-admin").click();
    await byTestId(admin, "users-table").waitFor();
    await expectAttribute(byTestId(admin, "user-row-dave"), "data-role", "REGULAR");
    await byTestId(admin, "user-row-alice").waitFor();
    await screenshot(admin, "admin.png");

    await byTestId(admin, "deactivate-dave").click();
    await expectAttribute(byTestId(admin, "user-row-dave"), "data-role", "INACTIVE");
    await expectCount(byTestId(admin, "deactivate-dave"), 0);
    await expectCount(byTestId(admin, "admin-error"), 0);

    // The open session: within the documented bound (access-control's directory refresh, seconds), the
    // next call is refused and the page says why. Reload until it is.
    await expect
      .poll(
        async () => {
          await davePage.reload();
          const refused = byTestId(davePage, "agents-error");
          const listed = byTestId(davePage, "agents-empty");
          await refused.or(listed).first().waitFor();
          return (await refused.count()) > 0;
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);
    await expectText(
      byTestId(davePage, "agents-error"),
      "Not allowed: your account is deactivated; ask an administrator to reactivate it",
    );

    // A new sign-in is refused with words a person can act on.
    const again = await open();
    await submitSignIn(again, "dave", dave.password);
    await expectText(byTestId(again, "login-error"), "deactivated");
    await expectText(byTestId(again, "login-error"), "administrator");
    await expectCount(byTestId(again, "current-user"), 0);
  });

  it("leads an expired token back to sign-in with a message", async () => {
    const user: User = {
      id: alice.id,
      name: alice.name,
      role: "REGULAR",
      ...(alice.email ? { email: alice.email } : {}),
    };

    // 1. A stored session past its expiry: the app drops it on load.
    const stale = await open();
    await storeSession(stale, {
      accessToken: sys.mint({
        userName: "alice",
        userId: alice.id,
        role: "REGULAR",
        issuedAt: new Date(Date.now() - 7_200_000),
      }),
      expiresAt: new Date(Date.now() - 3_600_000).toISOString(),
      user,
    });
    await stale.reload();
    await expectText(byTestId(stale, "login-message"), "Your session expired");
    expect(await stale.evaluate((key) => window.localStorage.getItem(key), SESSION_KEY)).toBeNull();

    // 2. A token the server finds expired though the browser thinks it is not: the 401 signs out.
    const refused = await open();
    await storeSession(refused, {
      accessToken: sys.mint({
        userName: "alice",
        userId: alice.id,
        role: "REGULAR",
        issuedAt: new Date(Date.now() - 7_200_000),
      }),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      user,
    });
    await refused.reload();
    await expectText(byTestId(refused, "login-message"), "expired or was revoked");
    await expectCount(byTestId(refused, "current-user"), 0);

    // 3. A token that expires while the page is open: when it does, a dialog asks for the password over the
    // page (web-shell.system.test.ts signs in again there); signing out from it ends at the sign-in page.
    // The page's clock is Playwright's (time flows as usual) so the test jumps to the expiry.
    const live = await open();
    await live.context().clock.install();
    const token = sys.mint({ userName: "alice", userId: alice.id, role: "REGULAR", expiresInMinutes: 2 });
    const exp = (
      JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { exp: number }
    ).exp;
    await storeSession(live, { accessToken: token, expiresAt: new Date(exp * 1000).toISOString(), user });
    await live.reload();
    await byTestId(live, "current-user").waitFor();
    await byTestId(live, `agent-item-${aliceAgentId}`).waitFor();
    await expectCount(byTestId(live, "login-message"), 0);
    await live.context().clock.fastForward(exp * 1000 - Date.now() + 1000);
    await expectAttribute(byTestId(live, "session-dialog"), "data-expired", "true");
    await expectText(byTestId(live, "session-dialog"), "Your session expired");
    await byTestId(live, "session-sign-out").click();
    await expectText(byTestId(live, "login-message"), "You have signed out.");
    await expectCount(byTestId(live, "current-user"), 0);
    expect(await live.evaluate((key) => window.localStorage.getItem(key), SESSION_KEY)).toBeNull();
  });

  it("fits a narrow window: agent list and chat take turns, chat and workflow are tabs", async () => {
    const page = await open(NARROW);
    await signIn(page, "alice", alice.password);
    await page.goto(`/#/agents/${aliceAgentId}`);
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    await byTestId(page, "tab-chat").waitFor();
    await expectText(byTestId(page, "tab-workflow"), `Workflow (${aliceOperators})`, { exact: true });
    await byTestId(page, "agent-list").waitFor({ state: "hidden" });
    await expectAttribute(byTestId(page, "agent-workspace"), "data-pane", "chat");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(NARROW.width);
    await screenshot(page, "narrow.png");

    await byTestId(page, "tab-workflow").click();
    await expectAttribute(byTestId(page, "agent-workspace"), "data-pane", "workflow");
    await page.locator('[data-testid^="operator-"]').first().waitFor();
  });

  it("shows each operator's rows with column types, row counts on the edges, and the datasets", async () => {
    const page = await open();
    await signIn(page, "alice", alice.password);
    const agentId = await createAgent(page, MODEL, "Results");
    // Before any run: the Results tab says how to get results.
    await byTestId(page, "details-tab-results").click();
    await expectText(byTestId(page, "results-empty"), "Run the workflow (ask the agent) to see results");

    await sendMessage(page, "Build me a workflow over orders.csv and run it");
    await page
      .locator('[data-testid="run-outcome"][data-reason="done"]')
      .waitFor({ timeout: RUN_TIMEOUT_MS });

    // What agent-service saved for the latest execution: the page must show the same.
    const res = await fetch(`${sys.url}/api/agents/${agentId}/operator-results`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(res.status).toBe(200);
    // Texera's shape, keyed by operator id with records; read back into rows in column order
    const answer = (await res.json()) as OperatorResultsResponse;
    const saved = {
      results: Object.entries(answer.results).map(([operatorId, r]) => ({
        operatorId,
        operatorType: r.operatorType ?? "",
        columns: r.columns ?? [],
        rows: (r.sampleRecords ?? []).map((record) => (r.columns ?? []).map((c) => record[c.name])),
        rowCount: r.totalRowCount ?? r.outputTuples,
      })),
    };
    const sort = saved.results.find((r) => r.operatorType === "Sort");
    const scan = saved.results.find((r) => r.operatorType === "CSVFileScan");
    expect(sort && scan).toBeTruthy();
    if (!sort || !scan) return;
    expect(sort.rowCount).toBeGreaterThan(0);

    // The Sort operator's table: typed column headers and its rows, in order.
    await page.locator(`[data-testid="operator-${sort.operatorId}"]`).click();
    await byTestId(page, "details-tab-results").click();
    const table = byTestId(page, "results-table");
    await table.waitFor();
    const headers = await table
      .locator('[data-testid="results-column"]')
      .evaluateAll((els) =>
        els.map((el) => `${el.querySelector(".column-name")?.textContent}:${el.getAttribute("data-type")}`),
      );
    expect(headers).toEqual(sort.columns.map((c) => `${c.name}:${c.type}`));
    for (const column of sort.columns) await expectText(table.locator("thead"), column.type);
    await expectCount(table.locator("tbody tr"), Math.min(sort.rows.length, 25));
    const firstRow = await table.locator("tbody tr").first().locator("td").allTextContents();
    expect(firstRow.slice(1)).toEqual(sort.rows[0]?.map((v) => (v === null ? "null" : String(v))));
    await expectText(byTestId(page, "results-caption"), `of ${sort.rowCount.toLocaleString("en-US")}`);

    // Each edge is labelled with its source operator's row count.
    const workflow = (await (
      await fetch(`${sys.url}/api/agents/${agentId}/workflow`, {
        headers: { authorization: `Bearer ${alice.token}` },
      })
    ).json()) as Workflow;
    const scanLink = workflow.links.find((l) => l.source.operatorID === scan.operatorId);
    expect(scanLink).toBeTruthy();
    const scanLabel = `${scan.rowCount.toLocaleString("en-US")} ${scan.rowCount === 1 ? "row" : "rows"}`;
    await expectText(byTestId(page, `edge-label-${scanLink?.linkID}`), scanLabel, { exact: true });
    await expectCount(byTestId(page, "edge-label-*"), workflow.links.length);
    await screenshot(page, "results.png");

    // The scan's rows page by 25.
    await page.locator(`[data-testid="operator-${scan.operatorId}"]`).click();
    await expectAttribute(byTestId(page, "results-view"), "data-operator-id", scan.operatorId);
    if (scan.rows.length > 25) {
      await expectText(byTestId(page, "results-caption"), `rows 1–25 of ${scan.rowCount}`);
      await byTestId(page, "results-next-page").click();
      await expectText(byTestId(page, "results-caption"), `rows 26–${Math.min(50, scan.rows.length)} of`);
    }

    // After a reload: the run's outcome, the edge labels and the table come back from what was saved.
    await page.reload();
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    await page.locator('[data-testid="run-outcome"][data-reason="done"]').waitFor();
    await expectText(byTestId(page, `edge-label-${scanLink?.linkID}`), scanLabel, { exact: true });

    // Datasets: the sample is listed read-only; an upload appears with its columns and can be deleted.
    await byTestId(page, "datasets-open").click();
    const sample = byTestId(page, "dataset-row-orders.csv");
    await expectAttribute(sample, "data-sample", "true");
    await expectCount(byTestId(page, "dataset-delete-orders.csv"), 0);
    await byTestId(page, "dataset-upload-input").setInputFiles({
      name: "browser-upload.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("city,visits\nParis,3\nOslo,5\n"),
    });
    const uploaded = byTestId(page, "dataset-row-browser-upload.csv");
    await expectText(uploaded, "2 rows");
    await expectText(uploaded, "visits BIGINT");
    const listed = (await (
      await fetch(`${sys.url}/api/agents/datasets`, { headers: { authorization: `Bearer ${alice.token}` } })
    ).json()) as DatasetList;
    expect(listed.datasets.map((d) => d.name)).toContain("browser-upload.csv");
    await byTestId(page, "dataset-delete-browser-upload.csv").click();
    await byTestId(page, "confirm-dataset-delete-browser-upload.csv").click();
    await expectCount(uploaded, 0);
  });
});
