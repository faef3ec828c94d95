import { readdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { createSigner, createVerifier, type Role } from "@texera-agent/auth";
import { installAuthHook, installErrorHandling } from "@texera-agent/service-kit";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SAMPLES_DIR } from "../engine/engine.ts";
import { executeWorkflow } from "../engine/execute-workflow.ts";
import { testEngine, workflow } from "../engine/testing.ts";
import { datasetsRoutes } from "./datasets.routes.ts";

const secret = "datasets-routes-test-secret-0123456789abcdef";
const sign = createSigner({ secret, expiresInMinutes: 5 });
const token = (userId: number, role: Role = "REGULAR") =>
  sign({ userName: `u${userId}`, userId, role }).token;
const auth = (userId: number) => ({ authorization: `Bearer ${token(userId)}` });
const MAX = 4_000;
const ALICE = 1;
const BOB = 2;

let t: Awaited<ReturnType<typeof testEngine>>;
let app: FastifyInstance;
beforeAll(async () => {
  t = await testEngine({ samplesDir: DEFAULT_SAMPLES_DIR });
  app = Fastify();
  installErrorHandling(app);
  installAuthHook(app, { verify: createVerifier({ secret }) });
  await app.register(datasetsRoutes({ store: t.engine.datasets, maxBytes: MAX }));
  await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await app.close();
  t.cleanup();
});

const upload = (userId: number, name: string, body: string | Buffer, type = "application/octet-stream") =>
  app.inject({
    method: "POST",
    url: `/api/agents/datasets?name=${encodeURIComponent(name)}`,
    headers: { ...auth(userId), "content-type": type },
    payload: body,
  });

function multipart(fileName: string, content: string, extra: Record<string, string> = {}) {
  const boundary = "----test-boundary-42";
  const fields = Object.entries(extra).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  const body =
    fields.join("") +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
    `Content-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`;
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

describe("upload, list, describe, delete", () => {
  it("stores a raw CSV upload with inferred types and row count", async () => {
    const r = await upload(ALICE, "orders.csv", "id,region,amount\n1,EU,9.5\n2,US,3\n");
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({
      name: "orders.csv",
      format: "csv",
      rowCount: 2,
      sample: false,
      columns: [
        { name: "id", type: "BIGINT" },
        { name: "region", type: "VARCHAR" },
        { name: "amount", type: "DOUBLE" },
      ],
    });
    expect(r.json()).not.toHaveProperty("path");
    const one = await app.inject({ url: `/api/agents/datasets/${r.json().id}`, headers: auth(ALICE) });
    expect(one.json()).toEqual(r.json());
  });

  it("takes multipart uploads, JSON and Parquet", async () => {
    const m = multipart("regions.csv", "region,manager\nEU,Ann\n");
    const r = await app.inject({
      method: "POST",
      url: "/api/agents/datasets",
      headers: { ...auth(ALICE), "content-type": m.type },
      payload: m.body,
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ name: "regions.csv", rowCount: 1 });
    const named = multipart("whatever.bin", "a\n1\n", { name: "renamed.csv" });
    const r2 = await app.inject({
      method: "POST",
      url: "/api/agents/datasets",
      headers: { ...auth(ALICE), "content-type": named.type },
      payload: named.body,
    });
    expect(r2.json()).toMatchObject({ name: "renamed.csv", format: "csv" });
    const j = await upload(
      ALICE,
      "events.json",
      '[{"k":"a","v":1.5},{"k":"b","v":2}]',
      "application/octet-stream",
    );
    expect(j.json()).toMatchObject({
      format: "json",
      rowCount: 2,
      columns: [{ name: "k" }, { name: "v", type: "DOUBLE" }],
    });
  });

  it("lists the user's datasets and the samples, and deletes only the user's own", async () => {
    const list = await app.inject({ url: "/api/agents/datasets", headers: auth(ALICE) });
    const names = list
      .json()
      .datasets.map((d: { name: string; sample: boolean }) => `${d.name}${d.sample ? "*" : ""}`);
    expect(names).toEqual(
      expect.arrayContaining(["orders.csv", "regions.csv", "products.parquet*", "sales.csv*"]),
    );
    // the user's own orders.csv hides the sample of that name
    expect(names).not.toContain("orders.csv*");
    const sample = list.json().datasets.find((d: { name: string }) => d.name === "products.parquet");
    expect(sample.columns).toContainEqual({ name: "launched", type: "DATE" });
    const refused = await app.inject({
      method: "DELETE",
      url: `/api/agents/datasets/${sample.id}`,
      headers: auth(ALICE),
    });
    expect(refused.statusCode).toBe(403);

    const regions = list.json().datasets.find((d: { name: string }) => d.name === "regions.csv");
    const del = await app.inject({
      method: "DELETE",
      url: `/api/agents/datasets/${regions.id}`,
      headers: auth(ALICE),
    });
    expect(del.statusCode).toBe(204);
    const gone = await app.inject({ url: `/api/agents/datasets/${regions.id}`, headers: auth(ALICE) });
    expect(gone.statusCode).toBe(404);
  });

  it("refuses bad uploads with a 4xx that says why", async () => {
    const cases: [Awaited<ReturnType<typeof upload>>, number, RegExp][] = [
      [await upload(ALICE, "../evil.csv", "a\n1\n"), 400, /not a path/],
      [await upload(ALICE, "/etc/x.csv", "a\n1\n"), 400, /not a path/],
      [await upload(ALICE, "notes.xlsx", "a\n1\n"), 415, /not a file the agent can read: upload CSV/],
      // issue 16: a .txt file was taken as a CSV of 0 rows
      [
        await upload(ALICE, "notes.txt", "Meeting notes\n"),
        415,
        /not a file the agent can read.*rename it to \.csv/,
      ],
      [await upload(ALICE, "header.csv", "id,region\n"), 400, /has no rows as CSV/],
      [
        await upload(ALICE, "picture.csv", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2])),
        415,
        /not a text file/,
      ],
      [await upload(ALICE, "list.json", "[]"), 400, /has no rows as JSON/],
      [await upload(ALICE, "orders.csv", "a\n1\n"), 409, /already have a dataset named "orders.csv"/],
      [
        await upload(ALICE, "broken.parquet", "this is not parquet"),
        400,
        /could not read "broken.parquet" as PARQUET/,
      ],
      [await upload(ALICE, "empty.csv", ""), 400, /empty/],
      [await upload(ALICE, "x.csv", "a\n1\n", "application/xml"), 415, /multipart\/form-data/],
    ];
    for (const [r, status, message] of cases) {
      expect(r.statusCode).toBe(status);
      expect(r.json().error).toMatch(message);
    }
    const noName = await app.inject({
      method: "POST",
      url: "/api/agents/datasets",
      headers: { ...auth(ALICE), "content-type": "application/octet-stream" },
      payload: "a\n",
    });
    expect(noName.statusCode).toBe(400);
  });

  it("needs a token of a user who may use agents", async () => {
    expect((await app.inject({ url: "/api/agents/datasets" })).statusCode).toBe(401);
    const restricted = await app.inject({
      url: "/api/agents/datasets",
      headers: { authorization: `Bearer ${token(ALICE, "RESTRICTED")}` },
    });
    expect(restricted.statusCode).toBe(403);
  });
});

describe("size limit", () => {
  /** Sends raw HTTP; resolves with the response text and how many body bytes the client got to write. */
  function rawRequest(head: string, body: { chunk: Buffer; times: number }) {
    return new Promise<{ response: string; written: number }>((resolve) => {
      const { port } = app.server.address() as { port: number };
      const socket = connect(port, "127.0.0.1");
      let response = "";
      let written = 0;
      let ended = false;
      const finish = () => {
        if (ended) return;
        ended = true;
        resolve({ response, written });
      };
      socket.on("data", (d) => {
        response += d.toString();
      });
      socket.on("error", finish);
      socket.on("close", finish);
      socket.write(head);
      const pump = () => {
        while (!ended && !socket.destroyed && written < body.chunk.length * body.times) {
          written += body.chunk.length;
          if (!socket.write(body.chunk)) return void socket.once("drain", pump);
        }
      };
      pump();
      setTimeout(() => socket.destroy(), 5_000);
    });
  }
  const filesOf = (userId: number) => {
    try {
      return readdirSync(join(t.dataDir, "datasets", String(userId)));
    } catch {
      return [];
    }
  };

  it("refuses a declared length over the limit before reading the body", async () => {
    const started = performance.now();
    const { response } = await rawRequest(
      `POST /api/agents/datasets?name=big.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(BOB)}\r\n` +
        "Content-Type: application/octet-stream\r\nContent-Length: 1000000000\r\n\r\n",
      { chunk: Buffer.alloc(16 * 1024, 97), times: 4 },
    );
    expect(response).toMatch(/^HTTP\/1.1 413/);
    expect(response).toContain("larger than the limit of 4000 bytes");
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it("cuts a chunked upload that goes over the limit, keeps nothing, and stops reading", async () => {
    const chunk = Buffer.from(`${(64 * 1024).toString(16)}\r\n${"a".repeat(64 * 1024)}\r\n`);
    const total = chunk.length * 800; // about 52 MB offered
    const { response, written } = await rawRequest(
      `POST /api/agents/datasets?name=big.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(BOB)}\r\n` +
        "Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n",
      { chunk, times: 800 },
    );
    expect(response).toMatch(/^HTTP\/1.1 413/);
    // The server stopped reading: only what the socket buffers took got written (a few MB of 52).
    expect(written).toBeLessThan(total / 4);
    expect(filesOf(BOB)).toEqual([]);
  });

  it("cuts a multipart upload over the limit", async () => {
    const m = multipart("big.csv", `a\n${"1\n".repeat(MAX)}`);
    const r = await app.inject({
      method: "POST",
      url: "/api/agents/datasets",
      headers: { ...auth(BOB), "content-type": m.type },
      payload: m.body,
    });
    expect(r.statusCode).toBe(413);
    expect(filesOf(BOB)).toEqual([]);
  });
});

describe("one user cannot read another's dataset", () => {
  it("by id, name or path, over REST and in a workflow", async () => {
    const mine = (await upload(ALICE, "secret.csv", "code\nTOPSECRET\n")).json();
    const bobGet = await app.inject({ url: `/api/agents/datasets/${mine.id}`, headers: auth(BOB) });
    const missing = await app.inject({
      url: "/api/agents/datasets/00000000-0000-4000-8000-000000000000",
      headers: auth(BOB),
    });
    expect(bobGet.statusCode).toBe(404);
    expect(bobGet.json().error.replace(mine.id, "ID")).toBe(missing.json().error.replace(/"[^"]+"/, '"ID"'));
    expect(
      (await app.inject({ method: "DELETE", url: `/api/agents/datasets/${mine.id}`, headers: auth(BOB) }))
        .statusCode,
    ).toBe(404);
    const bobList = await app.inject({ url: "/api/agents/datasets", headers: auth(BOB) });
    expect(bobList.json().datasets.map((d: { name: string }) => d.name)).not.toContain("secret.csv");

    const path = join(t.dataDir, "datasets", String(ALICE), `${mine.id}.csv`);
    const attempts = [
      "secret.csv",
      mine.id,
      `../${ALICE}/${mine.id}.csv`,
      `${ALICE}/${mine.id}.csv`,
      path,
      `datasets/${ALICE}/${mine.id}.csv`,
    ];
    for (const fileName of attempts) {
      const error = await executeWorkflow(t.engine, {
        workflow: workflow([["s", "CSVFileScan", { fileName }]]),
        userId: BOB,
      }).catch((e: unknown) => e);
      expect(["unknown_dataset", "invalid_path", "invalid_properties"]).toContain(
        (error as { code: string }).code,
      );
      expect(String((error as Error).message)).not.toContain("TOPSECRET");
    }
    const own = await executeWorkflow(t.engine, {
      workflow: workflow([["s", "CSVFileScan", { fileName: "secret.csv" }]]),
      userId: ALICE,
    });
    expect(own.results[0]?.rows).toEqual([["TOPSECRET"]]);
  });
});
