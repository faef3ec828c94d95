/**
 * Uploads that go wrong on the client's side (issue 11, items 1 and 7): a multipart body cut before its
 * closing boundary, a body that stalls or trickles, a client that goes away mid-upload, a JSON file sent as
 * application/json. Each is answered with a 4xx (or, for a client that left, logged as such), and leaves
 * no `.upload-*.part` file and no open file descriptor behind. Real sockets: the server is this process,
 * so its descriptors are /proc/self/fd.
 */
import { readdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { createSigner, createVerifier } from "@texera-agent/auth";
import { isDatabaseUnreachable } from "@texera-agent/db";
import { installAuthHook, installErrorHandling, loggerOptions } from "@texera-agent/service-kit";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testEngine } from "../engine/testing.ts";
import { datasetsRoutes } from "./datasets.routes.ts";

const secret = "upload-failures-test-secret-0123456789abcdef";
const sign = createSigner({ secret, expiresInMinutes: 5 });
const USER = 7;
const token = sign({ userName: "uploader", userId: USER, role: "REGULAR" }).token;
const MAX = 2_000_000;
const IDLE_MS = 400;
const TIMEOUT_MS = 1_500;
const BOUNDARY = "----upload-failures-boundary";

let t: Awaited<ReturnType<typeof testEngine>>;
let app: FastifyInstance;
let port: number;
const logLines: string[] = [];

beforeAll(async () => {
  t = await testEngine();
  // As services/agent/src/app.ts builds it: its body limit, its error handling (with the database check).
  app = Fastify({
    logger: loggerOptions({ level: "info", stream: { write: (line) => void logLines.push(line) } }),
    bodyLimit: 256 * 1024,
  });
  installErrorHandling(app, { unavailable: isDatabaseUnreachable });
  installAuthHook(app, { verify: createVerifier({ secret }) });
  await app.register(
    datasetsRoutes({
      store: t.engine.datasets,
      maxBytes: MAX,
      bounds: { idleMs: IDLE_MS, timeoutMs: TIMEOUT_MS },
    }),
  );
  // A sibling route, as agent-service's own: its JSON bodies must still be parsed as JSON.
  app.post("/api/agents/echo", async (request) => ({ parsed: request.body }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  port = (app.server.address() as { port: number }).port;
  // DuckDB opens its files on first use: one good upload first, so that later counts compare like with like.
  const warm = await send({ body: multipartBody("warm.csv", "a\n1\n"), ending: "answer" });
  expect(warm.status).toBe(201);
});
afterAll(async () => {
  await app.close();
  t.cleanup();
});

const openFds = () => readdirSync("/proc/self/fd").length;
const partFiles = () => {
  try {
    return readdirSync(join(t.dataDir, "datasets", String(USER))).filter((f) => f.endsWith(".part"));
  } catch {
    return [];
  }
};

/** The start of a multipart body with one file part, without the closing boundary (cut there). */
function multipartHead(fileName: string): string {
  return (
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
    "Content-Type: text/csv\r\n\r\n"
  );
}
function multipartBody(fileName: string, content: string): Buffer {
  return Buffer.from(`${multipartHead(fileName)}${content}\r\n--${BOUNDARY}--\r\n`);
}

interface SendOptions {
  body: Buffer;
  /** Content-Length to declare; default the body's length. */
  declared?: number;
  type?: string;
  url?: string;
  /** After the body: wait for the answer, keep the socket open for the answer, or reset the connection. */
  ending: "answer" | "reset";
  /** Write the body a byte at a time this many ms apart (a trickle) instead of at once. */
  trickleMs?: number;
  /** Give up after this long (the answer never came). */
  giveUpMs?: number;
}

/** One request on its own socket; resolves with the status (0: none) and how long the answer took. */
function send(options: SendOptions): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      clearInterval(trickle);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text, ms: performance.now() - started });
    };
    const giveUp = setTimeout(finish, options.giveUpMs ?? 5_000);
    let trickle: NodeJS.Timeout | undefined;
    socket.on("data", (d) => {
      text += d.toString();
      // one whole answer (head and a body of its content-length) is all a test needs
      const head = text.indexOf("\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? Number.NaN);
      if (head >= 0 && text.length - head - 4 >= length) finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
    socket.write(
      `POST ${options.url ?? "/api/agents/datasets"} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${token}\r\n` +
        `Content-Type: ${options.type ?? `multipart/form-data; boundary=${BOUNDARY}`}\r\n` +
        `Content-Length: ${options.declared ?? options.body.length}\r\n\r\n`,
    );
    const afterBody = () => {
      if (options.ending === "reset") setTimeout(() => socket.resetAndDestroy(), 50);
    };
    if (options.trickleMs) {
      let i = 0;
      trickle = setInterval(() => {
        if (i < options.body.length) socket.write(options.body.subarray(i, ++i));
        else {
          clearInterval(trickle);
          afterBody();
        }
      }, options.trickleMs);
    } else {
      socket.write(options.body);
      afterBody();
    }
  });
}

/**
 * Waits (briefly) for the server to close what it opened for requests that just ended, then says whether
 * it did: no more descriptors open than before, no partial file.
 */
async function leftBehind(fdsBefore: number): Promise<{ extraFds: number; parts: string[] }> {
  const until = performance.now() + 2_000;
  while (performance.now() < until && (openFds() > fdsBefore || partFiles().length > 0)) {
    await new Promise((r) => setTimeout(r, 25));
  }
  return { extraFds: Math.max(0, openFds() - fdsBefore), parts: partFiles() };
}

describe("a multipart body cut before its closing boundary", () => {
  it.each([
    ["small (one chunk)", 100],
    ["64 KB", 16 * 1024],
  ])("%s: answered 400 at once, no file or descriptor left", async (_label, rows) => {
    const fdsBefore = openFds();
    const cut = Buffer.from(`${multipartHead("cut.csv")}${"a,b\n".repeat(rows)}`);
    const r = await send({ body: cut, ending: "answer" });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text.slice(r.text.indexOf("\r\n\r\n") + 4)).error).toMatch(
      /ended before the file's closing boundary.*send the whole file again/,
    );
    expect(await leftBehind(fdsBefore)).toEqual({ extraFds: 0, parts: [] });
  });

  it("before the file part even starts: 400, not 500", async () => {
    const r = await send({
      body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-da`),
      ending: "answer",
    });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/multipart body ended before/);
  });

  it("20 at once leave the descriptors and the folder as they were", async () => {
    const fdsBefore = openFds();
    const cut = Buffer.from(`${multipartHead("cut.csv")}${"a,b\n".repeat(50)}`);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => send({ body: cut, ending: "answer" })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(400));
    expect(await leftBehind(fdsBefore)).toEqual({ extraFds: 0, parts: [] });
  });
});

describe("a body that stalls or trickles", () => {
  it("stalls after part of the file: 408 within the idle bound, partial file removed", async () => {
    const fdsBefore = openFds();
    const part = Buffer.from(`${multipartHead("stall.csv")}${"a,b\n".repeat(100)}`);
    const r = await send({ body: part, declared: part.length + 10_000, ending: "answer" });
    expect(r.status).toBe(408);
    expect(r.text).toMatch(/no byte of the upload arrived for 400 ms \(DATASET_UPLOAD_IDLE_MS\)/);
    expect(r.text).toMatch(/connection: close/i);
    expect(r.ms).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(r.ms).toBeLessThan(IDLE_MS + 3_000);
    expect(await leftBehind(fdsBefore)).toEqual({ extraFds: 0, parts: [] });
  });

  it("stalls before the file part (multipart headers only): 408", async () => {
    const r = await send({ body: Buffer.from(`--${BOUNDARY}\r\n`), declared: 5_000, ending: "answer" });
    expect(r.status).toBe(408);
  });

  it("stalls in a raw body: 408", async () => {
    const r = await send({
      url: "/api/agents/datasets?name=raw-stall.csv",
      type: "text/csv",
      body: Buffer.from("a,b\n1,2\n"),
      declared: 5_000,
      ending: "answer",
    });
    expect(r.status).toBe(408);
    expect(partFiles()).toEqual([]);
  });

  it("trickles a byte every 100 ms (never idle): 408 at the whole-upload bound", async () => {
    const body = Buffer.from(`${multipartHead("trickle.csv")}${"a,b\n".repeat(100)}`);
    const r = await send({ body, trickleMs: 100, ending: "answer" });
    expect(r.status).toBe(408);
    expect(r.text).toMatch(/took longer than 1500 ms \(DATASET_UPLOAD_TIMEOUT_MS\)/);
    expect(r.ms).toBeLessThan(TIMEOUT_MS + 3_000);
    expect(partFiles()).toEqual([]);
  });

  it("a slow but complete upload whose last byte arrives after the idle bound of its first is stored", async () => {
    const body = multipartBody("slow.csv", "a\n1\n2\n");
    const r = await send({ body, trickleMs: 5, ending: "answer" }); // about 0.9 s: past IDLE_MS in total
    expect(r.status).toBe(201);
    expect(r.text).toContain('"rowCount":2');
  });
});

describe("a client that goes away mid-upload", () => {
  it.each([
    ["multipart", undefined, "/api/agents/datasets"],
    ["raw body", "text/csv", "/api/agents/datasets?name=gone.csv"],
  ])("%s: file and descriptor released, and the log says the client left", async (_label, type, url) => {
    const fdsBefore = openFds();
    const linesBefore = logLines.length;
    const part = Buffer.from(`${type ? "" : multipartHead("gone.csv")}${"a,b\n".repeat(2_000)}`);
    const r = await send({ body: part, declared: part.length + 100_000, type, url, ending: "reset" });
    expect(r.status).toBe(0);
    expect(await leftBehind(fdsBefore)).toEqual({ extraFds: 0, parts: [] });
    const until = performance.now() + 2_000;
    const said = () => logLines.slice(linesBefore).join("");
    while (performance.now() < until && !said().includes("closed the connection")) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(said()).toContain("the client closed the connection during the upload");
    expect(said()).not.toContain("database is unreachable");
  });
});

describe("a JSON file sent as application/json", () => {
  const rows = (n: number) =>
    JSON.stringify(Array.from({ length: n }, (_, i) => ({ id: i, label: `row number ${i}` })));

  it.each([
    ["small", 3],
    ["larger than the service's JSON body limit (256 KB)", 20_000],
  ])("%s: stored as a dataset", async (label, n) => {
    const body = Buffer.from(rows(n));
    const r = await send({
      url: `/api/agents/datasets?name=${n}-rows.json`,
      type: "application/json; charset=utf-8",
      body,
      ending: "answer",
    });
    expect(r.status, `${label}: ${r.text.slice(0, 300)}`).toBe(201);
    expect(r.text).toContain(`"rowCount":${n}`);
    expect(r.text).toContain('"format":"json"');
  });

  it("only on the upload route: other routes still parse application/json bodies", async () => {
    const r = await app.inject({
      method: "POST",
      url: "/api/agents/echo",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload: { name: "A" },
    });
    expect(r.json()).toEqual({ parsed: { name: "A" } });
  });

  it("that is not JSON: 400 naming the format", async () => {
    const r = await send({
      url: "/api/agents/datasets?name=broken.json",
      type: "application/json",
      body: Buffer.from("{ not json"),
      ending: "answer",
    });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/could not read \\"broken.json\\" as JSON/);
  });
});
