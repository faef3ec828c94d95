/** Reads a whole number from the environment, or stops start-up with a message that names the variable. */
export function intFromEnv(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
