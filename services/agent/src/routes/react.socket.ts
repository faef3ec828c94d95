import { isDatabaseUnreachable } from "@texera-agent/db";
import {
  AGENT_NOT_FOUND_TEXT,
  DELTAS_QUERY,
  decodeClientFrame,
  type ServerFrame,
} from "@texera-agent/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import type { FrameMeta } from "../cluster/envelope.ts";
import { AgentServiceError, databaseUnavailable } from "../errors.ts";
import type { SocketSessions } from "../identity/socket-sessions.ts";
import { sendCorked } from "../live/corked-send.ts";
import { type LiveAgents, sendTo, type Watcher } from "../live/live-agents.ts";
import type { AgentRecord } from "../repositories/index.ts";
import type { AgentsService } from "../services/agents.service.ts";
import type { RunsService } from "../services/runs.service.ts";
import { userOf } from "./request-user.ts";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The agent a WebSocket upgrade is for, loaded (and its owner checked) before the upgrade; null when the
     * caller has no such agent (the socket then says "Agent not found" and closes, as Texera's does).
     */
    agentRecord?: AgentRecord | null;
  }
}

export interface ReactSocketDeps {
  agents: AgentsService;
  runs: RunsService;
  live: LiveAgents;
  /** Default PING_INTERVAL_MS. */
  pingIntervalMs?: number;
  /** The per-user socket cap and the watch over each socket's user and token (src/identity). */
  sessions?: SocketSessions;
}

/**
 * WS /api/agents/:id/react, Texera's protocol. The token (access-token query parameter, or a ticket) and
 * the role are checked before the upgrade: a caller without them gets a plain HTTP 401/403 and no socket.
 * An authenticated caller naming an agent that does not exist or is not theirs gets what Texera's frontend
 * expects in both cases alike: the socket opens, one `{type:"error", error:"Agent not found"}`, a normal
 * close. Otherwise `init`, then the agent's live frames (`delta` only with `?deltas=1`). This module only
 * forwards: runs belong to RunsService, fan-out to LiveAgents. Closing the socket does not stop a run.
 */
export function reactSocket(app: FastifyInstance, deps: ReactSocketDeps): void {
  app.decorateRequest("agentRecord", undefined);
  keepAlive(app, deps.pingIntervalMs ?? PING_INTERVAL_MS);
  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    "/api/agents/:id/react",
    {
      websocket: true,
      config: { queryToken: true, ticket: true },
      preValidation: async (req: FastifyRequest<{ Params: { id: string } }>) => {
        try {
          req.agentRecord = await deps.agents.owned(userOf(req), req.params.id);
        } catch (error) {
          if ((error as { code?: string }).code !== "AGENT_NOT_FOUND") throw error;
          req.agentRecord = null;
        }
        // the per-user socket cap (src/identity), before the upgrade
        deps.sessions?.reserve(req);
      },
    },
    (socket, req) => {
      deps.sessions?.watch(socket, req);
      const record = req.agentRecord;
      if (!record) {
        socket.send(JSON.stringify({ type: "error", error: AGENT_NOT_FOUND_TEXT, code: "AGENT_NOT_FOUND" }));
        socket.close(1000, "agent not found");
        return;
      }
      const wantsDeltas = ["1", "true"].includes(String(req.query[DELTAS_QUERY] ?? ""));
      void watch(socket, record, wantsDeltas, deps, req);
    },
  );
}

async function watch(
  socket: WebSocket,
  record: AgentRecord,
  wantsDeltas: boolean,
  deps: ReactSocketDeps,
  req: FastifyRequest,
): Promise<void> {
  const { live, runs } = deps;
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
    deltas: wantsDeltas,
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
  const reply = (error: string, code: string) =>
    sendTo(watcher, JSON.stringify({ type: "error", error, code } satisfies ServerFrame));
  live.join(id, watcher);
  const partial = wantsDeltas ? runs.partial(id) : undefined;
  socket.on("close", () => live.leave(id, watcher));
  socket.on("error", () => closeAfterError(socket));

  socket.on("message", (data, isBinary) => {
    if (isBinary) return reply("send text frames of JSON", "BAD_FRAME");
    const decoded = decodeClientFrame(data.toString());
    if (!decoded.ok) return reply(decoded.error, "BAD_FRAME");
    const frame = decoded.value;
    if (frame.type === "stop") {
      runs.stop(id);
      return;
    }
    // the socket's user and token are checked again before a run (src/identity)
    if (deps.sessions && !deps.sessions.mayRun(socket)) return;
    runs.submit(id, userOf(req), frame.content, frame.messageSource ?? "chat", req).catch((error) => {
      if (error instanceof AgentServiceError) {
        return reply(error.code === "AGENT_NOT_FOUND" ? AGENT_NOT_FOUND_TEXT : error.message, error.code);
      }
      if (isDatabaseUnreachable(error)) {
        const unavailable = databaseUnavailable();
        return reply(unavailable.message, unavailable.code);
      }
      req.log.error({ err: error, agentId: id }, "could not start a run");
      reply("could not start the run; the service log has the details", "INTERNAL");
    });
  });

  /** init (state, every step, HEAD, results, workflow, agent), then what was queued meanwhile that it lacks. */
  async function sendInit(first: boolean): Promise<void> {
    queue ??= [];
    try {
      const current = (await deps.agents.reload(id)) ?? record;
      const init = await deps.agents.initFrame(current);
      const saved = init.steps.length > 0 ? init.steps[init.steps.length - 1]!.index + 1 : 0;
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
