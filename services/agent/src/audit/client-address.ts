import { BlockList, isIP } from "node:net";

/**
 * Where a request came from. The socket's address, unless that is a trusted gateway (TRUSTED_PROXIES):
 * then the right-most address of X-Forwarded-For that is not itself a trusted proxy (nginx's
 * `$proxy_add_x_forwarded_for` appends the client it saw; anything left of that was sent by the client
 * and proves nothing).
 */
export type ClientAddress = (
  remote: string | undefined,
  forwardedFor: string | string[] | undefined,
) => string | undefined;

/** `TRUSTED_PROXIES`: comma-separated addresses, CIDR ranges, or `loopback`. Empty: trust none. */
export function parseTrustedProxies(value: string | undefined): BlockList | undefined {
  const parts = (value ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  const list = new BlockList();
  for (const part of parts) {
    if (part === "loopback") {
      list.addSubnet("127.0.0.0", 8, "ipv4");
      list.addAddress("::1", "ipv6");
      continue;
    }
    const [address, bits] = part.split("/");
    const family = isIP(address ?? "");
    if (family === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new TypeError(`TRUSTED_PROXIES: "${part}" is not an address, a CIDR range or "loopback"`);
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, Number(bits), type);
  }
  return list;
}

export function createClientAddress(trusted: BlockList | undefined): ClientAddress {
  const isTrusted = (address: string) => {
    const plain = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && trusted!.check(plain, family === 4 ? "ipv4" : "ipv6");
  };
  return (remote, forwardedFor) => {
    if (!trusted || !remote || !isTrusted(remote)) return remote;
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor;
    const hops = (header ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter((h) => isIP(h) !== 0);
    for (let i = hops.length - 1; i >= 0; i--) {
      if (!isTrusted(hops[i]!)) return hops[i];
    }
    return hops[0] ?? remote;
  };
}
