import { createWriteStream } from "node:fs";
import type { Readable } from "node:stream";

export class TooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes`);
    this.name = "TooLarge";
  }
}

export class CutOff extends Error {
  constructor() {
    super("the upload ended before its end (the client went away)");
    this.name = "CutOff";
  }
}

/**
 * Streams `source` into a new file at `path`, with back-pressure, and resolves with the byte count.
 * Past `maxBytes` it stops reading (the source is paused, not destroyed, so that an HTTP request can
 * still be answered with a 413 and its connection closed) and rejects with TooLarge. The caller deletes
 * the file on failure.
 */
export function writeLimited(source: Readable, path: string, maxBytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path, { flags: "wx" });
    let seen = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      source.off("data", onData);
      source.off("end", onEnd);
      source.off("close", onClose);
      if (error) {
        source.pause();
        out.destroy();
        reject(error);
      } else {
        resolve(seen);
      }
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) return finish(new TooLarge(maxBytes));
      if (!out.write(chunk)) {
        source.pause();
        out.once("drain", () => {
          if (!done) source.resume();
        });
      }
    };
    const onEnd = () => out.end();
    const onClose = () => {
      if (!source.readableEnded) finish(new CutOff());
    };
    source.on("data", onData);
    source.once("end", onEnd);
    source.once("close", onClose);
    source.once("error", (error: Error) =>
      finish((error as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE" ? new TooLarge(maxBytes) : error),
    );
    out.once("error", (error) => finish(error));
    out.once("finish", () => finish());
  });
}
