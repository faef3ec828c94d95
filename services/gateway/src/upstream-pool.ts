import { Agent, type AgentOptions } from "node:http";
import type { Logger } from "pino";

/** One upstream server (a replica), with its own keep-alive connection pool. */
export interface Upstream {
  /** The service's name, for error messages and logs ("agent-service"). */
  name: string;
  url: URL;
  agent: Agent;
}

/**
 * The replicas of one service. `order()` says which replicas one request may try, first choice first:
 * round-robin over the replicas that are up, then (only as retries, or when every replica is down) the ones
 * marked down. A replica marked down is skipped for `failTimeoutMs` (passive health, as nginx's
 * `max_fails=1 fail_timeout=…`); when every replica is down they are all tried anyway.
 */
export interface UpstreamPool {
  name: string;
  replicas: readonly Upstream[];
  order(): Upstream[];
  markDown(replica: Upstream): void;
  isDown(replica: Upstream): boolean;
  destroy(): void;
}

export interface UpstreamPoolOptions {
  failTimeoutMs: number;
  agent?: AgentOptions;
  /** The clock, in ms; tests pass their own instead of sleeping. */
  now?: () => number;
}

export function createUpstreamPool(
  name: string,
  urls: readonly URL[],
  options: UpstreamPoolOptions,
): UpstreamPool {
  if (urls.length === 0) throw new TypeError(`${name} needs at least one upstream URL`);
  const now = options.now ?? Date.now;
  const replicas: Upstream[] = urls.map((url) => ({ name, url, agent: new Agent(options.agent) }));
  const downUntil = new Map<Upstream, number>();
  let next = 0;

  const isDown = (replica: Upstream) => (downUntil.get(replica) ?? 0) > now();

  return {
    name,
    replicas,
    order() {
      const n = replicas.length;
      const rotation = Array.from({ length: n }, (_, i) => replicas[(next + i) % n]!);
      const up = rotation.filter((replica) => !isDown(replica));
      const down = rotation.filter(isDown);
      // The next request starts after this one's first choice, so the replicas that are up share evenly.
      const first = up[0] ?? down[0]!;
      next = (replicas.indexOf(first) + 1) % n;
      return [...up, ...down];
    },
    markDown(replica) {
      downUntil.set(replica, now() + options.failTimeoutMs);
    },
    isDown,
    destroy() {
      for (const replica of replicas) replica.agent.destroy();
    },
  };
}

const CONNECT_FAILURES = new Set([
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);

/**
 * How an upstream request failed before any answer arrived:
 * - `down`: the replica could not be reached (connection refused, connect timeout, or reset on a fresh
 *   connection): mark it down; a request that is safe to repeat may try the next replica.
 * - `stale`: reset on a reused keep-alive connection, which the replica may simply have closed as idle:
 *   safe to retry, but no sign that the replica is down.
 * - `other`: anything else (the request itself was bad, or our own abort).
 */
export function classifyFailure(
  error: NodeJS.ErrnoException,
  reusedSocket: boolean,
): "down" | "stale" | "other" {
  if (error.code && CONNECT_FAILURES.has(error.code)) return "down";
  if (error.code === "ECONNRESET") return reusedSocket ? "stale" : "down";
  return "other";
}

/**
 * After an attempt on `replica` failed: marks the replica down when it could not be reached, logs it, and
 * says whether the request may go to the next replica (only before any answer, only a request that is
 * safe to repeat, and only if a replica is left to try).
 */
export function retryAfterFailure(
  pool: UpstreamPool,
  replica: Upstream,
  error: NodeJS.ErrnoException,
  attempt: { answered: boolean; reusedSocket: boolean; repeatable: boolean; last: boolean },
  log: Logger,
): boolean {
  const failure = attempt.answered ? "other" : classifyFailure(error, attempt.reusedSocket);
  if (failure === "down") pool.markDown(replica);
  const retry = failure !== "other" && attempt.repeatable && !attempt.last;
  log.warn(
    { upstream: replica.name, replica: replica.url.host, code: error.code, retry },
    "upstream unreachable",
  );
  return retry;
}
