import pg from "pg";

export interface LinkEvents {
  /** A notification on the channel (this replica's own included). */
  message(payload: string): void;
  /** The connection broke: every advisory lock it held is gone. */
  down(error: Error): void;
  /** Connected again (after a `down`), listening. */
  up(): void;
  /**
   * A statement on a live connection failed: `notify` (frames of this replica did not reach the others) or
   * `unlock` (an agent's lock could not be let go; the link is recycled so that PostgreSQL drops it).
   */
  failed(kind: "notify" | "unlock", error: Error): void;
}

export interface ClusterLinkOptions {
  url: string;
  channel: string;
  events: LinkEvents;
  /** Turns the records of one flush into notification payloads (see envelope.ts). */
  pack(records: readonly string[]): string[];
  /** First wait before connecting again; doubled up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** A lock this link took, valid for the connection it was taken on. */
export interface LinkLock {
  key: string;
  connection: number;
}

/**
 * A replica's own PostgreSQL connections beside its pool: one holds the per-agent advisory locks (session
 * locks: PostgreSQL drops them the moment the connection or the process dies, which is how the other
 * replicas learn that a run lost its replica) and sends NOTIFY; the other only LISTENs. Either one lost
 * counts as both: the locks may be gone, frames may have been missed.
 *
 * Publishing is a group commit: one statement at a time is in flight, and the records queued meanwhile go
 * in the next one, packed into as few notifications as fit. PostgreSQL serializes the commits of every
 * transaction that notifies, so a statement per frame (or per turn of the event loop) queued up behind each
 * other: under a thousand streaming runs frames reached other replicas seconds late. A lock is let go in
 * the statement after the frames published before it, so the next run's frames cannot overtake them.
 */
export class ClusterLink {
  private client: pg.Client | undefined;
  private listener: pg.Client | undefined;
  /** Counts connections: a lock taken on an earlier one is gone with it. */
  private connection = 0;
  private outbox: string[] = [];
  private unlocks: string[] = [];
  private lockRequests: {
    key: string;
    resolve: (lock: LinkLock | undefined) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private flushScheduled = false;
  /** Settles when the statements in flight are done (one flush at a time). */
  private inFlight: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private closed = false;

  constructor(private readonly options: ClusterLinkOptions) {
    this.backoffMs = options.minBackoffMs ?? 250;
  }

  get isUp(): boolean {
    return this.client !== undefined;
  }

  /** Connects and listens; throws when the database cannot be reached (start-up fails loudly). */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Queues a record for the next notification; dropped while the connection is down. */
  publish(record: string): void {
    if (!this.client) return;
    this.outbox.push(record);
    this.schedule();
  }

  /**
   * Takes the lock if nobody (no other session) holds it; throws when the connection is down. The requests
   * of one turn of the event loop go in one statement: a burst of messages is one round trip, not a queue
   * of them in front of the frames.
   */
  tryLock(key: string): Promise<LinkLock | undefined> {
    if (!this.client) return Promise.reject(new Error("the cluster link is down"));
    return new Promise((resolve, reject) => {
      this.lockRequests.push({ key, resolve, reject });
      if (this.lockRequests.length > 1) return;
      setImmediate(() => this.requestLocks());
    });
  }

  private requestLocks(): void {
    const requests = this.lockRequests;
    this.lockRequests = [];
    const client = this.client;
    if (!client) {
      for (const r of requests) r.reject(new Error("the cluster link is down"));
      return;
    }
    const connection = this.connection;
    client
      .query<{ ok: boolean }>(
        "select pg_try_advisory_lock(k) as ok from unnest($1::bigint[]) with ordinality as t(k, n) order by n",
        [requests.map((r) => r.key)],
      )
      .then(
        ({ rows }) => {
          requests.forEach((r, i) => {
            r.resolve(rows[i]?.ok ? { key: r.key, connection } : undefined);
          });
        },
        (error) => {
          for (const r of requests) r.reject(error);
        },
      );
  }

  /** Lets the lock go after every record published before this call (no-op if its connection is gone). */
  unlock(lock: LinkLock): void {
    if (!this.client || lock.connection !== this.connection) return;
    this.unlocks.push(lock.key);
    this.schedule();
  }

  /** A round trip on the link, to find a connection that died without a word. */
  async ping(): Promise<void> {
    await this.client?.query("select 1");
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (client) {
      // what was published before closing still goes out
      while (this.inFlight) await this.inFlight;
      this.flush();
      while (this.inFlight) await this.inFlight;
    }
    this.client = undefined;
    await client?.end().catch(() => {});
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
  }

  private schedule(): void {
    if (this.flushScheduled || this.inFlight) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const client = this.client;
    if (!client || this.inFlight || (this.outbox.length === 0 && this.unlocks.length === 0)) return;
    const payloads = this.options.pack(this.outbox);
    const keys = this.unlocks;
    this.outbox = [];
    this.unlocks = [];
    const statements: Promise<unknown>[] = [];
    // A broken connection is also reported by its 'error' event (then lost() runs once); a statement that
    // fails on a live one (a payload PostgreSQL refuses, a statement timeout) is only seen here.
    if (payloads.length > 0) {
      statements.push(
        client
          .query("select pg_notify($1, p) from unnest($2::text[]) with ordinality as t(p, n) order by n", [
            this.options.channel,
            payloads,
          ])
          .catch((error) => this.options.events.failed("notify", asError(error))),
      );
    }
    if (keys.length > 0) {
      statements.push(
        client.query("select pg_advisory_unlock(k) from unnest($1::bigint[]) as k", [keys]).catch((error) => {
          this.options.events.failed("unlock", asError(error));
          // A session lock outlives a failed unlock: held, the agent could never run again on any replica.
          // Ending the session is the one sure way to let go of it (and of every other lock on it).
          this.lost(client, asError(error));
        }),
      );
    }
    const done = Promise.all(statements).then(() => {
      if (this.inFlight !== done) return;
      this.inFlight = undefined;
      if (this.client === client && (this.outbox.length > 0 || this.unlocks.length > 0)) this.flush();
    });
    this.inFlight = done;
  }

  /**
   * Two connections: one that only listens, and one for locks and NOTIFY. PostgreSQL hands notifications
   * to a session only while it waits idle for its client; a connection kept busy with statements (a
   * thousand runs publishing) got them seconds late.
   */
  private async connect(): Promise<void> {
    const open = async (role: string) => {
      const c = new pg.Client({
        connectionString: this.options.url,
        keepAlive: true,
        application_name: `agent-service cluster ${role}`,
      });
      c.on("error", () => {}); // until it is ours; then lost() below
      await c.connect();
      return c;
    };
    let client: pg.Client | undefined;
    let listener: pg.Client | undefined;
    try {
      client = await open("link");
      listener = await open("listener");
      listener.on("notification", (n) => {
        if (n.channel === this.options.channel && n.payload) this.options.events.message(n.payload);
      });
      await listener.query(`LISTEN "${this.options.channel}"`);
    } catch (error) {
      await client?.end().catch(() => {});
      await listener?.end().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      await listener.end().catch(() => {});
      return;
    }
    for (const c of [client, listener]) {
      c.on("error", (error) => this.lost(c, error));
      c.on("end", () => this.lost(c, new Error("the connection ended")));
    }
    this.connection++;
    this.client = client;
    this.listener = listener;
    this.backoffMs = this.options.minBackoffMs ?? 250;
  }

  /** Closes the link's connections and connects again (a failed unlock): `down` then `up`, as for a loss. */
  recycle(error: Error): void {
    if (this.client) this.lost(this.client, error);
  }

  private lost(which: pg.Client, error: Error): void {
    if (which !== this.client && which !== this.listener) return;
    const { client, listener } = this;
    this.client = undefined;
    this.listener = undefined;
    this.outbox = [];
    this.unlocks = [];
    this.inFlight = undefined;
    listener?.removeAllListeners("notification");
    client?.end().catch(() => {});
    listener?.end().catch(() => {});
    this.options.events.down(error);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        () => {
          if (this.client) this.options.events.up();
        },
        () => {
          this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 2_000);
          this.scheduleReconnect();
        },
      );
    }, this.backoffMs);
    this.reconnectTimer.unref();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
