import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { intFromEnv } from "@texera-agent/service-kit";

export interface GatewayConfig {
  host: string;
  port: number;
  /** Base URL of access-control-service; the subrequest goes to `<url>/api/auth`. */
  accessControlUrl: URL;
  agentServiceUrl: URL;
  /** The built web app (apps/web/dist); `index.html` is the SPA fallback. */
  webDist: string;
  /** How long the authorize subrequest may take before the gateway answers 503 (fail closed). */
  authTimeoutMs: number;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Reads the gateway's settings: PORT, HOST, ACCESS_CONTROL_URL, AGENT_SERVICE_URL, WEB_DIST, AUTH_TIMEOUT_MS. */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return {
    host: env.HOST || "127.0.0.1",
    port: intFromEnv(env, "PORT", 8080, { max: 65535 }),
    accessControlUrl: upstreamUrl(env, "ACCESS_CONTROL_URL", "http://127.0.0.1:9096"),
    agentServiceUrl: upstreamUrl(env, "AGENT_SERVICE_URL", "http://127.0.0.1:3001"),
    webDist: resolve(env.WEB_DIST || resolve(repoRoot, "apps/web/dist")),
    authTimeoutMs: intFromEnv(env, "AUTH_TIMEOUT_MS", 5000, { min: 1, max: 60_000 }),
  };
}

function upstreamUrl(env: Record<string, string | undefined>, name: string, fallback: string): URL {
  const raw = env[name] || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`${name} must be an http:// URL, got "${raw}"`);
  }
  if (url.protocol !== "http:") throw new TypeError(`${name} must be an http:// URL, got "${raw}"`);
  if (url.pathname !== "/" || url.search || url.hash) {
    throw new TypeError(`${name} must be a base URL without a path, got "${raw}"`);
  }
  return url;
}
