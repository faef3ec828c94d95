/**
 * Query parameters whose value is a credential, matched on the name as a server decodes it (so
 * `access%2Dtoken`, `tick%65t` and `ACCESS-TOKEN` are caught, not just the spelling we send).
 */
const SECRET_NAME = /token|ticket|secret|passw(?:or)?d|api[-_]?key|credential|^\s*key\s*$/i;

/**
 * A request URL as it may appear in a log line: the value of every query parameter whose decoded name
 * names a credential is replaced by `[REDACTED]`. Names are decoded as URLSearchParams decodes them (the
 * way both services read `access-token` and `ticket`), so an encoded spelling is judged like the plain
 * one. A `#` is part of the query here, as it is for the services' parsers (a browser never sends one).
 */
export function redactUrlTokens(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const pairs = url
    .slice(q + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      return SECRET_NAME.test(decodedName(rawName)) ? `${rawName}=[REDACTED]` : pair;
    });
  return `${url.slice(0, q)}?${pairs.join("&")}`;
}

function decodedName(raw: string): string {
  // URLSearchParams: `+` is a space, bad escapes stay as they are, never throws
  const [name] = new URLSearchParams(`${raw}=`).keys();
  return name ?? raw;
}
