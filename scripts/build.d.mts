/** Source entry → built file, both relative to the repository. */
export const ENTRIES: Record<string, string>;
/** Builds every entry of ENTRIES with esbuild. */
export function buildAll(): Promise<void>;
