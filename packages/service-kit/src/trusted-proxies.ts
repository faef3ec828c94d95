import { isIP } from "node:net";
import { FormatRegistry } from "@sinclair/typebox";
import { Var } from "./env-schema.ts";

/**
 * TRUSTED_PROXIES, one syntax in every service: `none`, or a comma-separated list of IP addresses, CIDR
 * ranges (`10.0.0.0/8`, `fd00::/8`) and `loopback` (127.0.0.0/8 and ::1). Both Fastify's `trustProxy`
 * (access-control) and agent-service's BlockList (src/audit/client-address.ts) read every entry of it.
 */
export const TRUSTED_PROXIES_FORMAT = "trusted-proxies";
export const TRUSTED_PROXIES_EXPECTED =
  '"none", or a comma-separated list of IP addresses, CIDR ranges and "loopback"';

/** The entries of a valid value (`none`: no entry), or undefined when one of them is not valid. */
export function trustedProxyEntries(value: string): string[] | undefined {
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 1 && entries[0] === "none") return [];
  return entries.length > 0 && entries.every(isProxyEntry) ? entries : undefined;
}

function isProxyEntry(entry: string): boolean {
  if (entry === "loopback") return true;
  const [address = "", bits, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

FormatRegistry.Set(TRUSTED_PROXIES_FORMAT, (value) => trustedProxyEntries(value) !== undefined);

/** The TRUSTED_PROXIES variable of a service's env schema: the same syntax everywhere, its own default. */
export const trustedProxiesVar = (o: { default?: string; description: string; defaultText?: string }) =>
  Var.string({ format: TRUSTED_PROXIES_FORMAT, expected: TRUSTED_PROXIES_EXPECTED, ...o });
