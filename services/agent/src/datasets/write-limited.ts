import { createWriteStream } from "node:fs";
import { finished, type Readable } from "node:stream";

/** Why the body of an upload could not be read to its end: always the client's side, never the disk's. */
export type BodyProblem = "too-large" | "cut-off" | "truncated" | "malformed";

/** The upload's body failed; `problem` says how. Disk errors are not BodyErrors (they are the server's). */
export class BodyError extends Error {
  constructor(
    readonly problem: BodyProblem,
    message: string,
  ) {
    super(message);
    this.name = "BodyError";
  }
}

/** Error codes of a client that went away: Node's request streams and @fastify/multipart's. */
const GONE = new Set(["ECONNRESET", "ERR_STREAM_PREMATURE_CLOSE", "FST_MP_PREMATURE_CLOSE", "ECONNABORTED"]);

/** Names what went wrong with a body stream (the request, or @fastify/multipart's file part). */
export function bodyError(error: unknown, maxBytes: number): BodyError {
  if (error instanceof BodyError) return error;
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message ?? String(error);
  if (code === "FST_REQ_FILE_TOO_LARGE") return new BodyError("too-large", `more than ${maxBytes} bytes`);
  if (typeof code === "string" && GONE.has(code)) {
    return new BodyError("cut-off", "the client closed the connection before the whole file arrived");
  }
  // busboy's words for a multipart body that stops before its closing boundary
  if (/terminated early|unexpected end of (multipart data|form)/i.test(message)) {
    return new BodyError(
      "truncated",
      "the multipart body ended before the file's closing boundary: the upload is incomplete",
    );
  }
  return new BodyError("malformed", `the body could not be read: ${message.split("\n")[0]}`);
}

/**
 * Streams `source` into a new file at `path`, with back-pressure, and resolves with the byte count.
 *
 * Every way the source can fail ends the promise, even one that happened before this was called (a
 * multipart part that busboy already destroyed): `finished` looks at the stream's state, not only at its
 * future events. Failures of the source reject with a BodyError; `signal` (the upload's time bounds)
 * rejects with its reason. Past `maxBytes` it stops reading (the source is paused, not destroyed, so that
 * an HTTP request can still be answered with a 413). On any failure the file's descriptor is closed before
 * the promise rejects; the caller deletes the file.
 */
export function writeLimited(
  source: Readable,
  path: string,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path, { flags: "wx" });
    let seen = 0;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      source.off("data", onData);
      stopWatching();
      signal?.removeEventListener("abort", onAbort);
      if (error === undefined) return resolve(seen);
      source.pause();
      // An error the source emits later (the client resetting) must not go unhandled.
      source.on("error", () => {});
      if (out.closed) return reject(error);
      out.once("close", () => reject(error));
      out.destroy();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) return finish(new BodyError("too-large", `more than ${maxBytes} bytes`));
      if (!out.write(chunk)) {
        source.pause();
        out.once("drain", () => {
          if (!done) source.resume();
        });
      }
    };
    const onAbort = () => finish(signal?.reason);
    const stopWatching = finished(source, { writable: false }, (error) => {
      if (error) finish(bodyError(error, maxBytes));
      else if (!done) out.end();
    });
    out.once("error", (error) => finish(error));
    out.once("finish", () => finish());
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    source.on("data", onData);
  });
}
