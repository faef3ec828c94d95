/**
 * `npm run users -- <command>`: see users-cli.ts for the commands. A password is asked on the terminal
 * when USER_PASSWORD is not set, never taken from the arguments.
 */
import { readHiddenLine } from "./hidden-prompt.ts";
import { runUsersCli } from "./users-cli.ts";

process.exitCode = await runUsersCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  ...(process.stdin.isTTY ? { askHidden: readHiddenLine } : {}),
});
