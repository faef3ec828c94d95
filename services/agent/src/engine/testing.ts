import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Workflow } from "@texera-agent/protocol";
import type { DatasetRecord } from "../datasets/dataset-store.ts";
import { Engine, type EngineOptions } from "./engine.ts";

/** An engine on a fresh temporary data folder; `cleanup` closes it and deletes the folder. */
export async function testEngine(options: Partial<EngineOptions> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "engine-test-"));
  const engine = await Engine.create({ dataDir, samplesDir: false, threads: 2, ...options });
  return {
    engine,
    dataDir,
    upload: (userId: number, name: string, content: string | Buffer): Promise<DatasetRecord> =>
      engine.datasets.create(userId, {
        name,
        body: Readable.from([Buffer.from(content)]),
        maxBytes: 10_000_000,
      }),
    cleanup() {
      engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Op = [operatorId: string, operatorType: string, properties?: Record<string, unknown>];
type LinkSpec = [source: string, target: string, targetPort?: number];

/** A workflow from compact operator and link lists (link ids are generated). */
export function workflow(ops: Op[], links: LinkSpec[] = []): Workflow {
  return {
    operators: ops.map(([operatorId, operatorType, properties = {}]) => ({
      operatorId,
      operatorType,
      properties,
    })),
    links: links.map(([source, target, targetPort = 0], i) => ({
      linkId: `link-${i + 1}`,
      source,
      target,
      targetPort,
    })),
  };
}
