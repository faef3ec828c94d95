import pg from "pg";

export interface LinkEvents {
  /** A notification on the channel (this replica's own included). */
  message(payload: string): void;
  /** The connection broke: every advisory lock it held is gone. */
  down(error: Error): void;
  /** Connected again (after a `down`), listening. */
  up(): void;
}

export interface ClusterLinkOptions {
  url: string;
  channel: string;
  events: LinkEvents;
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
 * One dedicated PostgreSQL connection per replica for what must live on a single session: LISTEN, the
 * per-agent advisory locks (session locks: PostgreSQL drops them the moment the connection or the process
 * dies, which is how the other replicas learn that a run lost its replica), and NOTIFY. Everything on it
 * runs in call order, so a run's last frames are published before its lock is let go.
 *
 * Frames published in one turn of the event loop leave in one statement (one transaction, one round trip).
 */
export class ClusterLink {
  private client: pg.Client | undefined;
  /** Counts connections: a lock taken on an earlier one is gone with it. */
  private connection = 0;
  private outbox: string[] = [];
  private flushScheduled = false;
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

  publish(payloads: readonly string[]): void {
    if (!this.client) return;
    for (const p of payloads) this.outbox.push(p);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Takes the lock if nobody (no other session) holds it; throws when the connection is down. */
  async tryLock(key: string): Promise<LinkLock | undefined> {
    const client = this.client;
    if (!client) throw new Error("the cluster link is down");
    const connection = this.connection;
    const result = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1::bigint) as ok", [
      key,
    ]);
    if (!result.rows[0]?.ok) return undefined;
    return { key, connection };
  }

  /** Lets the lock go after every frame published before this call (no-op if its connection is gone). */
  unlock(lock: LinkLock): void {
    const client = this.client;
    if (!client || lock.connection !== this.connection) return;
    this.flush();
    client.query("select pg_advisory_unlock($1::bigint)", [lock.key]).catch(() => {});
  }

  /** A round trip on the link, to find a connection that died without a word. */
  async ping(): Promise<void> {
    await this.client?.query("select 1");
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    this.flush(client);
    await client.end().catch(() => {});
  }

  private flush(client = this.client): void {
    this.flushScheduled = false;
    if (!client || this.outbox.length === 0) return;
    const batch = this.outbox;
    this.outbox = [];
    client
      .query("select pg_notify($1, p) from unnest($2::text[]) with ordinality as t(p, n) order by n", [
        this.options.channel,
        batch,
      ])
      .catch(() => {}); // a broken connection is reported by its 'error' event
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      keepAlive: true,
      application_name: "agent-service cluster link",
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("the connection ended")));
    client.on("notification", (n) => {
      if (n.channel === this.options.channel && n.payload) this.options.events.message(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (error) {
      client.removeAllListeners("end");
      await client.end().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.connection++;
    this.client = client;
    this.backoffMs = this.options.minBackoffMs ?? 250;
  }

  private lost(client: pg.Client, error: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.outbox = [];
    client.removeAllListeners("notification");
    client.end().catch(() => {});
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
