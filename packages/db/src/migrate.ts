import { type Kysely, type Migration, Migrator } from "kysely";

/**
 * Runs a service's migrations up to the latest. Each service keeps its own bookkeeping tables, so two
 * services can share one PostgreSQL database. Throws with the failing migration's name.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  service: string,
  migrations: Record<string, Migration>,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: `${service}_migration`,
    migrationLockTableName: `${service}_migration_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(
      `database migration ${failed} of ${service} failed: ${(error as Error).message ?? error}`,
    );
  }
}
