const TOKEN_PARAMS = /([?&](?:access-token|access_token|token|ticket)=)[^&#]*/gi;

/** A request URL as it may appear in a log line: token-bearing query values replaced. */
export function redactUrlTokens(url: string): string {
  return url.replace(TOKEN_PARAMS, "$1[REDACTED]");
}
