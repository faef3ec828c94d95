import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { databaseUnavailable } from "../errors.ts";
import { ClusterLink } from "./cluster-link.ts";
import {
  type ClusterCommand,
  commandRecord,
  EnvelopeReader,
  type FrameMeta,
  frameRecord,
  packRecords,
} from "./envelope.ts";

/** The right to run (or clear, or delete) one agent; give it back once, when done. */
export interface Lease {
  release(): void;
}

/** What the coordinator hands to the rest of the service. */
export interface CoordinatorHandlers {
  /** A frame of an agent made on another replica, for this replica's sockets. */
  frame(agentId: string, text: string, meta: FrameMeta | undefined): void;
  command(agentId: string, command: ClusterCommand): void;
  /** The link to the database broke: this replica's runs can no longer be told apart from orphans. */
  down(): void;
  /** The link is back. */
  up(): void;
}

/**
 * Who may run an agent, and how its frames reach sockets on other replicas. One process alone (SQLite)
 * needs neither: LocalCoordinator. Replicas sharing PostgreSQL: PgCoordinator.
 */
export interface Coordinator {
  /** Several replicas share the database: frames and commands travel between them. */
  readonly shared: boolean;
  readonly replicaId: string;
  attach(handlers: CoordinatorHandlers): void;
  /** Connects; the service does not start without it. */
  start(): Promise<void>;
  /**
   * The agent's lease, or undefined when someone holds it (a run here or on another replica, a clear, a
   * delete). Throws DATABASE_UNAVAILABLE while the replica cannot reach the database.
   */
  acquire(agentId: string): Promise<Lease | undefined>;
  /** Passes a frame made here on to the other replicas (already sent to this replica's sockets). */
  publish(agentId: string, text: string, meta: FrameMeta | undefined): void;
  /** Tells every other replica (stop a run, it was deleted, …). */
  command(agentId: string, command: ClusterCommand): void;
  /** Whether it can reach the database (cluster mode) right now. */
  readonly isUp: boolean;
  /** Checks the link with a round trip (the sweep does it on its timer). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Leases kept in this process: what one replica alone needs. */
class Leases {
  private readonly held = new Map<string, Lease>();

  has(agentId: string): boolean {
    return this.held.has(agentId);
  }

  take(agentId: string, onRelease?: () => void): Lease | undefined {
    if (this.held.has(agentId)) return undefined;
    let released = false;
    const lease: Lease = {
      release: () => {
        if (released) return;
        released = true;
        if (this.held.get(agentId) === lease) this.held.delete(agentId);
        onRelease?.();
      },
    };
    this.held.set(agentId, lease);
    return lease;
  }
}

export class LocalCoordinator implements Coordinator {
  readonly shared = false;
  readonly replicaId = "local";
  readonly isUp = true;
  private readonly leases = new Leases();

  attach(): void {}
  async start(): Promise<void> {}
  async acquire(agentId: string): Promise<Lease | undefined> {
    return this.leases.take(agentId);
  }
  publish(): void {}
  command(): void {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

/** The NOTIFY channel replicas share. */
export const CLUSTER_CHANNEL = "texera_agent_cluster";

/** The advisory lock key of an agent: the first 64 bits of its UUID (random bits for v4 ids). */
export function lockKey(agentId: string): string {
  const hex = agentId.replace(/-/g, "").slice(0, 16).padEnd(16, "0");
  return BigInt.asIntN(64, BigInt(`0x${hex}`)).toString();
}

/**
 * Replicas over one PostgreSQL database. A run holds its agent's advisory lock on this replica's link
 * connection, so at most one run per agent exists across replicas, and a replica that dies (or loses its
 * connection) lets go of its agents at once. Frames go out by NOTIFY with this replica's id and a sequence
 * number; each replica passes the others' frames to its own sockets.
 */
export class PgCoordinator implements Coordinator {
  readonly shared = true;
  readonly replicaId = randomUUID().slice(0, 8);
  private readonly leases = new Leases();
  private readonly reader = new EnvelopeReader();
  private readonly link: ClusterLink;
  private handlers: CoordinatorHandlers | undefined;
  private seq = 0;

  constructor(
    url: string,
    private readonly log: FastifyBaseLogger,
    options: {
      minBackoffMs?: number;
      maxBackoffMs?: number;
      /** Counts a failed statement of the link (see LinkEvents.failed). */
      onFailure?(kind: "notify" | "unlock"): void;
    } = {},
  ) {
    const { onFailure, ...backoff } = options;
    this.link = new ClusterLink({
      url,
      channel: CLUSTER_CHANNEL,
      ...backoff,
      pack: (records) => packRecords(this.replicaId, () => this.seq++, records),
      events: {
        message: (payload) => this.receive(payload),
        down: (error) => {
          this.log.error({ err: error }, "lost the cluster connection to PostgreSQL; runs here are stopped");
          this.handlers?.down();
        },
        up: () => {
          this.log.info("cluster connection to PostgreSQL is back");
          this.handlers?.up();
        },
        failed: (kind, error) => {
          onFailure?.(kind);
          if (kind === "notify") {
            this.log.error(
              { err: error },
              "cluster NOTIFY failed: frames of this replica did not reach the others",
            );
          } else {
            this.log.error(
              { err: error },
              "cluster unlock failed: recycling the link so that PostgreSQL drops the lock",
            );
          }
        },
      },
    });
  }

  get isUp(): boolean {
    return this.link.isUp;
  }

  attach(handlers: CoordinatorHandlers): void {
    this.handlers = handlers;
  }

  start(): Promise<void> {
    return this.link.start();
  }

  async acquire(agentId: string): Promise<Lease | undefined> {
    if (!this.link.isUp) throw databaseUnavailable();
    // Taken here first: PostgreSQL's session locks nest, so a second take on this connection would succeed.
    let lock: Awaited<ReturnType<ClusterLink["tryLock"]>>;
    const lease = this.leases.take(agentId, () => lock && this.link.unlock(lock));
    if (!lease) return undefined;
    try {
      lock = await this.link.tryLock(lockKey(agentId));
    } catch {
      lease.release();
      throw databaseUnavailable();
    }
    if (!lock) {
      lease.release();
      return undefined;
    }
    return lease;
  }

  publish(agentId: string, text: string, meta: FrameMeta | undefined): void {
    this.link.publish(frameRecord(agentId, text, meta));
  }

  command(agentId: string, command: ClusterCommand): void {
    this.link.publish(commandRecord(agentId, command));
  }

  ping(): Promise<void> {
    return this.link.ping();
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private receive(payload: string): void {
    // Our own notifications come back too: the first field says whose it is.
    if (payload.startsWith(`${this.replicaId}\t`)) return;
    if (!this.handlers) return;
    for (const received of this.reader.read(payload)) {
      if (received.kind === "command") this.handlers.command(received.agentId, received.command);
      else this.handlers.frame(received.agentId, received.text, received.meta);
    }
  }
}
