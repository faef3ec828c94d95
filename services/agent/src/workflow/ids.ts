/** Ids the agent chooses for operators: `op<n>`, as Texera's agent requires (workflow-crud-tools.ts:124-135). */
export const AGENT_OPERATOR_ID = /^op\d{1,9}$/;

/**
 * `${prefix}${n}` with n one more than the highest number already used with that prefix, so ids stay short
 * and readable (`op1`, `op2`; `link-1`, `link-2`) and a new id never equals an existing one.
 */
export function nextId(prefix: string, existing: Iterable<string>): string {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\d{1,9})$`);
  let highest = 0;
  const taken = new Set<string>();
  for (const id of existing) {
    taken.add(id);
    const match = pattern.exec(id);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  let n = highest + 1;
  while (taken.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}
