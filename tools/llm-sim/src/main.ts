// `npm run llm-sim`: the simulator as a process. Never prints the master key.
import { CliError, parseCli, USAGE } from "./cli-args.ts";
import { startLlmSim } from "./server.ts";

async function main(): Promise<void> {
  let cfg: Awaited<ReturnType<typeof parseCli>>;
  try {
    cfg = await parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof CliError) && !(err instanceof TypeError)) throw err;
    console.error(`llm-sim: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (cfg.help) {
    console.log(USAGE);
    return;
  }
  const sim = await startLlmSim({
    host: cfg.host,
    port: cfg.port,
    masterKey: cfg.masterKey,
    models: cfg.models,
    scenario: cfg.scenario,
    faults: cfg.faults,
    log: cfg.verbose ? (line) => console.log(`llm-sim ${line}`) : undefined,
  }).catch((err: NodeJS.ErrnoException) => {
    const reason = err.code === "EADDRINUSE" ? `port ${cfg.port} on ${cfg.host} is in use` : err.message;
    console.error(`llm-sim: cannot start: ${reason}`);
    process.exit(1);
  });

  const faults = Object.entries(cfg.faults).map(([m, f]) => `${m} ${JSON.stringify(f)}`);
  console.log(`llm-sim listening on ${sim.url} (OpenAI baseURL: ${sim.url})`);
  console.log(`  models: ${cfg.models.join(", ")}`);
  console.log(`  scenario: ${cfg.scenarioPath ?? "default (echo; tokens:N)"}`);
  if (faults.length > 0) console.log(`  faults: ${faults.join("; ")}`);
  console.log(
    `  master key: ${cfg.usingDemoKey ? "the public demo key (see tools/llm-sim/README.md)" : "from LITELLM_MASTER_KEY"}`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`llm-sim: ${signal}, closing`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

await main();
