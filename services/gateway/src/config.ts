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
  /** Largest request body forwarded to agent-service (its own limit); dataset uploads have their own. */
  bodyLimitBytes: number;
  datasetLimitBytes: number;
  /** A request body that pauses longer than this is cut off (as nginx's client_body_timeout). */
  bodyTimeoutMs: number;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * Reads the gateway's settings: PORT, HOST, ACCESS_CONTROL_URL, AGENT_SERVICE_URL, WEB_DIST, AUTH_TIMEOUT_MS,
 * GATEWAY_BODY_LIMIT_BYTES, DATASET_MAX_BYTES, GATEWAY_BODY_TIMEOUT_MS.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return {
    host: env.HOST || "127.0.0.1",
    port: intFromEnv(env, "PORT", 8080, { max: 65535 }),
    accessControlUrl: upstreamUrl(env, "ACCESS_CONTROL_URL", "http://127.0.0.1:9096"),
    agentServiceUrl: upstreamUrl(env, "AGENT_SERVICE_URL", "http://127.0.0.1:3001"),
    webDist: resolve(env.WEB_DIST || resolve(repoRoot, "apps/web/dist")),
    authTimeoutMs: intFromEnv(env, "AUTH_TIMEOUT_MS", 5000, { min: 1, max: 60_000 }),
    bodyLimitBytes: intFromEnv(env, "GATEWAY_BODY_LIMIT_BYTES", 256 * 1024, { min: 1 }),
    datasetLimitBytes: intFromEnv(env, "DATASET_MAX_BYTES", 100 * 1024 * 1024, { min: 1 }),
    bodyTimeoutMs: intFromEnv(env, "GATEWAY_BODY_TIMEOUT_MS", 60_000, { min: 1, max: 3_600_000 }),
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
