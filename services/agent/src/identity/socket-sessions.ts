import type { Socket } from "node:net";
import { canUseAgents, type UserClaims } from "@texera-agent/auth";
import { CLOSE_ACCESS_REVOKED, CLOSE_TOKEN_EXPIRED, type ServerFrame } from "@texera-agent/protocol";
import type { FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import { AgentServiceError, type ErrorCode } from "../errors.ts";
import { userOf } from "../routes/request-user.ts";
import { currentRole, type Directory, directoryUnavailable } from "./current-user.ts";

export interface SocketSessionsOptions {
  /** The user directory; absent: tokens are judged by their claims alone (only expiry is watched). */
  directory?: Directory;
  /** Open sockets one user may have on this replica (0: no cap). */
  maxSocketsPerUser: number;
  /** How often every open socket is checked (at most 1 s in production, see app.ts). */
  sweepMs: number;
  now: () => Date;
}

export { CLOSE_ACCESS_REVOKED, CLOSE_TOKEN_EXPIRED };

interface Session {
  socket: WebSocket;
  /** The request's user (its own copy): its role is kept current, so run limits and budgets use the directory's. */
  user: UserClaims;
}

type Verdict =
  | { ok: true }
  | { ok: false; close: boolean; code: ErrorCode; message: string; closeCode?: number; reason?: string };

const OK: Verdict = { ok: true };

/**
 * The identity side of the agent sockets: a per-user cap on open sockets, and a watch over every open
 * socket so that a token that expires, or a user the directory deactivates or demotes below REGULAR, does
 * not keep a socket that starts runs. A socket is checked before each run it asks for and every `sweepMs`;
 * one that lost access gets an `error` frame and is closed (4401 token expired, 4403 access revoked). While
 * the directory is stale, runs are refused but sockets stay open (a database outage is not a revocation).
 */
export class SocketSessions {
  readonly #options: SocketSessionsOptions;
  readonly #sessions = new Map<WebSocket, Session>();
  readonly #openByUser = new Map<number, number>();
  /** Connections that hold a slot: one each, however many upgrade attempts they carry. */
  readonly #holding = new WeakSet<Socket>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SocketSessionsOptions) {
    if (!(options.sweepMs > 0)) throw new TypeError("sweepMs must be > 0");
    this.#options = options;
  }

  /** Open (or opening) sockets of a user on this replica. */
  openSockets(userId: number): number {
    return this.#openByUser.get(userId) ?? 0;
  }

  /**
   * Before the upgrade: a slot for one more socket of the caller, or 429 when they have the most. The slot
   * is given back when the connection closes, whether the upgrade happened or not.
   */
  reserve(request: FastifyRequest): void {
    const { userId } = userOf(request);
    const connection = request.raw.socket as Socket | undefined;
    // An in-process injection (fastify.injectWS) has no connection to tie a slot to; a network client has.
    if (!connection || this.#holding.has(connection)) return;
    const open = this.openSockets(userId);
    const max = this.#options.maxSocketsPerUser;
    if (max > 0 && open >= max) {
      throw new AgentServiceError(
        "TOO_MANY_SOCKETS",
        `you have ${open} agent sockets open, the most one user may have (AGENT_MAX_SOCKETS_PER_USER); ` +
          "close one and try again",
      );
    }
    this.#openByUser.set(userId, open + 1);
    this.#holding.add(connection);
    connection.once("close", () => {
      const left = this.openSockets(userId) - 1;
      if (left > 0) this.#openByUser.set(userId, left);
      else this.#openByUser.delete(userId);
    });
  }

  /** After the upgrade: the socket is watched until it closes. */
  watch(socket: WebSocket, request: FastifyRequest): void {
    // A copy the watch keeps current (the verifier may share the claims object between requests).
    const user = { ...userOf(request) };
    request.user = user;
    this.#sessions.set(socket, { socket, user });
    socket.once("close", () => this.#sessions.delete(socket));
    this.#timer ??= setInterval(() => this.sweep(), this.#options.sweepMs);
    this.#timer.unref();
  }

  /**
   * Before a run starts: true when the socket's user may start one now. Otherwise the client has been told
   * why (an `error` frame), and the socket is closing when the access is gone for good.
   */
  mayRun(socket: WebSocket): boolean {
    const session = this.#sessions.get(socket);
    if (!session) return true; // not watched: the caller's setup has no identity checks
    return this.#enforce(session);
  }

  /** Checks every open socket (the timer calls this; tests call it after moving the clock). */
  sweep(): void {
    for (const session of this.#sessions.values()) {
      const verdict = this.#judge(session);
      if (!verdict.ok && verdict.close) this.#refuse(session, verdict);
    }
    if (this.#sessions.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #enforce(session: Session): boolean {
    const verdict = this.#judge(session);
    if (verdict.ok) return true;
    this.#refuse(session, verdict);
    return false;
  }

  #judge(session: Session): Verdict {
    const { user } = session;
    if (this.#options.now().getTime() >= user.exp * 1000) {
      return {
        ok: false,
        close: true,
        code: "TOKEN_EXPIRED",
        message: "your sign-in has expired: sign in again, then reconnect",
        closeCode: CLOSE_TOKEN_EXPIRED,
        reason: "token expired",
      };
    }
    const role = currentRole(this.#options.directory, user);
    if (role === "stale") {
      return {
        ok: false,
        close: false,
        code: "DIRECTORY_UNAVAILABLE",
        message: directoryUnavailable().message,
      };
    }
    if (!canUseAgents(role)) {
      return {
        ok: false,
        close: true,
        code: "ACCESS_REVOKED",
        message:
          role === "INACTIVE"
            ? "your account has been deactivated; ask an administrator to reactivate it"
            : `your role is now ${role}, which may not use agents`,
        closeCode: CLOSE_ACCESS_REVOKED,
        reason: role === "INACTIVE" ? "account deactivated" : "role may not use agents",
      };
    }
    user.role = role;
    return OK;
  }

  #refuse(session: Session, verdict: Exclude<Verdict, { ok: true }>): void {
    const { socket } = session;
    if (socket.readyState !== socket.OPEN) return;
    const frame: ServerFrame = { type: "error", error: verdict.message, code: verdict.code };
    socket.send(JSON.stringify(frame));
    if (verdict.close) {
      this.#sessions.delete(socket);
      socket.close(verdict.closeCode, verdict.reason);
    }
  }
}
