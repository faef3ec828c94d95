/** "CSVFileScan" → "csv-file-scan", "HashJoin" → "hash-join". */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase();
}

/**
 * `${prefix}-${n}` with n one more than the highest number already used with that prefix, so ids stay short
 * and readable (`filter-1`, `filter-2`) and a new id never equals an existing one.
 */
export function nextId(prefix: string, existing: Iterable<string>): string {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d{1,9})$`);
  let highest = 0;
  const taken = new Set<string>();
  for (const id of existing) {
    taken.add(id);
    const match = pattern.exec(id);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  let n = highest + 1;
  while (taken.has(`${prefix}-${n}`)) n++;
  return `${prefix}-${n}`;
}
