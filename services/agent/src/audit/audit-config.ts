import type { AgentEnvValues } from "../config.schema.ts";

/** What the audit log records beyond the defaults. */
export interface AuditConfig {
  /** AUDIT_PROMPTS=1: run.start events carry the user's message text (off by default). */
  prompts: boolean;
  /** TRUSTED_PROXIES: gateways whose X-Forwarded-For names the client (see client-address.ts). */
  trustedProxies?: string;
}

/** From the service's environment, checked by its schema (config.schema.ts). TRUSTED_PROXIES=none: trust none. */
export function loadAuditConfig(vars: AgentEnvValues): AuditConfig {
  const proxies = vars.TRUSTED_PROXIES;
  return {
    prompts: vars.AUDIT_PROMPTS === "1" || vars.AUDIT_PROMPTS === "true",
    trustedProxies: proxies === undefined || proxies.trim() === "none" ? undefined : proxies,
  };
}
