import type { DuckDBConnection } from "@duckdb/node-api";

const REPEAT_MS = 25;

/**
 * Interrupts the connection's statement when the signal aborts. An interrupt that lands between two
 * statements is lost, so once aborted it keeps interrupting until disposed; callers also check the
 * signal before each statement. Returns the disposer.
 */
export function interruptOnAbort(conn: DuckDBConnection, signal: AbortSignal): () => void {
  let ticker: NodeJS.Timeout | undefined;
  const interrupt = () => {
    conn.interrupt();
    ticker ??= setInterval(() => conn.interrupt(), REPEAT_MS);
  };
  if (signal.aborted) interrupt();
  else signal.addEventListener("abort", interrupt, { once: true });
  return () => {
    clearInterval(ticker);
    signal.removeEventListener("abort", interrupt);
  };
}
