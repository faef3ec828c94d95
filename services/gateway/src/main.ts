import { loadConfig } from "./config.ts";
import { createGateway, createGatewayLogger } from "./gateway.ts";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  createGatewayLogger().fatal((error as Error).message);
  process.exit(1);
}
const log = createGatewayLogger(undefined, config.logLevel);
const gateway = createGateway(config, { logger: log });
const url = await gateway.listen().catch((error: NodeJS.ErrnoException) => {
  const reason =
    error.code === "EADDRINUSE"
      ? `port ${config.port} on ${config.host} is in use (set PORT)`
      : error.message;
  log.fatal(`gateway cannot start: ${reason}`);
  process.exit(1);
});
log.info(
  {
    accessControl: config.accessControlUrl.origin,
    agentService: config.agentServiceUrls.map((url) => url.origin),
    web: config.webDist,
  },
  `gateway listening on ${url}`,
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log.info(`${signal}: closing`);
    gateway.close().then(() => process.exit(0));
  });
}
