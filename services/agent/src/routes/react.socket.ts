import { isDatabaseUnreachable } from "@texera-agent/db";
import { decodeClientFrame, type ServerFrame } from "@texera-agent/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import type { FrameMeta } from "../cluster/envelope.ts";
import { AgentServiceError, databaseUnavailable } from "../errors.ts";
import type { SocketSessions } from "../identity/socket-sessions.ts";
import type { RunGate } from "../limits/run-gate.ts";
import { sendCorked } from "../live/corked-send.ts";
import { type LiveAgents, sendTo, type Watcher } from "../live/live-agents.ts";
import type { AgentRecord, Repositories } from "../repositories/index.ts";
import type { AgentsService } from "../services/agents.service.ts";
import type { RunsService } from "../services/runs.service.ts";
import { userOf } from "./request-user.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The agent a WebSocket upgrade is for, loaded (and its owner checked) before the upgrade. */
    agentRecord?: AgentRecord;
  }
}

export interface ReactSocketDeps {
  agents: AgentsService;
  runs: RunsService;
  live: LiveAgents;
  repos: Repositories;
  /** Run limits and the audit log: a refused run is an `error` frame (RATE_LIMITED), nothing starts. */
  gate?: RunGate;
  /** Default PING_INTERVAL_MS. */
  pingIntervalMs?: number;
  /** The per-user socket cap and the watch over each socket's user and token (src/identity). */
  sessions?: SocketSessions;
}

/**
 * WS /api/agents/:id/react. The token (access-token query parameter), the role and the ownership are all
 * decided before the upgrade, so a refused caller gets a plain HTTP 401/403/404 and no socket. A socket
 * gets `init` (agent, state, saved steps, workflow, then the text of a step in progress), then the live
 * frames of the agent. Closing the socket does not stop a run.
 */
export function reactSocket(app: FastifyInstance, deps: ReactSocketDeps): void {
  app.decorateRequest("agentRecord", undefined);
  keepAlive(app, deps.pingIntervalMs ?? PING_INTERVAL_MS);
  app.get<{ Params: { id: string } }>(
    "/api/agents/:id/react",
    {
      websocket: true,
      config: { queryToken: true, ticket: true },
      preValidation: async (req: FastifyRequest<{ Params: { id: string } }>) => {
        req.agentRecord = await deps.agents.owned(userOf(req), req.params.id);
        deps.sessions?.reserve(req);
      },
    },
    (socket, req) => {
      deps.sessions?.watch(socket, req);
      void watch(socket, req.agentRecord!, userOf(req).userId, deps, req);
    },
  );
}

async function watch(
  socket: WebSocket,
  record: AgentRecord,
  userId: number,
  deps: ReactSocketDeps,
  req: FastifyRequest,
): Promise<void> {
  const { live, runs, repos } = deps;
  const id = record.id;
  // Frames that arrive while init is being read wait here, so none is lost or comes before init.
  let queue: { data: string; urgent: boolean; meta: FrameMeta | undefined }[] | undefined = [];
  // The index of the last step this socket has: a step frame it already has (its init held it, or it came
  // from two replicas around a database outage) is not sent again.
  let lastStep = -1;
  const deliver = (data: string, urgent: boolean, meta: FrameMeta | undefined) => {
    if (meta?.step !== undefined) {
      if (meta.step <= lastStep) return;
      lastStep = meta.step;
    } else if (meta?.init !== undefined) {
      lastStep = meta.init;
    }
    sendCorked(socket, data, urgent);
  };
  let loading: Promise<void> | undefined;
  let again = false;
  const watcher: Watcher = {
    send: (data, urgent, meta) => {
      if (queue) queue.push({ data, urgent: urgent === true, meta });
      else deliver(data, urgent === true, meta);
    },
    close: (code, reason) => socket.close(code, reason),
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    resync: () => {
      if (loading) again = true;
      else loading = sendInit(false);
    },
  };
  const reply = (frame: ServerFrame) => sendTo(watcher, JSON.stringify(frame));
  const agent = live.join(id, watcher);
  const partial = agent.deltas?.sent && { ...agent.deltas.sent };
  socket.on("close", () => live.leave(id, watcher));
  socket.on("error", () => closeAfterError(socket));

  socket.on("message", (data, isBinary) => {
    if (isBinary) return reply({ type: "error", message: "send text frames of JSON", code: "BAD_FRAME" });
    const decoded = decodeClientFrame(data.toString());
    if (!decoded.ok) return reply({ type: "error", message: decoded.error, code: "BAD_FRAME" });
    const frame = decoded.value;
    if (frame.type === "stop") {
      runs.stop(id);
      return;
    }
    if (deps.sessions && !deps.sessions.mayRun(socket)) return;
    void (async () => {
      try {
        // The settings may have changed since the socket opened: read the agent again.
        const current = await repos.agents.findById(id);
        if (!current)
          return reply({ type: "error", message: "the agent was deleted", code: "AGENT_NOT_FOUND" });
        const lease = await runs.reserve(id);
        // Once start is called, the run (or start's refusal) gives the lease back; a limit refusal before it
        // gives it back here.
        let started = false;
        const start = () => {
          started = true;
          return runs.start(current, userId, frame.content, lease);
        };
        try {
          if (deps.gate) await deps.gate.start(req, current, frame.content, start);
          else start();
        } finally {
          if (!started) lease.release();
        }
      } catch (error) {
        if (error instanceof AgentServiceError)
          return reply({ type: "error", message: error.message, code: error.code });
        if (isDatabaseUnreachable(error)) {
          const unavailable = databaseUnavailable();
          return reply({ type: "error", message: unavailable.message, code: unavailable.code });
        }
        req.log.error({ err: error, agentId: id }, "could not start a run");
        reply({
          type: "error",
          message: "could not start the run; the service log has the details",
          code: "INTERNAL",
        });
      }
    })();
  });

  /** init (agent, state, saved steps, workflow), then what was queued meanwhile that it does not hold. */
  async function sendInit(first: boolean): Promise<void> {
    queue ??= [];
    try {
      const [steps, workflow] = await Promise.all([repos.steps.list(id), repos.workflows.get(id)]);
      const state = live.state(id);
      const init: ServerFrame = { type: "init", agent: deps.agents.dto(record), state, steps, workflow };
      const saved = steps.length > 0 ? steps[steps.length - 1]!.index + 1 : 0;
      const pending = queue;
      queue = undefined;
      if (socket.readyState !== socket.OPEN) return;
      deliver(JSON.stringify(init), false, { init: saved - 1 });
      if (first && partial && partial.index >= saved) {
        deliver(JSON.stringify({ type: "delta", ...partial }), false, { delta: partial.index });
      }
      for (const p of pending) {
        if (p.meta?.delta !== undefined && p.meta.delta < saved) continue;
        deliver(p.data, p.urgent, p.meta);
      }
    } catch (error) {
      queue = undefined;
      req.log.error({ err: error, agentId: id }, "could not load an agent for its socket");
      socket.close(1011, "could not load the agent");
    } finally {
      loading = undefined;
      if (again) {
        again = false;
        watcher.resync?.();
      }
    }
  }
  loading = sendInit(true);
  await loading;
}

/** How often every socket is pinged; one that has not answered the previous ping is dropped. */
export const PING_INTERVAL_MS = 30_000;

/**
 * Pings keep idle sockets open through proxies (nginx and Envoy close quiet connections) and find peers
 * that vanished without a close.
 */
function keepAlive(app: FastifyInstance, intervalMs: number): void {
  const awaitingPong = new WeakSet<WebSocket>();
  app.websocketServer.on("connection", (socket: WebSocket) => {
    socket.on("pong", () => awaitingPong.delete(socket));
  });
  const timer = setInterval(() => {
    for (const socket of app.websocketServer.clients) {
      if (awaitingPong.has(socket)) {
        socket.terminate();
        continue;
      }
      awaitingPong.add(socket);
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));
}

/**
 * A socket error. For a client's protocol mistake (a frame over the size limit, a bad frame) ws has already
 * sent the close frame with its code (1009, 1002, …) and closes the connection after the handshake: cutting
 * it here would lose that frame (the client would see 1006). Anything else is cut at once.
 */
export function closeAfterError(socket: { readyState: number; CLOSING: number; terminate(): void }): void {
  if (socket.readyState === socket.CLOSING) return;
  socket.terminate();
}
