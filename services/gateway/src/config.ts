import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, parseEnv } from "@texera-agent/service-kit";
import { GatewayEnv } from "./config.schema.ts";

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
  logLevel: string;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * Reads the gateway's settings through its schema (config.schema.ts), or throws a ConfigError naming the
 * variable. AGENT_SERVICE_URL may list several replicas: `http://10.0.0.1:3001,http://10.0.0.2:3001`.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const vars = parseEnv(GatewayEnv, env);
  return {
    host: vars.HOST,
    port: vars.PORT,
    accessControlUrl: upstreamUrl("ACCESS_CONTROL_URL", vars.ACCESS_CONTROL_URL),
    agentServiceUrls: upstreamUrls("AGENT_SERVICE_URL", vars.AGENT_SERVICE_URL),
    webDist: resolve(vars.WEB_DIST || resolve(repoRoot, "apps/web/dist")),
    authTimeoutMs: vars.AUTH_TIMEOUT_MS,
    bodyLimitBytes: vars.GATEWAY_BODY_LIMIT_BYTES,
    datasetLimitBytes: vars.DATASET_MAX_BYTES,
    bodyTimeoutMs: vars.GATEWAY_BODY_TIMEOUT_MS,
    upstreamFailTimeoutMs: vars.GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS,
    logLevel: vars.LOG_LEVEL,
  };
}

/** A comma-separated list of base URLs; empty entries and the same origin twice are refused. */
function upstreamUrls(name: string, raw: string): URL[] {
  const entries = raw.split(",").map((entry) => entry.trim());
  if (entries.some((entry) => entry === "")) {
    invalid(name, `${name} has an empty entry: list URLs separated by single commas, got "${raw}"`);
  }
  const urls = entries.map((entry) => upstreamUrl(name, entry));
  const seen = new Set<string>();
  for (const url of urls) {
    if (seen.has(url.origin)) invalid(name, `${name} lists ${url.origin} twice`);
    seen.add(url.origin);
  }
  return urls;
}

function upstreamUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return invalid(name, `${name} must be an http:// URL, got "${raw}"`);
  }
  if (url.protocol !== "http:") invalid(name, `${name} must be an http:// URL, got "${raw}"`);
  if (url.pathname !== "/" || url.search || url.hash) {
    invalid(name, `${name} must be a base URL without a path, got "${raw}"`);
  }
  return url;
}

function invalid(name: string, message: string): never {
  throw new ConfigError([{ name, message }]);
}
