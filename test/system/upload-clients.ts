/**
 * Upload clients for security-uploads.system.test.ts: one raw HTTP request per socket whose body can be cut
 * short, left stalled, or reset mid-way (things fetch will not do), and the multipart bytes to send.
 */
import { readdirSync } from "node:fs";
import { connect } from "node:net";

export const BOUNDARY = "----security-uploads-boundary";
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** The start of a multipart body with one CSV file part: cut here, it has no closing boundary. */
export function multipartHead(fileName: string): string {
  return (
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
    "Content-Type: text/csv\r\n\r\n"
  );
}

export function multipartBody(fileName: string, content: string): Buffer {
  return Buffer.from(`${multipartHead(fileName)}${content}\r\n--${BOUNDARY}--\r\n`);
}

export interface UploadRequest {
  port: number;
  token: string;
  body: Buffer;
  /** Default /api/agents/datasets. */
  path?: string;
  /** Default multipart. */
  type?: string;
  /** Content-Length to declare; default the body's length (more: the body is cut short). */
  declared?: number;
  /** After the body: keep the socket open for an answer, or reset it (a client that leaves). */
  ending: "answer" | "reset";
  /** Give up (and close) after this long without a whole answer. */
  giveUpMs?: number;
}

export interface UploadAnswer {
  /** 0: no answer before the socket closed or the client gave up. */
  status: number;
  head: string;
  body: string;
  ms: number;
}

/** One request on its own socket. */
export function upload(request: UploadRequest): Promise<UploadAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(request.port, "127.0.0.1");
    let text = "";
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      socket.destroy();
      const split = text.indexOf("\r\n\r\n");
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        head: split < 0 ? text : text.slice(0, split),
        body: split < 0 ? "" : text.slice(split + 4),
        ms: performance.now() - started,
      });
    };
    const giveUp = setTimeout(finish, request.giveUpMs ?? 10_000);
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => {
      text += d;
      const split = text.indexOf("\r\n\r\n");
      const length = Number(/content-length:\s*(\d+)/i.exec(text.slice(0, Math.max(split, 0)))?.[1]);
      if (split >= 0 && text.length - split - 4 >= length) finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
    socket.write(
      `POST ${request.path ?? "/api/agents/datasets"} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${request.token}\r\nContent-Type: ${request.type ?? MULTIPART_TYPE}\r\n` +
        `Content-Length: ${request.declared ?? request.body.length}\r\n\r\n`,
    );
    socket.write(request.body);
    if (request.ending === "reset") setTimeout(() => socket.resetAndDestroy(), 100);
  });
}

/** How many file descriptors a process has open (Linux). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
