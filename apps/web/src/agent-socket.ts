import {
  CLOSE_ACCESS_REVOKED,
  CLOSE_TOKEN_EXPIRED,
  type ClientFrame,
  decodeServerFrame,
  type ServerFrame,
} from "@texera-agent/protocol";

/** What the chat shows about its connection. */
export type ConnectionStatus =
  | { kind: "connecting"; attempt: number }
  | { kind: "open" }
  | { kind: "reconnecting"; attempt: number; delayMs: number }
  | { kind: "closed"; reason: string };

/** What a person is told about the live connection, from the socket's status and the browser's. */
export type LiveState = "live" | "connecting" | "reconnecting" | "offline" | "disconnected";

/**
 * `online` is the browser's navigator.onLine: while it says offline, the socket (open or not) is shown as
 * offline, since nothing reaches the server; an open socket is live; a first attempt is connecting, a later
 * one reconnecting; a socket that gave up is disconnected.
 */
export function liveState(status: ConnectionStatus, online: boolean): LiveState {
  if (status.kind === "closed") return "disconnected";
  if (!online) return "offline";
  if (status.kind === "open") return "live";
  if (status.kind === "connecting" && status.attempt === 0) return "connecting";
  return "reconnecting";
}

/** The part of the browser's WebSocket this client uses (a fake one in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, factor: 2 };

export interface AgentSocketOptions {
  /**
   * Called on every connection attempt, so a renewed token is picked up; may fetch a fresh single-use
   * ticket (a rejected promise counts as a failed attempt).
   */
  url: () => string | Promise<string>;
  onFrame: (frame: ServerFrame) => void;
  onStatus: (status: ConnectionStatus) => void;
  /**
   * Asked before each reconnect: answer a message to give up (signed out, agent deleted), or null to retry.
   * The server refuses a bad caller before the upgrade, which a browser only reports as a closed socket.
   */
  check?: () => Promise<string | null>;
  createSocket?: (url: string) => WebSocketLike;
  backoff?: Partial<BackoffOptions>;
  random?: () => number;
  onInvalidFrame?: (raw: unknown) => void;
}

const OPEN = 1;

/**
 * What a person is told when the server closed the socket because its user lost access; null for any other
 * close (a drop, a restart, a slow client), after which the socket reconnects.
 */
export function accessLostReason(code: number): string | null {
  if (code === CLOSE_TOKEN_EXPIRED) return "Your session expired; sign in again to go on with this agent.";
  if (code === CLOSE_ACCESS_REVOKED) {
    return "Your access to agents was withdrawn (the account was deactivated or its role changed); ask an administrator.";
  }
  return null;
}

/** Exponential backoff with jitter: attempt 1 waits about initialMs, each next one `factor` times longer. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + random() * 0.5));
}

/** `/api/agents/:id/react?access-token=…` on the page's own host; wss when the page is on https. */
export function reactSocketUrl(
  location: { protocol: string; host: string },
  agentId: string,
  token: string,
): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/agents/${encodeURIComponent(agentId)}/react?access-token=${encodeURIComponent(token)}`;
}

/**
 * The socket URL for a ticket's `path` (from POST /api/agents/:id/ws-ticket) on the page's own host, asking
 * for streamed `delta` frames (`deltas=1`: this service sends them only to clients that ask).
 */
export function ticketSocketUrl(location: { protocol: string; host: string }, path: string): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}${path.includes("?") ? "&" : "?"}deltas=1`;
}

/**
 * Parses one server frame; anything that is not a whole frame of the protocol's ServerFrame schemas is null
 * (checked by @texera-agent/protocol, the schemas agent-service sends by).
 */
export function parseServerFrame(data: unknown): ServerFrame | null {
  return decodeServerFrame(data);
}

/**
 * One agent's chat socket. Reconnects with backoff after a dropped connection (the server's `init` frame
 * then brings the steps the run made meanwhile), until closed or until `check` gives up.
 */
export class AgentSocket {
  readonly #options: AgentSocketOptions;
  readonly #backoff: BackoffOptions;
  #socket: WebSocketLike | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  #started = false;

  constructor(options: AgentSocketOptions) {
    this.#options = options;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#connect();
  }

  get isOpen(): boolean {
    return this.#socket?.readyState === OPEN;
  }

  /** Sends a frame when connected; false when not (the caller says so to the user). */
  send(frame: ClientFrame): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  /** Skips the wait of a pending reconnect (e.g. the browser came back online). */
  reconnectNow(): void {
    if (this.#stopped || this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    void this.#retry();
  }

  close(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      detach(socket);
      socket.close(1000, "closed by the client");
    }
  }

  #connect(): void {
    this.#options.onStatus({ kind: "connecting", attempt: this.#attempt });
    let url: string | Promise<string>;
    try {
      url = this.#options.url();
    } catch {
      this.#scheduleReconnect();
      return;
    }
    if (typeof url === "string") {
      this.#open(url);
      return;
    }
    url.then(
      (resolved) => {
        if (!this.#stopped) this.#open(resolved);
      },
      () => {
        if (!this.#stopped) this.#scheduleReconnect();
      },
    );
  }

  #open(url: string): void {
    let socket: WebSocketLike;
    try {
      const create = this.#options.createSocket ?? ((u: string) => new WebSocket(u) as WebSocketLike);
      socket = create(url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket === socket) this.#options.onStatus({ kind: "open" });
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return;
      const frame = parseServerFrame(event.data);
      if (!frame) {
        this.#options.onInvalidFrame?.(event.data);
        return;
      }
      // A connection that delivered its init frame is healthy: the next drop starts the backoff afresh.
      if (frame.type === "init") this.#attempt = 0;
      this.#options.onFrame(frame);
    };
    socket.onerror = () => {
      // the close event follows and carries the decision
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      detach(socket);
      this.#socket = null;
      if (this.#stopped) return;
      // Closed for lost access: trying again cannot help until the person signs in again (a new session
      // starts a new socket) or an administrator gives the access back. An expired token may already have
      // been renewed (another tab signed in again): the check says so, and then the socket reconnects.
      const lost = accessLostReason(event.code);
      if (lost === null) this.#scheduleReconnect();
      else if (event.code === CLOSE_TOKEN_EXPIRED && this.#options.check) void this.#afterExpiry(lost);
      else this.#giveUp(lost);
    };
  }

  #giveUp(reason: string): void {
    this.#stopped = true;
    this.#options.onStatus({ kind: "closed", reason });
  }

  async #afterExpiry(reason: string): Promise<void> {
    const stillSignedIn = await this.#options.check!().then(
      (giveUp) => giveUp === null,
      () => false,
    );
    if (this.#stopped) return;
    if (stillSignedIn) this.#connect();
    else this.#giveUp(reason);
  }

  #scheduleReconnect(): void {
    this.#attempt += 1;
    const delayMs = backoffDelay(this.#attempt, this.#backoff, this.#options.random ?? Math.random);
    this.#options.onStatus({ kind: "reconnecting", attempt: this.#attempt, delayMs });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#retry();
    }, delayMs);
  }

  async #retry(): Promise<void> {
    if (this.#stopped) return;
    let giveUp: string | null = null;
    if (this.#options.check) {
      try {
        giveUp = await this.#options.check();
      } catch {
        giveUp = null;
      }
    }
    if (this.#stopped) return;
    if (giveUp !== null) {
      this.#stopped = true;
      this.#options.onStatus({ kind: "closed", reason: giveUp });
      return;
    }
    this.#connect();
  }
}

function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = null;
}
