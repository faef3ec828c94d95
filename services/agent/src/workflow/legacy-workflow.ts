import type { Link, Operator, Workflow } from "@texera-agent/protocol";
import { emptyWorkflow } from "@texera-agent/protocol";
import { findOperatorType, type OperatorType } from "./catalog.ts";
import { placeNewOperators } from "./layout.ts";
import { newOperator } from "./new-operator.ts";

/*
 * The workflow format this service stored before it took Texera's (up to migration 006): operators
 * `{operatorId, operatorType, properties, displayName}`, links `{linkId, source, target, targetPort}`,
 * with operator types and properties of its own. Used only by migration 007; kept as it was written then.
 */
interface LegacyOperator {
  operatorId: string;
  operatorType: string;
  properties: Record<string, unknown>;
  displayName?: string;
}
interface LegacyLink {
  linkId: string;
  source: string;
  target: string;
  targetPort?: number;
}
export interface LegacyWorkflow {
  operators: LegacyOperator[];
  links: LegacyLink[];
}

/** Prefix of an operator type kept as it was because Texera has no equivalent; no Texera type has a ":". */
export const LEGACY_TYPE_PREFIX = "agent-legacy:";

/** Whether stored JSON is in the old format (and not Texera's). */
export function isLegacyWorkflow(value: unknown): value is LegacyWorkflow {
  if (!value || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v.operators) || !Array.isArray(v.links)) return false;
  if ("operatorPositions" in v || "settings" in v) return false;
  const op = v.operators[0] as Record<string, unknown> | undefined;
  const link = v.links[0] as Record<string, unknown> | undefined;
  return (op === undefined || "operatorId" in op) && (link === undefined || "linkId" in link);
}

/**
 * The same workflow in Texera's format, nothing dropped: each operator becomes Texera's operator with
 * the same id and Texera's property names (a Filter whose conditions were AND-ed becomes a chain of
 * Filters, one per condition, the last keeping the id; a "contains" condition becomes SubstringSearch).
 * An operator Texera cannot express (an OR over "contains", a Limit with an offset, an unknown type) is
 * kept whole under `agent-legacy:<type>` with its old properties, so the workflow reports it instead of
 * losing it. Display names become customDisplayName; positions are laid out.
 */
export function fromLegacyWorkflow(old: LegacyWorkflow): Workflow {
  const wf = emptyWorkflow();
  const links: Link[] = [];
  const ids = new Set(old.operators.map((o) => o.operatorId));
  let linkCount = 0;
  const linkId = () => {
    let id: string;
    do id = `link-migrated-${++linkCount}`;
    while (old.links.some((l) => l.linkId === id));
    return id;
  };
  const link = (linkID: string, source: string, target: Operator, port: number) => {
    links.push({
      linkID,
      source: { operatorID: source, portID: "output-0" },
      target: { operatorID: target.operatorID, portID: target.inputPorts[port]?.portID ?? `input-${port}` },
    });
  };
  /** The operator that reads each old operator's input port (the head of a chain). */
  const head = new Map<string, Operator>();
  for (const op of old.operators) {
    const chain = convert(op, ids);
    wf.operators.push(...chain);
    head.set(op.operatorId, chain[0]!);
    for (let i = 1; i < chain.length; i++) link(linkId(), chain[i - 1]!.operatorID, chain[i]!, 0);
  }
  for (const l of old.links) {
    const target = head.get(l.target);
    const port = target?.operatorType === "Union" ? 0 : (l.targetPort ?? 0);
    if (target) link(l.linkId, l.source, target, port);
    else {
      links.push({
        linkID: l.linkId,
        source: { operatorID: l.source, portID: "output-0" },
        target: { operatorID: l.target, portID: `input-${l.targetPort ?? 0}` },
      });
    }
  }
  wf.links = links;
  wf.operatorPositions = placeNewOperators(wf);
  return wf;
}

function convert(op: LegacyOperator, ids: Set<string>): Operator[] {
  const p = op.properties ?? {};
  const name = op.displayName;
  const texera = (type: string, properties: Record<string, unknown>, id = op.operatorId): Operator => {
    const t = findOperatorType(type) as OperatorType;
    return newOperator(t, id, properties, name ?? t.userFriendlyName);
  };
  const kept = (): Operator[] => [
    {
      operatorID: op.operatorId,
      operatorType: `${LEGACY_TYPE_PREFIX}${op.operatorType}`,
      operatorVersion: "N/A",
      operatorProperties: p,
      inputPorts: [0, 1]
        .slice(0, op.operatorType === "HashJoin" || op.operatorType === "Union" ? 2 : 1)
        .map((i) => ({
          portID: `input-${i}`,
          displayName: "",
          disallowMultiInputs: true,
          isDynamicPort: false,
          dependencies: [],
        })),
      outputPorts: [
        { portID: "output-0", displayName: "", disallowMultiInputs: false, isDynamicPort: false },
      ],
      showAdvanced: false,
      isDisabled: false,
      ...(name === undefined ? {} : { customDisplayName: name }),
    },
  ];
  const scan = (type: string, extra: Record<string, unknown>) => [
    texera(type, { fileName: p.fileName, fileEncoding: "UTF_8", ...extra }),
  ];
  switch (op.operatorType) {
    case "CSVFileScan":
      return scan("CSVFileScan", {
        customDelimiter: typeof p.delimiter === "string" ? p.delimiter : ",",
        hasHeader: p.hasHeader !== false,
      });
    case "JSONFileScan":
      return scan("JSONLFileScan", { flatten: false });
    case "ParquetFileScan":
      return [texera("ParquetFileScan", { fileName: p.fileName })];
    case "Filter": {
      const conditions = (p.conditions ?? []) as { attribute: string; condition: string; value?: unknown }[];
      const predicate = (c: (typeof conditions)[number]) => ({
        attribute: c.attribute,
        condition: c.condition,
        ...(c.value === undefined ? {} : { value: String(c.value) }),
      });
      const contains = (c: (typeof conditions)[number]) => c.condition === "contains";
      if (p.combine === "OR" || conditions.length <= 1) {
        if (conditions.length === 1 && contains(conditions[0]!)) {
          const c = conditions[0]!;
          return [
            texera("SubstringSearch", {
              attribute: c.attribute,
              substring: String(c.value ?? ""),
              isCaseSensitive: true,
            }),
          ];
        }
        if (conditions.some(contains)) return kept();
        return [texera("Filter", { predicates: conditions.map(predicate) })];
      }
      // AND: one operator per condition, chained; the last keeps the old id so links out of it stay.
      return conditions.map((c, i) => {
        const last = i === conditions.length - 1;
        let id = op.operatorId;
        if (!last) {
          let n = i + 1;
          do id = `${op.operatorId}-and-${n++}`;
          while (ids.has(id));
          ids.add(id);
        }
        return contains(c)
          ? texera(
              "SubstringSearch",
              { attribute: c.attribute, substring: String(c.value ?? ""), isCaseSensitive: true },
              id,
            )
          : texera("Filter", { predicates: [predicate(c)] }, id);
      });
    }
    case "Projection":
      return [
        texera("Projection", {
          isDrop: false,
          attributes: ((p.attributes ?? []) as string[]).map((a) => ({ originalAttribute: a, alias: "" })),
        }),
      ];
    case "Aggregate":
      return [
        texera("Aggregate", {
          aggregations: (
            (p.aggregations ?? []) as { attribute: string; function: string; resultAttribute: string }[]
          ).map((a) =>
            a.attribute === "*"
              ? { aggFunction: "count(*)", "result attribute": a.resultAttribute }
              : { aggFunction: a.function, attribute: a.attribute, "result attribute": a.resultAttribute },
          ),
          groupByKeys: p.groupByKeys ?? [],
        }),
      ];
    case "Sort":
      return [
        texera("Sort", {
          attributes: ((p.sortKeys ?? []) as { attribute: string; order?: string }[]).map((k) => ({
            attribute: k.attribute,
            sortPreference: k.order === "desc" ? "DESC" : "ASC",
          })),
        }),
      ];
    case "Limit":
      return typeof p.offset === "number" && p.offset > 0 ? kept() : [texera("Limit", { limit: p.limit })];
    case "HashJoin":
      return [
        texera("HashJoin", {
          buildAttributeName: p.leftAttribute,
          probeAttributeName: p.rightAttribute,
          joinType:
            { left: "left outer", right: "right outer", full: "full outer" }[String(p.joinType)] ?? "inner",
        }),
      ];
    case "Distinct":
      return [texera("Distinct", {})];
    case "Union":
      return [texera("Union", {})];
    default:
      return kept();
  }
}
