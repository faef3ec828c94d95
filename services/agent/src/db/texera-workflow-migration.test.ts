import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateToLatest, openDatabase } from "@texera-agent/db";
import { createTestDatabase } from "@texera-agent/db/testing";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeWorkflow } from "../engine/execute-workflow.ts";
import { testEngine } from "../engine/testing.ts";
import { createRepositories } from "../repositories/index.ts";
import { expectTexeraWorkflow } from "../workflow/texera-frontend.testing.ts";
import { validateWorkflow } from "../workflow/validate-workflow.ts";
import { migrations } from "./migrations.ts";
import { openAgentDatabase } from "./open-agent-database.ts";

/*
 * A database as the main branch before migration 007 wrote it: its migrations 001-006, and workflow rows
 * in its format, exactly as its tools stored them (ids `<kebab-type>-<n>`, links `{linkId, source, target,
 * targetPort}`, its own property names; see workflow/legacy-workflow.ts). Then today's code opens it.
 */
const BEFORE = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < "007"));
const AGENTS = {
  pipeline: "aaaaaaaa-0000-4000-8000-000000000001",
  odd: "aaaaaaaa-0000-4000-8000-000000000002",
  empty: "aaaaaaaa-0000-4000-8000-000000000003",
  broken: "aaaaaaaa-0000-4000-8000-000000000004",
};
const USER = 9;

const PIPELINE = {
  operators: [
    {
      operatorId: "csv-file-scan-1",
      operatorType: "CSVFileScan",
      displayName: "Orders",
      properties: { fileName: "orders.csv", delimiter: ",", hasHeader: true },
    },
    {
      operatorId: "csv-file-scan-2",
      operatorType: "CSVFileScan",
      displayName: "CSV File Scan",
      properties: { fileName: "regions.csv", delimiter: ";", hasHeader: true },
    },
    {
      operatorId: "filter-1",
      operatorType: "Filter",
      displayName: "Big",
      properties: {
        conditions: [
          { attribute: "amount", condition: ">", value: 10 },
          { attribute: "region", condition: "contains", value: "o" },
        ],
        combine: "AND",
      },
    },
    {
      operatorId: "hash-join-1",
      operatorType: "HashJoin",
      displayName: "Hash Join",
      properties: { leftAttribute: "region", rightAttribute: "name", joinType: "left" },
    },
    {
      operatorId: "aggregate-1",
      operatorType: "Aggregate",
      displayName: "Aggregate",
      properties: {
        groupByKeys: ["manager"],
        aggregations: [
          { attribute: "amount", function: "sum", resultAttribute: "total" },
          { attribute: "*", function: "count", resultAttribute: "n" },
        ],
      },
    },
    {
      operatorId: "sort-1",
      operatorType: "Sort",
      displayName: "Sort",
      properties: { sortKeys: [{ attribute: "total", order: "desc" }] },
    },
    {
      operatorId: "projection-1",
      operatorType: "Projection",
      displayName: "Projection",
      properties: { attributes: ["manager", "total"] },
    },
    {
      operatorId: "limit-1",
      operatorType: "Limit",
      displayName: "Limit",
      properties: { limit: 5, offset: 0 },
    },
  ],
  links: [
    { linkId: "link-1", source: "csv-file-scan-1", target: "filter-1", targetPort: 0 },
    { linkId: "link-2", source: "filter-1", target: "hash-join-1", targetPort: 0 },
    { linkId: "link-3", source: "csv-file-scan-2", target: "hash-join-1", targetPort: 1 },
    { linkId: "link-4", source: "hash-join-1", target: "aggregate-1", targetPort: 0 },
    { linkId: "link-5", source: "aggregate-1", target: "sort-1", targetPort: 0 },
    { linkId: "link-6", source: "sort-1", target: "projection-1", targetPort: 0 },
    { linkId: "link-7", source: "projection-1", target: "limit-1", targetPort: 0 },
  ],
};
const ODD = {
  operators: [
    { operatorId: "json-file-scan-1", operatorType: "JSONFileScan", properties: { fileName: "e.json" } },
    {
      operatorId: "parquet-file-scan-1",
      operatorType: "ParquetFileScan",
      properties: { fileName: "p.parquet" },
    },
    { operatorId: "union-1", operatorType: "Union", properties: {} },
    {
      operatorId: "filter-1",
      operatorType: "Filter",
      properties: {
        conditions: [
          { attribute: "a", condition: "contains", value: "x" },
          { attribute: "b", condition: "=", value: true },
        ],
        combine: "OR",
      },
    },
    { operatorId: "limit-1", operatorType: "Limit", properties: { limit: 3, offset: 2 } },
    { operatorId: "distinct-1", operatorType: "Distinct", properties: {} },
  ],
  links: [
    { linkId: "link-1", source: "json-file-scan-1", target: "union-1", targetPort: 0 },
    { linkId: "link-2", source: "parquet-file-scan-1", target: "union-1", targetPort: 1 },
    { linkId: "link-3", source: "union-1", target: "filter-1", targetPort: 0 },
    { linkId: "link-4", source: "filter-1", target: "limit-1", targetPort: 0 },
    { linkId: "link-5", source: "limit-1", target: "distinct-1", targetPort: 0 },
  ],
};

const PG = process.env.TEST_POSTGRES_URL;
const dialects = [
  { name: "SQLite", url: async () => undefined, skip: false },
  { name: "PostgreSQL", url: async () => createTestDatabase(PG!, "agent"), skip: !PG },
];

let t: Awaited<ReturnType<typeof testEngine>>;
beforeAll(async () => {
  t = await testEngine();
  await t.upload(
    USER,
    "orders.csv",
    "id,region,amount\n1,north,5\n2,north,20\n3,south,30\n4,east,40\n5,south,50\n",
  );
  await t.upload(USER, "regions.csv", "name;manager\nnorth;Ann\nsouth;Bob\n");
});
afterAll(() => t.cleanup());

for (const dialect of dialects) {
  describe.skipIf(dialect.skip)(`migration 007 on ${dialect.name}`, () => {
    let dir: string;
    let url: string | undefined;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "migrate-007-"));
      url = await dialect.url();
      const old = openDatabase<unknown>({ url, dataDir: dir, fileName: "agent.sqlite" });
      const db = old.db as Kysely<Record<string, Record<string, unknown>>>;
      await migrateToLatest(old.db, "agent", BEFORE);
      const rows: [string, string][] = [
        [AGENTS.pipeline, JSON.stringify(PIPELINE)],
        [AGENTS.odd, JSON.stringify(ODD)],
        [AGENTS.empty, JSON.stringify({ operators: [], links: [] })],
        [AGENTS.broken, "{not json"],
      ];
      for (const [id, json] of rows) {
        await db
          .insertInto("agents")
          .values({
            id,
            owner_id: USER,
            name: "a",
            model_type: "m",
            settings: "{}",
            created_at: "2030-01-01T00:00:00Z",
          })
          .execute();
        await db
          .insertInto("workflows")
          .values({ agent_id: id, json, updated_at: "2030-01-01T00:00:00Z" })
          .execute();
      }
      await old.close();
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("turns every stored workflow into Texera's format, losing nothing, and it runs as before", async () => {
      const database = await openAgentDatabase({ url, dataDir: dir });
      try {
        const repos = createRepositories(database.sql);
        const wf = await repos.workflows.get(AGENTS.pipeline);
        expectTexeraWorkflow(wf);
        expect(validateWorkflow(wf)).toEqual([]);
        // the AND filter became a chain: "amount > 10", then the substring test, which keeps the old id
        expect(wf.operators.map((o) => [o.operatorID, o.operatorType, o.customDisplayName])).toEqual([
          ["csv-file-scan-1", "CSVFileScan", "Orders"],
          ["csv-file-scan-2", "CSVFileScan", "CSV File Scan"],
          ["filter-1-and-1", "Filter", "Big"],
          ["filter-1", "SubstringSearch", "Big"],
          ["hash-join-1", "HashJoin", "Hash Join"],
          ["aggregate-1", "Aggregate", "Aggregate"],
          ["sort-1", "Sort", "Sort"],
          ["projection-1", "Projection", "Projection"],
          ["limit-1", "Limit", "Limit"],
        ]);
        const props = Object.fromEntries(wf.operators.map((o) => [o.operatorID, o.operatorProperties]));
        expect(props["csv-file-scan-2"]).toEqual({
          fileName: "regions.csv",
          fileEncoding: "UTF_8",
          customDelimiter: ";",
          hasHeader: true,
        });
        expect(props["filter-1-and-1"]).toEqual({
          predicates: [{ attribute: "amount", condition: ">", value: "10" }],
        });
        expect(props["filter-1"]).toEqual({ attribute: "region", substring: "o", isCaseSensitive: true });
        expect(props["hash-join-1"]).toEqual({
          buildAttributeName: "region",
          probeAttributeName: "name",
          joinType: "left outer",
        });
        expect(props["aggregate-1"]).toEqual({
          aggregations: [
            { aggFunction: "sum", attribute: "amount", "result attribute": "total" },
            { aggFunction: "count(*)", "result attribute": "n" },
          ],
          groupByKeys: ["manager"],
        });
        expect(props["sort-1"]).toEqual({ attributes: [{ attribute: "total", sortPreference: "DESC" }] });
        expect(props["projection-1"]).toEqual({
          isDrop: false,
          attributes: [
            { originalAttribute: "manager", alias: "" },
            { originalAttribute: "total", alias: "" },
          ],
        });
        expect(props["limit-1"]).toEqual({ limit: 5 });
        // every old link is still there under its id, into the port it went to
        for (const old of PIPELINE.links) {
          const link = wf.links.find((l) => l.linkID === old.linkId)!;
          const target = old.target === "filter-1" ? "filter-1-and-1" : old.target;
          expect([link.source.operatorID, link.target.operatorID, link.target.portID]).toEqual([
            old.source,
            target,
            `input-${old.targetPort}`,
          ]);
        }
        const ran = await executeWorkflow(t.engine, { workflow: wf, userId: USER });
        // orders over 10 whose region contains "o": north 20, south 30, south 50; joined to managers
        expect(ran.results.find((r) => r.operatorId === "limit-1")?.rows).toEqual([
          ["Bob", 80],
          ["Ann", 20],
        ]);

        const odd = await repos.workflows.get(AGENTS.odd);
        expect(odd.operators.map((o) => [o.operatorID, o.operatorType])).toEqual([
          ["json-file-scan-1", "JSONLFileScan"],
          ["parquet-file-scan-1", "ParquetFileScan"],
          ["union-1", "Union"],
          ["filter-1", "agent-legacy:Filter"],
          ["limit-1", "agent-legacy:Limit"],
          ["distinct-1", "Distinct"],
        ]);
        // what Texera cannot express is kept whole, and reported rather than run
        expect(odd.operators[3]!.operatorProperties).toEqual(ODD.operators[3]!.properties);
        expect(odd.operators[4]!.operatorProperties).toEqual({ limit: 3, offset: 2 });
        expect(
          odd.links.filter((l) => l.target.operatorID === "union-1").map((l) => l.target.portID),
        ).toEqual(["input-0", "input-0"]);
        expect(validateWorkflow(odd)).toContain(
          'filter-1 has the operator type "agent-legacy:Filter", which this service cannot run',
        );
        expect(Object.keys(odd.operatorPositions)).toHaveLength(6);

        expect(await repos.workflows.get(AGENTS.empty)).toEqual({
          operators: [],
          operatorPositions: {},
          links: [],
          commentBoxes: [],
          settings: { dataTransferBatchSize: 400 },
        });
        const [broken] = await database.db
          .selectFrom("workflows")
          .select("json")
          .where("agent_id", "=", AGENTS.broken)
          .execute();
        expect(broken?.json).toBe("{not json");
      } finally {
        await database.close();
      }
      // opening again runs nothing twice and changes nothing
      const again = await openAgentDatabase({ url, dataDir: dir });
      try {
        const wf = await createRepositories(again.sql).workflows.get(AGENTS.pipeline);
        expect(wf.operators).toHaveLength(9);
      } finally {
        await again.close();
      }
    });
  });
}
