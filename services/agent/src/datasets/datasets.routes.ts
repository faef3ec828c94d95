import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import multipart from "@fastify/multipart";
import { unauthorized } from "@texera-agent/service-kit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  type DatasetFormat,
  DatasetIdParams,
  type DatasetList,
  UploadDatasetQuery,
} from "../engine/protocol.ts";
import { type DatasetStore, toDataset } from "./dataset-store.ts";
import { DatasetError, datasetBodyError, datasetTooLarge } from "./errors.ts";
import {
  checkUploadBounds,
  UPLOAD_BOUNDS_DEFAULTS,
  type UploadBounds,
  unlessAborted,
  watchUpload,
} from "./upload-bounds.ts";
import { bodyError } from "./write-limited.ts";

export interface DatasetsRoutesDeps {
  store: DatasetStore;
  /** DATASET_MAX_BYTES: a larger upload is refused with 413, never read into memory. */
  maxBytes: number;
  /** DATASET_UPLOAD_IDLE_MS and DATASET_UPLOAD_TIMEOUT_MS (default UPLOAD_BOUNDS_DEFAULTS). */
  bounds?: UploadBounds;
}

/** Raw-body uploads: the body is handed to the handler as a stream, unread. */
const RAW_TYPES = [
  "application/octet-stream",
  "application/json",
  "text/csv",
  "text/tab-separated-values",
  "application/x-ndjson",
  "application/jsonl",
  "application/vnd.apache.parquet",
];
const UNSUPPORTED = Symbol("unsupported body");
/** How long the rest of a refused body is read and dropped before the connection closes. */
const LINGER_MS = 5_000;
/** Room for the multipart boundaries and part headers around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * The dataset routes, under /api/agents so that the gateway's and the service's auth apply (the service's
 * auth hook must be installed on the parent: these routes only read request.user). Register with
 * `app.register(datasetsRoutes({ store, maxBytes }))`; the multipart and raw-body parsers stay inside.
 */
export function datasetsRoutes(deps: DatasetsRoutesDeps) {
  if (!Number.isSafeInteger(deps.maxBytes) || deps.maxBytes < 1) {
    throw new TypeError("datasetsRoutes: maxBytes must be a whole number of bytes ≥ 1");
  }
  const bounds = deps.bounds ?? UPLOAD_BOUNDS_DEFAULTS;
  checkUploadBounds(bounds);
  return async function datasetsPlugin(app: FastifyInstance): Promise<void> {
    const { store, maxBytes } = deps;
    await app.register(multipart, {
      limits: { fileSize: maxBytes + 1, files: 1, fields: 4, parts: 5, fieldSize: 1024, headerPairs: 100 },
    });
    // A .json dataset sent as application/json is a file like any other: streamed, not parsed as a request.
    // (Only inside this plugin: every other route keeps Fastify's JSON parser.)
    app.removeContentTypeParser("application/json");
    app.addContentTypeParser(RAW_TYPES, (_request, payload, done) => done(null, payload));
    // Any other type reaches the handler unread, which refuses it with a message about uploads.
    app.addContentTypeParser("*", (_request, _payload, done) => done(null, UNSUPPORTED));

    app.post(
      "/api/agents/datasets",
      {
        schema: { querystring: UploadDatasetQuery },
        // Before any byte of the body is read: a declared length over the limit is refused at once.
        preParsing: async (request) => {
          const declared = Number(request.headers["content-length"]);
          const multipartBody = request.headers["content-type"]?.startsWith("multipart/") ?? false;
          if (declared > maxBytes + (multipartBody ? MULTIPART_OVERHEAD : 0)) throw datasetTooLarge(maxBytes);
        },
        onResponse: async (request) => lingerAfterEarlyAnswer(request.raw),
      },
      async (request, reply) => {
        requireUserId(request);
        const watch = watchUpload(request.raw, reply.raw, bounds);
        try {
          const record = await receive(request, watch.signal);
          return reply.code(201).send(toDataset(record));
        } catch (error) {
          if ((error as DatasetError).code === "DATASET_UPLOAD_CUT_OFF") {
            request.log.info(
              "the client closed the connection during the upload; its partial file was removed",
            );
          }
          throw error;
        } finally {
          watch.stop();
        }
      },
    );

    /** Reads the upload's body (a file part or the raw body) into the store; `signal` ends the reading. */
    async function receive(request: FastifyRequest, signal: AbortSignal) {
      const userId = requireUserId(request);
      const query = request.query as UploadDatasetQuery;
      let name = query.name;
      let body: Readable;
      if (request.isMultipart()) {
        let file: Awaited<ReturnType<FastifyRequest["file"]>>;
        try {
          file = await unlessAborted(signal, request.file());
        } catch (error) {
          // busboy's own errors (a body cut before the file part, a missing boundary) are the client's
          if (error instanceof DatasetError) throw error;
          throw datasetBodyError(bodyError(error, maxBytes), maxBytes);
        }
        if (!file) throw new DatasetError("DATASET_INVALID", "the multipart body has no file part");
        const field = file.fields.name;
        const fieldName =
          field && !Array.isArray(field) && field.type === "field" ? String(field.value) : undefined;
        name ??= fieldName ?? file.filename;
        body = file.file;
      } else if (
        request.body !== UNSUPPORTED &&
        typeof (request.body as Readable | undefined)?.pipe === "function"
      ) {
        body = request.body as Readable;
      } else {
        throw new DatasetError(
          "DATASET_UNSUPPORTED_MEDIA",
          "send the file as multipart/form-data (a file part) or as a raw body (application/octet-stream) with ?name=",
        );
      }
      if (!name) {
        body.resume();
        throw new DatasetError("DATASET_INVALID", "name the dataset: ?name=orders.csv");
      }
      try {
        return await store.create(userId, {
          name,
          format: query.format as DatasetFormat | undefined,
          body,
          maxBytes,
          signal,
        });
      } catch (error) {
        // Refused before its end (name taken, bad format…): drop the rest of the file, so that a multipart
        // body does not sit blocked behind its unread part while the answer goes out.
        const closes = error instanceof DatasetError && error.headers.connection === "close";
        if (!closes) body.resume();
        throw error;
      }
    }

    app.get("/api/agents/datasets", async (request): Promise<DatasetList> => {
      const records = await store.list(requireUserId(request));
      return { datasets: records.map(toDataset) };
    });

    app.get("/api/agents/datasets/:id", { schema: { params: DatasetIdParams } }, async (request) => {
      const { id } = request.params as DatasetIdParams;
      return toDataset(await store.get(requireUserId(request), id));
    });

    app.delete(
      "/api/agents/datasets/:id",
      { schema: { params: DatasetIdParams } },
      async (request, reply) => {
        const { id } = request.params as DatasetIdParams;
        await store.remove(requireUserId(request), id);
        return reply.code(204).send();
      },
    );
  };
}

/**
 * An answer sent before the whole body (a refusal: a bad name, a taken name, an unsupported type) leaves the
 * rest of the body for Node to read and drop, so that the client (or the gateway, still streaming it) gets
 * the answer instead of a connection reset. That reading is bounded, as nginx's lingering close: after
 * LINGER_MS the connection is closed. Answers that close at once (413, 408) carry `Connection: close`.
 */
function lingerAfterEarlyAnswer(req: IncomingMessage): void {
  // app.inject's requests have no socket to close
  if (req.complete || req.destroyed || typeof req.socket?.destroy !== "function") return;
  const stop = setTimeout(() => req.socket.destroy(), LINGER_MS);
  stop.unref();
  req.once("end", () => clearTimeout(stop));
  req.once("close", () => clearTimeout(stop));
}

function requireUserId(request: FastifyRequest): number {
  const user = request.user;
  if (!user) throw unauthorized("sign in first: this route needs a bearer token");
  return user.userId;
}
