import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { intFromEnv } from "@texera-agent/service-kit";

export interface GatewayConfig {
  host: string;
  port: number;
  /** Base URL of access-control-service; the subrequest goes to `<url>/api/auth`. */
  accessControlUrl: URL;
  /**
   * agent-service replicas (AGENT_SERVICE_URL, one URL or a comma-separated list); requests and WebSocket
   * upgrades are spread over them round-robin. They share one database, so any replica serves any agent.
   */
  agentServiceUrls: URL[];
  /** A replica whose connection fails is skipped for this long (passive health check, as nginx's fail_timeout). */
  upstreamFailTimeoutMs: number;
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
 * GATEWAY_BODY_LIMIT_BYTES, DATASET_MAX_BYTES, GATEWAY_BODY_TIMEOUT_MS, GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS.
 * AGENT_SERVICE_URL may list several replicas: `http://10.0.0.1:3001,http://10.0.0.2:3001`.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return {
    host: env.HOST || "127.0.0.1",
    port: intFromEnv(env, "PORT", 8080, { max: 65535 }),
    accessControlUrl: upstreamUrl(env, "ACCESS_CONTROL_URL", "http://127.0.0.1:9096"),
    agentServiceUrls: upstreamUrls(env, "AGENT_SERVICE_URL", "http://127.0.0.1:3001"),
    webDist: resolve(env.WEB_DIST || resolve(repoRoot, "apps/web/dist")),
    authTimeoutMs: intFromEnv(env, "AUTH_TIMEOUT_MS", 5000, { min: 1, max: 60_000 }),
    bodyLimitBytes: intFromEnv(env, "GATEWAY_BODY_LIMIT_BYTES", 256 * 1024, { min: 1 }),
    datasetLimitBytes: intFromEnv(env, "DATASET_MAX_BYTES", 100 * 1024 * 1024, { min: 1 }),
    bodyTimeoutMs: intFromEnv(env, "GATEWAY_BODY_TIMEOUT_MS", 60_000, { min: 1, max: 3_600_000 }),
    upstreamFailTimeoutMs: intFromEnv(env, "GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS", 5000, { max: 600_000 }),
  };
}

/** A comma-separated list of base URLs; empty entries and the same origin twice are refused. */
function upstreamUrls(env: Record<string, string | undefined>, name: string, fallback: string): URL[] {
  const raw = env[name] || fallback;
  const entries = raw.split(",").map((entry) => entry.trim());
  if (entries.some((entry) => entry === "")) {
    throw new TypeError(`${name} has an empty entry: list URLs separated by single commas, got "${raw}"`);
  }
  const urls = entries.map((entry) => upstreamUrl({ [name]: entry }, name, fallback));
  const seen = new Set<string>();
  for (const url of urls) {
    if (seen.has(url.origin)) throw new TypeError(`${name} lists ${url.origin} twice`);
    seen.add(url.origin);
  }
  return urls;
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
