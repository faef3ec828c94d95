import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Output, startService } from "./processes.ts";

/** Builds the web app (`npm run build -w @texera-agent/web`) when `dist/index.html` is missing. */
export async function ensureWebBuilt(
  webDist: string,
  options: {
    cwd: string;
    env: Record<string, string | undefined>;
    output: Output;
    log: (line: string) => void;
  },
): Promise<boolean> {
  if (existsSync(join(webDist, "index.html"))) return true;
  options.log(`the web app is not built yet (${webDist}): building it once, this takes a little while`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const build = startService("web build", ["run", "build", "-w", "@texera-agent/web"], {
    command: npm,
    cwd: options.cwd,
    env: options.env,
    output: options.output,
  });
  const code = await build.exited;
  if (code === 0 && existsSync(join(webDist, "index.html"))) return true;
  options.log(`the web build failed (${code}); the API works, the gateway shows a "not built" page`);
  return false;
}
