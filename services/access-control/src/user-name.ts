/**
 * The form a user name is compared in: ASCII letters lowercased, nothing else touched. Names are ASCII
 * (`UserName` in @texera-agent/protocol), and SQLite's `lower()` folds ASCII only, so the database's unique
 * index on `lower(name)` and every comparison in this service agree. (JavaScript's `toLowerCase` would also
 * fold e.g. the Kelvin sign to `k`, which the index does not.)
 */
export function canonicalUserName(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
