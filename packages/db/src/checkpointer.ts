import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Moves SQLite's WAL checkpoints off the event loop. In WAL mode with synchronous=NORMAL a commit writes
 * the WAL without an fsync; the fsyncs all happen in checkpoints, which SQLite by default runs inside the
 * commit that fills the WAL past 1,000 pages: that commit then takes tens to hundreds of milliseconds on a
 * busy disk, and every request waiting on the event loop waits with it. Here the service's connection has
 * auto-checkpoints off and a worker thread, on its own connection, runs a PASSIVE checkpoint (which never
 * blocks readers or writers) every `intervalMs`. If the worker fails, the connection gets its automatic
 * checkpoints back, so the WAL never grows without bound.
 */
export interface Checkpointer {
  /** Resolves once the worker has stopped (after a last checkpoint). */
  close(): Promise<void>;
  /** For tests and diagnostics: completed checkpoints so far. */
  readonly checkpoints: number;
}

export interface CheckpointerOptions {
  file: string;
  intervalMs: number;
  /** Called when the worker cannot checkpoint; the caller turns automatic checkpoints back on. */
  onFailure(error: Error): void;
}

// Plain CommonJS, evaluated in the worker: no TypeScript loader needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma("busy_timeout = 1000");
} catch (error) {
  parentPort.postMessage({ type: "failed", message: String(error && error.message || error) });
  process.exit(0);
}
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ type: "checkpoint" });
  } catch (error) {
    parentPort.postMessage({ type: "failed", message: String(error && error.message || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "close") return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(options: CheckpointerOptions): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file: options.file, intervalMs: options.intervalMs, driver },
    // The worker needs no loader hooks or flags of the main thread (e.g. --cpu-prof, --import tsx).
    execArgv: [],
  });
  worker.unref();
  let checkpoints = 0;
  let failed = false;
  const fail = (error: Error) => {
    if (failed) return;
    failed = true;
    options.onFailure(error);
  };
  worker.on("message", (message: { type: string; message?: string }) => {
    if (message.type === "checkpoint") checkpoints++;
    else fail(new Error(`WAL checkpoint failed: ${message.message}`));
  });
  worker.on("error", fail);
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    get checkpoints() {
      return checkpoints;
    },
    async close() {
      // Held open while it finishes: an unref'd worker would let a process whose last task is this close
      // end with the await unsettled.
      worker.ref();
      worker.postMessage("close");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      await worker.terminate();
    },
  };
}
