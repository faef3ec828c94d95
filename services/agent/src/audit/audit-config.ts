/** What the audit log records beyond the defaults. */
export interface AuditConfig {
  /** AUDIT_PROMPTS=1: run.start events carry the user's message text (off by default). */
  prompts: boolean;
  /** TRUSTED_PROXIES: gateways whose X-Forwarded-For names the client (see client-address.ts). */
  trustedProxies?: string;
}

export function loadAuditConfig(env: Record<string, string | undefined>): AuditConfig {
  const prompts = env.AUDIT_PROMPTS ?? "";
  if (!["", "0", "1", "true", "false"].includes(prompts)) {
    throw new TypeError(`AUDIT_PROMPTS must be 1 or 0, got "${prompts}"`);
  }
  return { prompts: prompts === "1" || prompts === "true", trustedProxies: env.TRUSTED_PROXIES || undefined };
}
