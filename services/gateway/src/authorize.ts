import { type Agent, request } from "node:http";
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
  accessControlUrl: URL;
  timeoutMs: number;
  agent: Agent;
}

const MAX_DENY_BODY = 16 * 1024;

/**
 * The auth subrequest, as nginx's `auth_request` makes it: `GET /api/auth` with `X-Original-URI`,
 * `X-Original-Method` and the caller's `Authorization`, never the body.
 */
export function createAuthorizer(
  options: AuthorizerOptions,
): (original: OriginalRequest) => Promise<AuthDecision> {
  const { accessControlUrl, timeoutMs, agent } = options;
  return (original) =>
    new Promise<AuthDecision>((resolveDecision) => {
      const headers: Record<string, string> = {
        "x-original-uri": original.url,
        "x-original-method": original.method,
      };
      if (original.authorization) headers.authorization = original.authorization;
      const sub = request({
        host: accessControlUrl.hostname,
        port: accessControlUrl.port || 80,
        method: "GET",
        path: "/api/auth",
        headers,
        agent,
      });
      // A plain timer, cleared with the answer: AbortSignal.timeout keeps one alive per request for the
      // whole timeout and builds a DOMException when it fires, on every request of the hot path.
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        sub.destroy();
      }, timeoutMs);
      const resolve = (decision: AuthDecision) => {
        clearTimeout(timer);
        resolveDecision(decision);
      };
      const fail = (what: string, error?: Error) =>
        resolve({
          outcome: "unavailable",
          statusCode: 503,
          reason: timedOut || !error ? `no answer within ${timeoutMs} ms` : `${what} (${errorCode(error)})`,
        });
      sub.on("error", (error) => fail("unreachable", error));
      // destroyed by the timer after the answer's headers, while its body was still coming
      sub.on("close", () => {
        if (timedOut) fail("timed out");
      });
      sub.on("response", (res) => {
        const status = res.statusCode ?? 0;
        res.on("error", (error) => fail("answer broken", error));
        if (status === 401 || status === 403) {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_DENY_BODY) chunks.push(chunk);
          });
          res.on("end", () => {
            const pass: Record<string, string> = {};
            for (const name of ["www-authenticate", "content-type"]) {
              const value = res.headers[name];
              if (typeof value === "string") pass[name] = value;
            }
            const body = size <= MAX_DENY_BODY ? Buffer.concat(chunks) : Buffer.alloc(0);
            resolve({ outcome: "deny", statusCode: status, headers: pass, body });
          });
          return;
        }
        res.resume();
        if (status >= 200 && status < 300) {
          const identity = identityFrom(res.headers);
          if (identity["x-user-id"]) resolve({ outcome: "allow", identity });
          else resolve({ outcome: "unavailable", statusCode: 502, reason: "allowed without x-user-id" });
          return;
        }
        resolve({ outcome: "unavailable", statusCode: 502, reason: `answered ${status}` });
      });
      sub.end();
    });
}

function errorCode(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
