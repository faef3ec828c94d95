// Shared by the test files: a simulator on an ephemeral port and an OpenAI SDK client pointed at it.
import OpenAI from "openai";
import { type LlmSim, type LlmSimOptions, startLlmSim } from "./server.ts";

export const KEY = "sk-test-master-key-0123456789";

export function startTestSim(opts: Partial<LlmSimOptions> = {}): Promise<LlmSim> {
  return startLlmSim({ masterKey: KEY, ...opts });
}

export function client(sim: LlmSim, opts: { maxRetries?: number; apiKey?: string } = {}): OpenAI {
  return new OpenAI({
    baseURL: sim.url,
    apiKey: opts.apiKey ?? KEY,
    maxRetries: opts.maxRetries ?? 0,
    timeout: 10_000,
    logLevel: "off",
  });
}

export function post(sim: LlmSim, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("waitFor: condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const user = (content: string) => ({ role: "user" as const, content });
