/**
 * The commands behind `npm run users -- <command>` (entry point: users.ts): manage the user directory on
 * the same DATA_DIR / DATABASE_URL as the service. Passwords come from USER_PASSWORD or a hidden prompt on a terminal, never from arguments
 * (they would land in the shell history and the process list).
 *
 *   add <name> --role <ROLE> [--email <address>]
 *   list
 *   set-role <name> <ROLE>
 */
import { parseArgs } from "node:util";
import { Value } from "@sinclair/typebox/value";
import { isRole, ROLES, type Role } from "@texera-agent/auth";
import { UserName } from "@texera-agent/protocol";
import { HttpError } from "@texera-agent/service-kit";
import { loadCliConfig } from "../config.ts";
import { createPasswordHasher } from "../password.ts";
import { openUserDatabase } from "../service.ts";
import { createUsersService } from "../users.service.ts";

const USAGE = `usage:
  npm run users -- add <name> --role <${ROLES.join("|")}> [--email <address>]
  npm run users -- list
  npm run users -- set-role <name> <${ROLES.join("|")}>
The password of "add" comes from USER_PASSWORD, or a hidden prompt when run on a terminal.`;

class UsageError extends Error {}

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Reads a line without echo; undefined when there is no terminal to ask on. */
  askHidden?: (prompt: string) => Promise<string>;
}

const MIN_PASSWORD = 8;

function roleArg(value: string | undefined): Role {
  const role = value?.toUpperCase();
  if (!isRole(role)) throw new UsageError(`the role must be one of ${ROLES.join(", ")}`);
  return role;
}

function nameArg(value: string | undefined): string {
  if (!value || !Value.Check(UserName, value)) {
    throw new UsageError("the user name must be 1-64 characters of letters, digits, _ . @ -");
  }
  return value;
}

/** USER_PASSWORD (read through the env schema), else asked twice on the terminal. */
async function passwordFor(name: string, io: CliIo, fromEnv: string | undefined): Promise<string> {
  let password: string;
  if (fromEnv !== undefined) {
    password = fromEnv;
  } else if (io.askHidden) {
    password = await io.askHidden(`password for ${name}: `);
    if ((await io.askHidden("again: ")) !== password) throw new Error("the passwords differ");
  } else {
    throw new Error("set USER_PASSWORD, or run this on a terminal to be asked for the password");
  }
  if (password.length < MIN_PASSWORD)
    throw new Error(`the password needs at least ${MIN_PASSWORD} characters`);
  return password;
}

async function run(argv: string[], io: CliIo): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: "string" }, email: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    io.out(USAGE);
    return;
  }
  const config = loadCliConfig(io.env);
  // validate the arguments (and read the password) before touching the database
  let action: (users: ReturnType<typeof createUsersService>) => Promise<void>;
  switch (command) {
    case "add": {
      if (rest.length !== 1) throw new UsageError("add takes one user name");
      const name = nameArg(rest[0]);
      const role = roleArg(values.role);
      const email = values.email;
      if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email))
        throw new UsageError("that email is not valid");
      const password = await passwordFor(name, io, config.userPassword);
      action = async (users) => {
        const user = await users.create({ name, password, role, ...(email ? { email } : {}) });
        io.out(`added ${user.name} (id ${user.id}, ${user.role})`);
      };
      break;
    }
    case "list":
      if (rest.length !== 0) throw new UsageError("list takes no arguments");
      action = async (users) => {
        const all = await users.list();
        if (all.length === 0) io.out("no users yet");
        for (const u of all) {
          io.out(`${String(u.id).padStart(5)}  ${u.name.padEnd(24)} ${u.role.padEnd(10)} ${u.email ?? ""}`);
        }
      };
      break;
    case "set-role": {
      if (rest.length !== 2) throw new UsageError("set-role takes a user name and a role");
      const name = nameArg(rest[0]);
      const role = roleArg(rest[1]);
      action = async (users) => {
        const user = await users.setRole({ name }, role);
        io.out(`${user.name} is now ${user.role} (running services apply it within their refresh bound)`);
      };
      break;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }

  const { database, repository } = await openUserDatabase(config);
  try {
    await action(createUsersService({ repository, hasher: createPasswordHasher(config.scrypt) }));
  } finally {
    await database.close();
  }
}

/** Runs one command; resolves to the exit code (0 done, 1 failed, 2 usage mistake). */
export async function runUsersCli(argv: string[], io: CliIo): Promise<number> {
  try {
    await run(argv, io);
    return 0;
  } catch (caught) {
    const error = caught as Error;
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    // HttpErrors of the service (name taken, last ADMIN, no such user) carry a message meant for people
    io.err(error instanceof HttpError ? error.message : error.message || String(error));
    return 1;
  }
}
