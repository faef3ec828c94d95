// `npm run start:agent`: agent-service alone, configured from the environment (see README.md).
import { loadConfig } from "./config.ts";
import { startAgentService } from "./start.ts";

let service: Awaited<ReturnType<typeof startAgentService>>;
try {
  service = await startAgentService(loadConfig(process.env));
} catch (error) {
  console.error(`agent-service did not start: ${(error as Error).message}`);
  process.exit(1);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    service.app.log.info(`${signal}: stopping`);
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
