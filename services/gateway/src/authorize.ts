import type { Pool } from "undici";
import { identityFrom } from "./headers.ts";

export type AuthDecision =
  /** 2xx with `x-user-id`: forward, with these identity headers. */
  | { outcome: "allow"; identity: Record<string, string> }
  /** 401 or 403: answer the client with access-control-service's own status, headers and body. */
  | { outcome: "deny"; statusCode: 401 | 403; headers: Record<string, string>; body: Buffer }
  /** Anything else, or no answer in time: fail closed, the request never reaches agent-service. */
  | { outcome: "unavailable"; statusCode: 502 | 503; reason: string };

export interface OriginalRequest {
  method: string;
  url: string;
  authorization?: string;
}

export interface AuthorizerOptions {
  timeoutMs: number;
  /** The keep-alive connection pool to access-control-service. */
  pool: Pool;
}

const MAX_DENY_BODY = 16 * 1024;

/**
 * The auth subrequest, as nginx's `auth_request` makes it: `GET /api/auth` with `X-Original-URI`,
 * `X-Original-Method` and the caller's `Authorization`, never the body.
 */
export function createAuthorizer(
  options: AuthorizerOptions,
): (original: OriginalRequest) => Promise<AuthDecision> {
  const { timeoutMs, pool } = options;
  return async (original) => {
    const headers: Record<string, string> = {
      "x-original-uri": original.url,
      "x-original-method": original.method,
    };
    if (original.authorization) headers.authorization = original.authorization;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await pool.request({ method: "GET", path: "/api/auth", headers, signal });
      const status = res.statusCode;
      if (status === 401 || status === 403) {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size <= MAX_DENY_BODY) chunks.push(chunk);
        }
        const pass: Record<string, string> = {};
        for (const name of ["www-authenticate", "content-type"]) {
          const value = res.headers[name];
          if (typeof value === "string") pass[name] = value;
        }
        const body = size <= MAX_DENY_BODY ? Buffer.concat(chunks) : Buffer.alloc(0);
        return { outcome: "deny", statusCode: status, headers: pass, body };
      }
      await res.body.dump();
      if (status >= 200 && status < 300) {
        const identity = identityFrom(res.headers);
        if (identity["x-user-id"]) return { outcome: "allow", identity };
        return { outcome: "unavailable", statusCode: 502, reason: "allowed without x-user-id" };
      }
      return { outcome: "unavailable", statusCode: 502, reason: `answered ${status}` };
    } catch (error) {
      const timedOut = signal.aborted;
      return {
        outcome: "unavailable",
        statusCode: 503,
        reason: timedOut ? `no answer within ${timeoutMs} ms` : `unreachable (${errorCode(error as Error)})`,
      };
    }
  };
}

function errorCode(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
