// The web app's frame in Debian's Chromium, against the system as `npm start` starts it (built-in gateway
// serving apps/web/dist): what the first visit downloads, the session shared by the tabs and its expiry,
// the connection shown while it is down, dark mode, and axe on every screen in light and dark.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { User } from "@texera-agent/protocol";
import type { Browser, BrowserContext, Page, WebSocketRoute } from "playwright-core";
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
  sendMessage,
  signIn,
  UI_TIMEOUT_MS,
} from "./browser.ts";
import { type RunningSystem, startSystem } from "./harness.ts";

const MODEL = "demo-offline-model";
const SESSION_KEY = "texera-agent.session";
const THEME_KEY = "texera-agent.theme";
const WEB_DIST = join(REPO_ROOT, "apps/web/dist");
/** The issue's budget for the sign-in page's first load: script bytes as sent (compressed). */
const FIRST_LOAD_SCRIPT_BUDGET = 200 * 1024;
const RUN_TIMEOUT_MS = 45_000;
/** axe-core from npm, injected into each page as a script. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

type TestUser = User & { token: string; password: string };

let sys: RunningSystem;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newContext(colorScheme: "light" | "dark" = "light"): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: sys.url,
    viewport: DESKTOP,
    deviceScaleFactor: 1,
    locale: "en-US",
    timezoneId: "UTC",
    colorScheme,
  });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(UI_TIMEOUT_MS * 2);
  contexts.push(context);
  return context;
}

async function open(context: BrowserContext, path = "/"): Promise<Page> {
  const page = await context.newPage();
  await page.goto(path);
  return page;
}

async function user(username: string, role: "REGULAR" | "ADMIN" = "REGULAR"): Promise<TestUser> {
  const password = `pw-${username}-for-shell-tests`;
  return {
    ...(await sys.createUser({ username, password, role, email: `${username}@example.com` })),
    password,
  };
}

/** The root's background colour as the page paints it. */
function rootBackground(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
}

/** Waits for the colour transitions a theme change starts (axe would read colours half-way). */
function settled(page: Page): Promise<unknown> {
  return page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a instanceof CSSTransition)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
}

/** axe-core's violations on the page as it is now, any impact, one line each. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    type AxeResult = {
      violations: {
        id: string;
        impact: string;
        help: string;
        nodes: { target: string[]; failureSummary?: string }[];
      }[];
    };
    const axe = (window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResult> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.flatMap((v) =>
      v.nodes.map(
        (n) => `${v.impact} ${v.id} (${v.help}) at ${n.target.join(" ")}: ${n.failureSummary ?? ""}`,
      ),
    );
  });
}

beforeAll(async () => {
  // As `npm start`: builds apps/web/dist only when it is missing (CI builds it before the system suites).
  sys = await startSystem({ gateway: "builtin", buildWeb: true });
  browser = await launchChromium();
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

describe("web app frame in Chromium", () => {
  it("first load of the sign-in page: at most 200 KB of script, compressed, cached for good; no source maps", async () => {
    const context = await newContext();
    const page = await context.newPage();
    const scripts: { url: string; encoded: number; encoding: string | undefined; cache: string }[] = [];
    const pending: Promise<void>[] = [];
    page.on("requestfinished", (request) => {
      if (request.resourceType() !== "script") return;
      pending.push(
        (async () => {
          const [sizes, response] = await Promise.all([request.sizes(), request.response()]);
          const headers = (await response?.allHeaders()) ?? {};
          scripts.push({
            url: request.url(),
            encoded: sizes.responseBodySize,
            encoding: headers["content-encoding"],
            cache: headers["cache-control"] ?? "",
          });
        })(),
      );
    });
    const index = await page.goto("/");
    await byTestId(page, "login-form").waitFor();
    await page.waitForLoadState("networkidle");
    await Promise.all(pending);

    expect(index?.headers()["cache-control"]).toBe("no-cache");
    expect(scripts.length).toBeGreaterThan(0);
    const total = scripts.reduce((sum, s) => sum + s.encoded, 0);
    console.log(
      `[web-shell] sign-in page first load: ${scripts.length} scripts, ${(total / 1024).toFixed(1)} KB as sent (${scripts.map((s) => `${new URL(s.url).pathname} ${s.encoding ?? "identity"} ${s.encoded}`).join(", ")})`,
    );
    expect(total).toBeLessThanOrEqual(FIRST_LOAD_SCRIPT_BUDGET);
    for (const script of scripts) {
      expect(script.encoding, script.url).toMatch(/^(br|gzip)$/);
      expect(script.cache, script.url).toMatch(/max-age=31536000.*immutable/);
      expect(script.encoded, script.url).toBeGreaterThan(0);
    }
    // The signed-in app and the graph are not part of it: they load on demand.
    const names = scripts.map((s) => new URL(s.url).pathname);
    expect(
      names.some((n) => /\/(Shell|WorkflowGraph|AdminPage)-/.test(n)),
      names.join(", "),
    ).toBe(false);

    // No source maps: none built, none referenced, none served.
    const assets = readdirSync(join(WEB_DIST, "assets"));
    expect(assets.filter((f) => /\.map(\.|$)/.test(f))).toEqual([]);
    for (const file of assets.filter((f) => f.endsWith(".js"))) {
      expect(readFileSync(join(WEB_DIST, "assets", file), "utf8"), file).not.toContain("sourceMappingURL");
      expect((await fetch(`${sys.url}/assets/${file}.map`)).status, file).toBe(404);
    }
  });

  it("loads the workflow graph only when an agent has a workflow to draw", async () => {
    const ann = await user("ann");
    const context = await newContext();
    const page = await open(context);
    const loaded: string[] = [];
    page.on("request", (request) => loaded.push(new URL(request.url()).pathname));
    await signIn(page, "ann", ann.password);
    await createAgent(page, MODEL, "Lazy graph");
    await byTestId(page, "workflow-empty").waitFor();
    expect(loaded.some((p) => p.includes("/Shell-"))).toBe(true);
    expect(loaded.some((p) => p.includes("/WorkflowGraph-"))).toBe(false);
    await sendMessage(page, "Build me a workflow over orders.csv");
    await page.locator('[data-testid^="operator-"]').first().waitFor({ timeout: RUN_TIMEOUT_MS });
    expect(loaded.some((p) => p.includes("/WorkflowGraph-"))).toBe(true);
    await page.locator('[data-testid="run-outcome"]').waitFor({ timeout: RUN_TIMEOUT_MS });
  });

  it("shares the session between the tabs of a browser: sign-in and sign-out reach the other tabs", async () => {
    const bea = await user("bea");
    const context = await newContext();
    const first = await open(context);
    await signIn(first, "bea", bea.password);

    // A new tab is signed in already.
    const second = await open(context, "/#/agents");
    await expectText(byTestId(second, "current-user"), "bea");
    await expectCount(byTestId(second, "login-form"), 0);

    // Signing out in one tab signs the other out, with a word on why.
    await byTestId(second, "sign-out").click();
    await expectText(byTestId(second, "login-message"), "You have signed out.");
    await expectText(byTestId(first, "login-message"), "You signed out in another tab.");
    expect(await first.evaluate((key) => window.localStorage.getItem(key), SESSION_KEY)).toBeNull();

    // Signing in in one tab signs the other in.
    await signIn(first, "bea", bea.password);
    await expectText(byTestId(second, "current-user"), "bea");
  });

  it("warns before the session expires, signs in again in place, and keeps the unsent message", async () => {
    const cid = await user("cid");
    const context = await newContext();
    const page = await open(context);
    await signIn(page, "cid", cid.password);
    const agentId = await createAgent(page, MODEL, "Draft keeper");

    // A session with two minutes left, as the sign-in would store it: the warning shows with a countdown.
    await context.clock.install();
    const token = sys.mint({ userName: "cid", userId: cid.id, role: "REGULAR", expiresInMinutes: 2 });
    const exp = (
      JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { exp: number }
    ).exp;
    const stored = {
      accessToken: token,
      expiresAt: new Date(exp * 1000).toISOString(),
      user: {
        id: cid.id,
        name: cid.name,
        role: "REGULAR",
        email: cid.email,
      },
    };
    await page.evaluate(([key, value]) => window.localStorage.setItem(key, value), [
      SESSION_KEY,
      JSON.stringify(stored),
    ] as const);
    await page.reload();
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    await expectText(byTestId(page, "session-warning"), /Your session ends in [0-2]:\d\d/);

    const draft = "Half-written: group the orders by region and";
    await byTestId(page, "message-input").fill(draft);

    // Stay signed in before it expires: a new token, the warning gone, the draft where it was.
    await byTestId(page, "session-stay").click();
    await expectAttribute(byTestId(page, "session-dialog"), "data-expired", "false");
    await byTestId(page, "session-password").fill(cid.password);
    await byTestId(page, "session-renew").click();
    await expectCount(byTestId(page, "session-dialog"), 0);
    await expectCount(byTestId(page, "session-warning"), 0);
    const renewed = await page.evaluate(
      (key) => JSON.parse(window.localStorage.getItem(key) ?? "{}"),
      SESSION_KEY,
    );
    expect(renewed.accessToken).not.toBe(token);
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(exp * 1000);
    expect(await byTestId(page, "message-input").inputValue()).toBe(draft);

    // Let the renewed one run out: the page stays behind a dialog; a wrong password is refused in words,
    // the right one brings the page back as it was, the chat connected again.
    await context.clock.fastForward(
      Date.parse(renewed.expiresAt) - (await page.evaluate(() => Date.now())) + 1000,
    );
    await expectAttribute(byTestId(page, "session-dialog"), "data-expired", "true");
    await expectText(byTestId(page, "session-dialog"), "Your session expired");
    // Back to the real time (no timers fire): the token the next sign-in gets is valid for this clock too.
    await context.clock.setSystemTime(Date.now());
    await byTestId(page, "session-password").fill("not-the-password");
    await byTestId(page, "session-renew").click();
    await expectText(byTestId(page, "session-error"), "Wrong user name or password.");
    await byTestId(page, "session-password").fill(cid.password);
    await byTestId(page, "session-renew").click();
    await expectCount(byTestId(page, "session-dialog"), 0);
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    expect(await byTestId(page, "message-input").inputValue()).toBe(draft);
    expect(page.url()).toContain(agentId);
    await expectCount(byTestId(page, "login-form"), 0);
  });

  it("says Offline or Reconnecting while the connection is down, never a stale Ready", async () => {
    const dan = await user("dan");
    const context = await newContext();
    const page = await open(context);
    // Every chat socket goes through the test, which can drop it as a broken network would.
    let socket: WebSocketRoute | null = null;
    await page.routeWebSocket(/\/react(\?|$)/, (ws) => {
      socket = ws;
      ws.connectToServer();
    });
    await signIn(page, "dan", dan.password);
    await createAgent(page, MODEL, "Flaky line");
    const badge = byTestId(page, "agent-state");
    await expectText(badge, "Ready", { exact: true });

    // The browser goes offline.
    await context.setOffline(true);
    await expectText(badge, "Offline", { exact: true });
    await expectAttribute(badge, "data-live", "offline");
    await expectText(byTestId(page, "connection-status"), "offline");
    await context.setOffline(false);
    await expectText(badge, "Ready", { exact: true });

    // The socket drops and new tickets fail for a while: reconnecting, with the last state kept aside.
    await page.route("**/ws-ticket", (route) => route.abort());
    expect(socket).not.toBeNull();
    await (socket as unknown as WebSocketRoute).close({ code: 1011, reason: "dropped by the test" });
    await expectText(badge, "Reconnecting", { exact: true });
    await expectAttribute(badge, "data-state", "AVAILABLE");
    await byTestId(page, "reconnect-now").waitFor();
    await page.unroute("**/ws-ticket");
    await byTestId(page, "reconnect-now").click();
    await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
    await expectText(badge, "Ready", { exact: true });
  });

  it("follows the system's dark mode, and a toggle that is remembered and reaches the other tabs", async () => {
    // The system says dark: dark without any choice.
    const dark = await newContext("dark");
    const page = await open(dark);
    await byTestId(page, "login-form").waitFor();
    const darkBackground = await rootBackground(page);
    await expectAttribute(byTestId(page, "theme-toggle"), "aria-pressed", "true");

    // The system says light: light, until toggled; the choice survives a reload and reaches other tabs.
    const light = await newContext("light");
    const first = await open(light);
    const second = await open(light);
    const lightBackground = await rootBackground(first);
    expect(lightBackground).not.toBe(darkBackground);
    await expectAttribute(byTestId(first, "theme-toggle"), "aria-pressed", "false");
    await byTestId(first, "theme-toggle").click();
    await expectAttribute(byTestId(first, "theme-toggle"), "aria-pressed", "true");
    expect(await rootBackground(first)).toBe(darkBackground);
    expect(await first.evaluate((key) => window.localStorage.getItem(key), THEME_KEY)).toBe("dark");
    await expect.poll(() => rootBackground(second)).toBe(darkBackground);
    await first.reload();
    await byTestId(first, "login-form").waitFor();
    expect(await rootBackground(first)).toBe(darkBackground);

    // Toggling back to the system's theme forgets the choice: the page follows the system again.
    await byTestId(first, "theme-toggle").click();
    expect(await rootBackground(first)).toBe(lightBackground);
    expect(await first.evaluate((key) => window.localStorage.getItem(key), THEME_KEY)).toBeNull();
    await first.emulateMedia({ colorScheme: "dark" });
    expect(await rootBackground(first)).toBe(darkBackground);
  });

  it("axe finds no violation on any screen, in light and in dark", async () => {
    const eve = await user("eve", "ADMIN");
    const context = await newContext();
    const page = await open(context);
    const found: string[] = [];
    const check = async (screen: string) => {
      for (const colorScheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme });
        await settled(page);
        found.push(...(await axeViolations(page)).map((v) => `${screen} (${colorScheme}): ${v}`));
      }
    };

    await byTestId(page, "login-form").waitFor();
    await check("sign-in");

    await signIn(page, "eve", eve.password);
    await byTestId(page, "no-agent-selected").waitFor();
    await page.locator('[data-testid="model-picker"][data-state="ready"]').waitFor();
    await check("agents list");

    await createAgent(page, MODEL, "Accessible analysis");
    await sendMessage(page, "Build me a workflow over orders.csv");
    await page
      .locator('[data-testid="run-outcome"][data-reason="done"]')
      .waitFor({ timeout: RUN_TIMEOUT_MS });
    await page.locator('[data-testid^="operator-"]').first().waitFor();
    await check("agent workspace after a run");

    await byTestId(page, "open-settings").click();
    await byTestId(page, "settings-max-steps").waitFor();
    await check("settings");
    await page.keyboard.press("Escape");
    await expectCount(byTestId(page, "settings-dialog"), 0);

    await byTestId(page, "datasets-open").click();
    await byTestId(page, "dataset-row-orders.csv").waitFor();
    await check("datasets");
    await page.keyboard.press("Escape");
    await expectCount(byTestId(page, "datasets-dialog"), 0);

    await byTestId(page, "nav-admin").click();
    await byTestId(page, "users-table").waitFor();
    await check("admin");

    expect(found).toEqual([]);
  });
});
