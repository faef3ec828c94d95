/**
 * Debian's Chromium driven by playwright-core for the browser suite: launch (never a downloaded browser),
 * a fresh context per test on the gateway's origin, and the few page steps every test repeats.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";

/** Installed by scripts/install-system-deps.sh; CHROMIUM_PATH points elsewhere if needed. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** A page waits this long for an element or a text (a loaded 2-core machine is slow, not broken). */
export const UI_TIMEOUT_MS = 20_000;

export const DESKTOP = { width: 1280, height: 800 } as const;
export const NARROW = { width: 420, height: 800 } as const;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: run "bash scripts/install-system-deps.sh" as root ` +
        "(apt-get install chromium), or set CHROMIUM_PATH",
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // playwright gives every launch its own temporary profile (--user-data-dir) and removes it on close.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page in a fresh context (its own localStorage, sessionStorage and cookies) on the system's origin. */
export async function openPage(
  browser: Browser,
  baseURL: string,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    viewport,
    deviceScaleFactor: 1,
    locale: "en-US",
    timezoneId: "UTC",
  });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(UI_TIMEOUT_MS * 2);
  const page = await context.newPage();
  await page.goto("/");
  return page;
}

/** `[data-testid="…"]`; a trailing `*` matches test ids that start with the rest. */
export function byTestId(page: Page | Locator, id: string): Locator {
  return id.endsWith("*")
    ? page.locator(`[data-testid^="${id.slice(0, -1)}"]`)
    : page.locator(`[data-testid="${id}"]`);
}

/** Fills the sign-in form and submits it; does not wait for the outcome. */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  await byTestId(page, "login-form").waitFor();
  await byTestId(page, "login-username").fill(username);
  await byTestId(page, "login-password").fill(password);
  await byTestId(page, "login-submit").click();
}

/** Signs in and waits for the signed-in frame with this user's name. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await submitSignIn(page, username, password);
  await page.locator(`[data-testid="current-user"]:has-text("${username}")`).waitFor();
}

/** Picks the model in the new-agent form, names the agent, creates it; returns the new agent's id. */
export async function createAgent(page: Page, model: string, name: string): Promise<string> {
  const picker = page.locator('[data-testid="model-picker"][data-state="ready"]');
  await picker.waitFor();
  await picker.selectOption(model);
  await byTestId(page, "agent-name-input").fill(name);
  await byTestId(page, "create-agent").click();
  await page.locator(`[data-testid="agent-title"]:has-text("${name}")`).waitFor();
  await page.locator('[data-testid="connection-status"][data-status="open"]').waitFor();
  const match = /#\/agents\/([0-9a-f-]{36})/.exec(page.url());
  if (!match?.[1]) throw new Error(`no agent id in the URL after creating "${name}": ${page.url()}`);
  return match[1];
}

/** Types a message into the composer and sends it with Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const input = byTestId(page, "message-input");
  await input.fill(text);
  await input.press("Enter");
}

// Waiting assertions (vitest's expect knows no locators): poll the page until the condition holds.
const poll = <T>(read: () => Promise<T>, timeout = UI_TIMEOUT_MS) =>
  expect.poll(read, { timeout, interval: 100 });

export async function expectCount(locator: Locator, count: number, timeout?: number): Promise<void> {
  await poll(() => locator.count(), timeout).toBe(count);
}

export async function expectAttribute(
  locator: Locator,
  name: string,
  value: string,
  timeout?: number,
): Promise<void> {
  await poll(() => locator.first().getAttribute(name, { timeout: 1000 }), timeout).toBe(value);
}

/** The element's text contains `text` (or matches it, a RegExp); `exact` compares the trimmed text. */
export async function expectText(
  locator: Locator,
  text: string | RegExp,
  options: { exact?: boolean; timeout?: number } = {},
): Promise<void> {
  const read = async () => ((await locator.first().textContent({ timeout: 1000 })) ?? "").trim();
  if (options.exact && typeof text === "string") await poll(read, options.timeout).toBe(text);
  else if (typeof text === "string") await poll(read, options.timeout).toContain(text);
  else await poll(read, options.timeout).toMatch(text);
}
