import type { IncomingMessage, ServerResponse } from "node:http";
import type { AgentEnvValues } from "../config.schema.ts";
import { DatasetError } from "./errors.ts";

/** How long an upload's body may take to arrive. */
export interface UploadBounds {
  /** DATASET_UPLOAD_IDLE_MS: no byte of the body for this long answers 408. */
  idleMs: number;
  /** DATASET_UPLOAD_TIMEOUT_MS: the whole body not in after this long answers 408. */
  timeoutMs: number;
}

export const UPLOAD_BOUNDS_DEFAULTS: UploadBounds = { idleMs: 30_000, timeoutMs: 600_000 };

/** The bounds from the service's environment, checked at start-up by its schema (config.schema.ts). */
export function loadUploadBounds(vars: AgentEnvValues): UploadBounds {
  return { idleMs: vars.DATASET_UPLOAD_IDLE_MS, timeoutMs: vars.DATASET_UPLOAD_TIMEOUT_MS };
}

export function checkUploadBounds(bounds: UploadBounds): void {
  for (const [name, value] of Object.entries(bounds)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`upload bounds: ${name} must be a whole number of milliseconds ≥ 1`);
    }
  }
}

export interface UploadWatch {
  /** Aborted, with a 408 DatasetError as its reason, when the body stalls or takes too long. */
  signal: AbortSignal;
  /** Call once the body is read (or the upload failed), before answering. */
  stop(): void;
}

/**
 * Watches the arrival of one upload's body. Idleness is the socket's own inactivity timer (as the gateway
 * does), read on the request: Node emits it there only while the body is incomplete.
 */
export function watchUpload(req: IncomingMessage, res: ServerResponse, bounds: UploadBounds): UploadWatch {
  const controller = new AbortController();
  const abort = (why: string) => {
    if (!req.complete) {
      controller.abort(
        new DatasetError("DATASET_UPLOAD_TIMEOUT", `${why}; send the file again without long pauses`, {
          connection: "close",
        }),
      );
    }
  };
  const onIdle = () =>
    abort(`no byte of the upload arrived for ${bounds.idleMs} ms (DATASET_UPLOAD_IDLE_MS)`);
  // With a listener here, Node leaves a timed-out socket to us instead of destroying it: the body may be
  // complete while DuckDB still reads the file, and the answer must still go out.
  const keepSocket = () => {};
  // app.inject's requests have no socket that could stall: only the whole-upload bound applies to them.
  const socket = typeof req.socket?.setTimeout === "function" ? req.socket : undefined;
  const socketTimeoutBefore = socket?.timeout ?? 0;
  if (socket) {
    req.on("timeout", onIdle);
    socket.setTimeout(bounds.idleMs);
    res.on("timeout", keepSocket);
  }
  const deadline = setTimeout(
    () => abort(`the upload took longer than ${bounds.timeoutMs} ms (DATASET_UPLOAD_TIMEOUT_MS)`),
    bounds.timeoutMs,
  );
  return {
    signal: controller.signal,
    stop() {
      clearTimeout(deadline);
      if (!socket) return;
      req.off("timeout", onIdle);
      res.off("timeout", keepSocket);
      socket.setTimeout(socketTimeoutBefore);
    },
  };
}

/** `work`, or the signal's reason as soon as it is aborted. */
export function unlessAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
