/**
 * Texera names a dataset file `/<owner email>/<dataset name>/<version name>/<path in the dataset>`
 * (the fileName of its scans, e.g. "/alice@example.com/sales/v1/sales.csv";
 * ../shared/TEXERA-AGENT-API.md §7.3). The dataset names this service may look for, most specific first:
 * "<dataset>/<path>", then "<path>", then "<dataset>". Undefined when `fileName` is not of that form
 * (or has an empty, "." or ".." segment). The owner segment is not trusted: the caller's own datasets
 * are the only ones searched.
 */
export function texeraDatasetCandidates(fileName: string): string[] | undefined {
  if (!fileName.startsWith("/")) return undefined;
  const segments = fileName.slice(1).split("/");
  if (segments.length < 4) return undefined;
  if (segments.some((s) => s === "" || s === "." || s === ".." || s.includes("\\") || s.includes("\u0000"))) {
    return undefined;
  }
  const [owner, dataset, , ...path] = segments;
  if (!owner?.includes("@")) return undefined;
  const file = path.join("/");
  return [...new Set([`${dataset}/${file}`, file, dataset!])];
}
