import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest, SimHttpError } from "./errors.ts";

export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new SimHttpError(413, `request body is larger than ${limit} bytes`, {
        type: "invalid_request_error",
        headers: { connection: "close" },
      });
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw badRequest("request body is empty: expected JSON");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Answers an error: SimHttpError as its LiteLLM body; anything else is a bug, answered 500. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  if (err instanceof SimHttpError) sendJson(res, err.status, err.body(), err.headers);
  else {
    const message = err instanceof Error ? err.message : String(err);
    sendJson(res, 500, new SimHttpError(500, `llm-sim internal error: ${message}`).body());
  }
}
