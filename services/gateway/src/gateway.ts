import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { redactingLogHooks, redactUrlTokens } from "@texera-agent/service-kit";
import { type DestinationStream, type Logger, pino } from "pino";
import { type AuthDecision, createAuthorizer } from "./authorize.ts";
import { bodyLimitFor, declaredLength, refuseTooLarge } from "./body-limits.ts";
import type { GatewayConfig } from "./config.ts";
import { forward } from "./forward.ts";
import { jsonErrorBody, sendJsonError, writeRawResponse } from "./respond.ts";
import { type Route, routeFor } from "./routes.ts";
import { serveStatic } from "./static-files.ts";
import { forwardUpgrade } from "./upgrade.ts";
import { createUpstreamPool } from "./upstream-pool.ts";

export interface Gateway {
  server: Server;
  /** Listens on config.host:config.port (0 picks a free port) and resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
}

/** The gateway's log: pino JSON lines in which any URL's credential parameters are redacted. */
export function createGatewayLogger(destination?: DestinationStream, level = "info"): Logger {
  const options = { name: "gateway", level, hooks: redactingLogHooks };
  return destination ? pino(options, destination) : pino(options);
}

const UNAVAILABLE = "access control is unavailable, so the request was not forwarded; try again shortly";

/**
 * The built-in gateway of `npm start`: the same contract as deploy/single-node/nginx.conf. Every
 * `/api/agents` request (REST or WebSocket upgrade) is authorized by a subrequest to access-control-service
 * first; only a 2xx answer lets it through, with `x-user-*` taken from that answer alone. agent-service
 * traffic is spread round-robin over its replicas (config.agentServiceUrls; see upstream-pool.ts).
 */
export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const log = options.logger ?? createGatewayLogger(undefined, config.logLevel);
  // One keep-alive pool per upstream server; agent-service may be several replicas, access control is one.
  const poolOptions = {
    failTimeoutMs: config.upstreamFailTimeoutMs,
    agent: { keepAlive: true, maxSockets: 256, maxFreeSockets: 64 },
  };
  const agentService = createUpstreamPool("agent-service", config.agentServiceUrls, poolOptions);
  const accessControl = createUpstreamPool("access-control-service", [config.accessControlUrl], poolOptions);
  const authorize = createAuthorizer({
    accessControlUrl: config.accessControlUrl,
    timeoutMs: config.authTimeoutMs,
    agent: accessControl.replicas[0]!.agent,
  });
  const upstreamOf = (route: Route & { upstream: string }) =>
    route.upstream === "agent" ? agentService : accessControl;

  async function check(req: IncomingMessage): Promise<AuthDecision> {
    const decision = await authorize({
      method: req.method ?? "GET",
      url: req.url ?? "/",
      authorization: req.headers.authorization,
    });
    if (decision.outcome === "unavailable") {
      log.warn({ reason: decision.reason }, "authorize subrequest failed; refusing (fail closed)");
    }
    return decision;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = routeFor(req.url ?? "/");
    switch (route.kind) {
      case "bad-path":
        return sendJsonError(
          res,
          400,
          "the path has dot segments, doubled or encoded slashes; send a plain path",
        );
      case "not-found":
        return sendJsonError(res, 404, `no such route: ${req.method} ${(req.url ?? "").split("?")[0]}`);
      case "static":
        return serveStatic(req, res, config.webDist);
      case "open":
        return forward(req, res, upstreamOf(route), {}, log);
      case "protected": {
        // Size first, as nginx does: an oversized body is refused before the subrequest and never forwarded.
        const limit = bodyLimitFor(req.url ?? "/", config);
        if ((declaredLength(req) ?? 0) > limit) return refuseTooLarge(req, res, limit);
        const decision = await check(req);
        if (res.destroyed) return;
        if (decision.outcome === "allow")
          return forward(req, res, upstreamOf(route), decision.identity, log, {
            maxBytes: limit,
            idleMs: config.bodyTimeoutMs,
          });
        if (decision.outcome === "deny") {
          res.writeHead(decision.statusCode, { ...decision.headers, "content-length": decision.body.length });
          res.end(decision.body);
          return;
        }
        return sendJsonError(res, decision.statusCode, UNAVAILABLE);
      }
    }
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const started = performance.now();
    socket.on("error", () => socket.destroy());
    const route = routeFor(req.url ?? "/");
    let status = 101;
    if (route.kind !== "protected") {
      status = route.kind === "bad-path" ? 400 : 404;
      const { headers, body } = jsonErrorBody("no WebSocket endpoint here");
      writeRawResponse(socket, status, headers, body);
    } else {
      const decision = await check(req);
      if (decision.outcome === "allow") {
        forwardUpgrade(req, socket, head, upstreamOf(route), decision.identity, log);
      } else if (decision.outcome === "deny") {
        status = decision.statusCode;
        writeRawResponse(socket, status, decision.headers, decision.body);
      } else {
        status = decision.statusCode;
        const { headers, body } = jsonErrorBody(UNAVAILABLE);
        writeRawResponse(socket, status, headers, body);
      }
    }
    log.info(
      { req: { method: req.method, url: redactUrlTokens(req.url ?? "") }, upgrade: true, status },
      `upgrade ${status} in ${(performance.now() - started).toFixed(1)} ms`,
    );
  }

  const server = createServer((req, res) => {
    // The access log line, one per request at info; nothing of it is built when that level is off.
    if (log.isLevelEnabled("info")) {
      const started = performance.now();
      res.on("close", () => {
        log.info(
          { req: { method: req.method, url: redactUrlTokens(req.url ?? "") }, status: res.statusCode },
          `request completed in ${(performance.now() - started).toFixed(1)} ms`,
        );
      });
    }
    onRequest(req, res).catch((error: unknown) => {
      log.error({ err: error }, "gateway error");
      if (!res.headersSent) sendJsonError(res, 500, "gateway error; the gateway log has the details");
      else res.destroy();
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(req, socket, head).catch((error: unknown) => {
      log.error({ err: error }, "gateway upgrade error");
      socket.destroy();
    });
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  // Long-lived WebSockets and slow agent answers: no cut-off of the whole request, whose body may be a large
  // upload; instead a body that stalls for bodyTimeoutMs is cut off (forward.ts), and headers must arrive
  // within 30 s.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;

  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          const host = config.host.includes(":") ? `[${config.host}]` : config.host;
          resolve(`http://${host}:${port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agentService.destroy();
        accessControl.destroy();
      }),
  };
}
