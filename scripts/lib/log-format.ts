const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO ",
  40: "WARN ",
  50: "ERROR",
  60: "FATAL",
};

/**
 * A pino JSON line as a short human line (`INFO  GET /api/agents 200 3.1 ms`); any other line unchanged.
 * Only fields that services already redact are shown: the message, the request's method and redacted URL,
 * the status.
 */
export function formatLogLine(line: string): string | undefined {
  if (!line.startsWith("{")) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = LEVELS[entry.level as number] ?? String(entry.level ?? "");
  const req = entry.req as { method?: string; url?: string } | undefined;
  const res = entry.res as { statusCode?: number } | undefined;
  const parts = [level];
  if (req?.method) parts.push(`${req.method} ${req.url ?? ""}`);
  if (res?.statusCode) parts.push(String(res.statusCode));
  else if (typeof entry.status === "number") parts.push(String(entry.status));
  if (typeof entry.msg === "string") parts.push(entry.msg);
  if (typeof entry.responseTime === "number") parts.push(`(${entry.responseTime.toFixed(1)} ms)`);
  const err = entry.err as { message?: string } | undefined;
  if (err?.message) parts.push(`: ${err.message}`);
  return parts.join(" ");
}
