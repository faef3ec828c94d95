import { postgresAvailable, startTestPostgres } from "@texera-agent/db/testing";

/**
 * One PostgreSQL cluster for the whole `npm test` run, when the server binaries are installed. Test files
 * that need it read TEST_POSTGRES_URL and create their own database. CI sets REQUIRE_POSTGRES=1 so that a
 * machine without PostgreSQL fails instead of silently skipping those tests.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (!postgresAvailable()) {
    if (process.env.REQUIRE_POSTGRES === "1") {
      throw new Error("REQUIRE_POSTGRES=1 but PostgreSQL server binaries are not installed (see PG_BIN)");
    }
    console.warn("PostgreSQL server binaries not found: PostgreSQL variants of the tests are skipped");
    return async () => {};
  }
  const server = await startTestPostgres();
  process.env.TEST_POSTGRES_URL = server.url;
  return () => server.stop();
}
