/**
 * `npm run start:access-control`: the service alone, configured from the environment (see README.md).
 */
import { loadConfig } from "./config.ts";
import { createAccessControl } from "./service.ts";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const service = await createAccessControl(config);
  const { app } = service;
  for (const warning of config.warnings ?? []) app.log.warn(warning);
  app.log.info(`JWT secret from ${config.jwt.source}${config.jwt.generated ? " (generated now)" : ""}`);
  app.log.info(`user directory: ${service.database.description}, ${service.directory.size} user(s)`);
  if ((await service.users.list()).every((u) => u.role !== "ADMIN")) {
    app.log.warn(
      "the directory has no ADMIN yet: USER_PASSWORD=... npm run users -- add <name> --role ADMIN",
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Readiness fails first, so that the load balancer stops sending requests while they are still
    // answered; then the server stops accepting, answers what is in flight, and closes.
    app.probes.markShuttingDown();
    app.log.info(
      `${signal}: shutting down${config.shutdownDelayMs ? ` in ${config.shutdownDelayMs} ms` : ""}`,
    );
    await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs ?? 0));
    await service.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: Error) => {
  console.error(`access-control-service cannot start: ${error.message}`);
  process.exit(1);
});
