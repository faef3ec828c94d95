/**
 * Socket errors and PostgreSQL's SQLSTATEs that mean "the database cannot be reached right now" (down,
 * restarting, shutting down, connection lost), as opposed to a bad statement: the answer to a client is then
 * 503 "try again shortly", never 500.
 */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; class 08: connection exceptions
const SQLSTATES = new Set(["57P01", "57P02", "57P03"]);
// node-postgres reports a connection that died under a query with these messages and no code
const PG_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || code.startsWith("08")))
    return true;
  if (PG_MESSAGES.test(error.message)) return true;
  // AggregateError of a connect to every address of a host
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnreachable);
  return false;
}
