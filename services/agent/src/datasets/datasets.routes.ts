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
import { DatasetError, datasetTooLarge } from "./errors.ts";

export interface DatasetsRoutesDeps {
  store: DatasetStore;
  /** DATASET_MAX_BYTES: a larger upload is refused with 413, never read into memory. */
  maxBytes: number;
}

/** Raw-body uploads: the body is handed to the handler as a stream, unread. */
const RAW_TYPES = [
  "application/octet-stream",
  "text/csv",
  "text/tab-separated-values",
  "application/x-ndjson",
  "application/jsonl",
  "application/vnd.apache.parquet",
];
const UNSUPPORTED = Symbol("unsupported body");
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
  return async function datasetsPlugin(app: FastifyInstance): Promise<void> {
    const { store, maxBytes } = deps;
    await app.register(multipart, {
      limits: { fileSize: maxBytes + 1, files: 1, fields: 4, parts: 5, fieldSize: 1024, headerPairs: 100 },
    });
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
      },
      async (request, reply) => {
        const userId = requireUserId(request);
        const query = request.query as UploadDatasetQuery;
        let name = query.name;
        let body: Readable;
        if (request.isMultipart()) {
          const file = await request.file();
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
            { connection: "close" },
          );
        }
        if (!name) throw new DatasetError("DATASET_INVALID", "name the dataset: ?name=orders.csv");
        const record = await store.create(userId, {
          name,
          format: query.format as DatasetFormat | undefined,
          body,
          maxBytes,
        });
        return reply.code(201).send(toDataset(record));
      },
    );

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

function requireUserId(request: FastifyRequest): number {
  const user = request.user;
  if (!user) throw unauthorized("sign in first: this route needs a bearer token");
  return user.userId;
}
