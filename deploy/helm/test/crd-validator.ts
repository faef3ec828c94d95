// Validates rendered manifests against the openAPIV3Schema of their CustomResourceDefinition, as close to
// what the Kubernetes API server (with kubectl's default strict field validation) checks as a JSON Schema
// validator can get:
// - every object schema that lists its properties is closed (additionalProperties: false) unless it says
//   x-kubernetes-preserve-unknown-fields: an unknown or misspelled field is an error, as with kubectl;
// - x-kubernetes-list-type set/map are enforced (unique items, unique map keys), x-kubernetes-int-or-string
//   too, and the int32/int64/byte/date-time formats are checked;
// - metadata gets the API server's name, namespace and label checks.
// Not evaluated: x-kubernetes-validations (CEL rules). Tests assert the rules that matter for this chart.

import { readFileSync } from "node:fs";
import { Ajv, type AnySchemaObject, type SchemaValidateFunction, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

type Schema = Record<string, unknown>;

export interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> };
  [key: string]: unknown;
}

export interface CrdValidator {
  /** "group/version Kind" of every served version of the loaded CRDs. */
  readonly kinds: readonly string[];
  /** Whether a CRD covers this apiVersion and kind. */
  covers(manifest: Manifest): boolean;
  /** Errors of one manifest (empty when valid). Throws a TypeError when no loaded CRD covers it. */
  validate(manifest: Manifest): string[];
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Closes every object schema that lists properties, the way strict field validation treats it. */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== "object") return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    // "properties" maps field names to schemas: recurse into each schema, not into the map as a schema.
    if (key === "properties" && value && typeof value === "object") {
      out[key] = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, closeObjects(v)]));
    } else if (key === "default" || key === "enum" || key === "example") {
      out[key] = value;
    } else {
      out[key] = closeObjects(value);
    }
  }
  if (
    out.type === "object" &&
    out.properties !== undefined &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

function keyOf(item: unknown, keys: string[], itemSchema: Schema | undefined): string {
  const props = (itemSchema?.properties ?? {}) as Record<string, Schema>;
  return JSON.stringify(keys.map((k) => (item as Record<string, unknown>)?.[k] ?? props[k]?.default ?? null));
}

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  ajv.addFormat("int32", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat("byte", { type: "string", validate: (s: string) => BASE64.test(s) });
  ajv.addFormat("date-time", { type: "string", validate: (s: string) => RFC3339.test(s) });
  // Annotations that do not constrain a single value on their own.
  for (const keyword of [
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-validations",
  ]) {
    ajv.addKeyword({ keyword });
  }
  ajv.addKeyword({
    keyword: "x-kubernetes-int-or-string",
    schemaType: "boolean",
    errors: false,
    validate: (on: boolean, data: unknown) =>
      !on || typeof data === "string" || (typeof data === "number" && Number.isInteger(data)),
  });
  const listType: SchemaValidateFunction = (listKind: string, data: unknown, parent?: AnySchemaObject) => {
    if (!Array.isArray(data) || (listKind !== "set" && listKind !== "map")) return true;
    const itemSchema = parent?.items as Schema | undefined;
    const keys = (parent?.["x-kubernetes-list-map-keys"] as string[] | undefined) ?? [];
    const seen = new Set<string>();
    for (const item of data) {
      const key = listKind === "set" ? JSON.stringify(item) : keyOf(item, keys, itemSchema);
      if (seen.has(key)) {
        // ajv fills in instancePath and schemaPath of errors that leave them out.
        listType.errors = [
          {
            keyword: "x-kubernetes-list-type",
            message: `list-type ${listKind}: duplicate ${listKind === "set" ? "item" : `key ${keys.join(",")}`} ${key}`,
            params: {},
          },
        ];
        return false;
      }
      seen.add(key);
    }
    return true;
  };
  ajv.addKeyword({
    keyword: "x-kubernetes-list-type",
    schemaType: "string",
    validate: listType,
  });
  return ajv;
}

function metadataErrors(manifest: Manifest): string[] {
  const errors: string[] = [];
  const meta = manifest.metadata;
  if (!meta || typeof meta !== "object") return ["/metadata: required"];
  const { name, namespace, labels } = meta;
  if (typeof name !== "string" || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    errors.push(
      `/metadata/name: ${JSON.stringify(name)} is not a DNS-1123 subdomain of at most 253 characters`,
    );
  }
  if (
    namespace !== undefined &&
    (typeof namespace !== "string" || namespace.length > 63 || !DNS1123_LABEL.test(namespace))
  ) {
    errors.push(`/metadata/namespace: ${JSON.stringify(namespace)} is not a DNS-1123 label`);
  }
  for (const [key, value] of Object.entries(labels ?? {})) {
    const [prefix, label] = key.includes("/") ? key.split("/", 2) : [undefined, key];
    if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
      errors.push(`/metadata/labels: bad key prefix in ${key}`);
    }
    if (!label || label.length > 63 || !LABEL_NAME.test(label))
      errors.push(`/metadata/labels: bad key ${key}`);
    if (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value)) {
      errors.push(`/metadata/labels/${key}: ${JSON.stringify(value)} is not a valid label value`);
    }
  }
  return errors;
}

/** Loads the CRDs in `files` (YAML, one or more documents each) and compiles one validator per served version. */
export function createCrdValidator(files: readonly string[]): CrdValidator {
  const ajv = createAjv();
  const validators = new Map<string, ValidateFunction>();
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      const crd = doc.toJS() as {
        kind?: string;
        spec?: {
          group: string;
          names: { kind: string };
          versions: { name: string; served: boolean; schema?: { openAPIV3Schema?: Schema } }[];
        };
      } | null;
      if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
      for (const version of crd.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (!version.served || !schema) continue;
        const id = `${crd.spec.group}/${version.name} ${crd.spec.names.kind}`;
        validators.set(id, ajv.compile(closeObjects(schema) as Schema));
      }
    }
  }
  if (validators.size === 0) throw new TypeError(`no CustomResourceDefinition found in ${files.join(", ")}`);
  const idOf = (m: Manifest) => `${String(m.apiVersion)} ${String(m.kind)}`;
  return {
    kinds: [...validators.keys()],
    covers: (manifest) => validators.has(idOf(manifest)),
    validate(manifest) {
      const validate = validators.get(idOf(manifest));
      if (!validate) throw new TypeError(`no CRD loaded for ${idOf(manifest)}`);
      const errors = metadataErrors(manifest);
      if (!validate(manifest)) {
        for (const e of validate.errors ?? []) {
          const extra =
            e.keyword === "additionalProperties" ? ` (${String(e.params.additionalProperty)})` : "";
          errors.push(`${e.instancePath || "/"}: ${e.message}${extra}`);
        }
      }
      return errors;
    },
  };
}
