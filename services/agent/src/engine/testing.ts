import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { emptyWorkflow, type Workflow } from "@texera-agent/protocol";
import type { DatasetRecord } from "../datasets/dataset-store.ts";
import { findOperatorType } from "../workflow/catalog.ts";
import { newOperator } from "../workflow/new-operator.ts";
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

/**
 * A workflow in Texera's format from compact operator and link lists: each operator built from the
 * catalog as the agent builds it (unknown types get one input port), link ids generated.
 */
export function workflow(ops: Op[], links: LinkSpec[] = []): Workflow {
  const operators = ops.map(([operatorId, operatorType, properties = {}]) => {
    const type = findOperatorType(operatorType) ?? {
      operatorType,
      userFriendlyName: operatorType,
      description: "",
      inputPorts: [{ displayName: "", disallowMultiLinks: true, dependencies: [] }],
      outputPorts: [{ displayName: "" }],
      jsonSchema: {},
      texeraSource: "",
    };
    return newOperator(type, operatorId, properties, type.userFriendlyName);
  });
  return {
    ...emptyWorkflow(),
    operators,
    links: links.map(([source, target, targetPort = 0], i) => ({
      linkID: `link-${i + 1}`,
      source: { operatorID: source, portID: "output-0" },
      target: { operatorID: target, portID: `input-${targetPort}` },
    })),
  };
}
