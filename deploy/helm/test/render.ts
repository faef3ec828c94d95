// Runs the real helm binary (scripts/helm.mjs) against the chart: `helm lint` and `helm template`.

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { helmBinary } from "../../../scripts/helm.mjs";
import type { Manifest } from "./crd-validator.ts";

const run = promisify(execFile);

export const chartDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = resolve(chartDir, "../..");

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export interface RenderOptions {
  /** Values, written to a temporary values file (JSON is YAML). */
  values?: Record<string, unknown>;
  release?: string;
  namespace?: string;
}

async function helm(args: string[], values: Record<string, unknown> | undefined): Promise<HelmResult> {
  const bin = await helmBinary();
  const dir = await mkdtemp(join(tmpdir(), "texera-helm-"));
  try {
    const valueArgs: string[] = [];
    if (values) {
      const file = join(dir, "values.json");
      await writeFile(file, JSON.stringify(values), { mode: 0o600 });
      valueArgs.push("--values", file);
    }
    // HOME and the helm cache/config point into the temporary folder: no state outside it.
    const env = {
      ...process.env,
      HELM_CACHE_HOME: join(dir, "cache"),
      HELM_CONFIG_HOME: join(dir, "config"),
      HELM_DATA_HOME: join(dir, "data"),
    };
    try {
      const { stdout, stderr } = await run(bin, [...args, ...valueArgs], {
        env,
        timeout: 15_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      return { ok: true, stdout, stderr };
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; code?: unknown };
      if (typeof e.code !== "number") throw error;
      return { ok: false, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function lint(values?: Record<string, unknown>): Promise<HelmResult> {
  return helm(["lint", "--strict", chartDir], values);
}

export function template(options: RenderOptions = {}): Promise<HelmResult> {
  return helm(
    ["template", options.release ?? "texera", chartDir, "--namespace", options.namespace ?? "texera"],
    options.values,
  );
}

/** Renders the chart and parses every non-empty document; throws with helm's message if rendering fails. */
export async function render(options: RenderOptions = {}): Promise<{ text: string; manifests: Manifest[] }> {
  const result = await template(options);
  if (!result.ok) throw new Error(`helm template failed: ${result.stderr}`);
  const manifests: Manifest[] = [];
  for (const doc of parseAllDocuments(result.stdout)) {
    if (doc.errors.length > 0) throw new Error(`unparsable YAML from helm: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as Manifest | null;
    if (value) manifests.push(value);
  }
  return { text: result.stdout, manifests };
}
