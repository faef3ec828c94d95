/**
 * `npm run users -- <command>`: manage the user directory on the same DATA_DIR / DATABASE_URL as the
 * service. Passwords come from USER_PASSWORD or a hidden prompt on a terminal, never from arguments
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
import { loadDirectoryConfig } from "../config.ts";
import { createPasswordHasher } from "../password.ts";
import { openUserDatabase } from "../service.ts";
import { createUsersService } from "../users.service.ts";
import { readHiddenLine } from "./hidden-prompt.ts";

const USAGE = `usage:
  npm run users -- add <name> --role <${ROLES.join("|")}> [--email <address>]
  npm run users -- list
  npm run users -- set-role <name> <${ROLES.join("|")}>
The password of "add" comes from USER_PASSWORD, or a hidden prompt when run on a terminal.`;

class UsageError extends Error {}

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

async function passwordFor(name: string): Promise<string> {
  const fromEnv = process.env.USER_PASSWORD;
  let password: string;
  if (fromEnv !== undefined && fromEnv !== "") {
    password = fromEnv;
  } else if (process.stdin.isTTY) {
    password = await readHiddenLine(`password for ${name}: `);
    if ((await readHiddenLine("again: ")) !== password) throw new Error("the passwords differ");
  } else {
    throw new Error("set USER_PASSWORD, or run this on a terminal to be asked for the password");
  }
  if (password.length < MIN_PASSWORD)
    throw new Error(`the password needs at least ${MIN_PASSWORD} characters`);
  return password;
}

async function run(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: "string" }, email: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  const config = loadDirectoryConfig(process.env);
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
      const password = await passwordFor(name);
      action = async (users) => {
        const user = await users.create({ name, password, role, ...(email ? { email } : {}) });
        console.log(`added ${user.name} (id ${user.id}, ${user.role})`);
      };
      break;
    }
    case "list":
      if (rest.length !== 0) throw new UsageError("list takes no arguments");
      action = async (users) => {
        const all = await users.list();
        if (all.length === 0) console.log("no users yet");
        for (const u of all) {
          console.log(
            `${String(u.id).padStart(5)}  ${u.name.padEnd(24)} ${u.role.padEnd(10)} ${u.email ?? ""}`,
          );
        }
      };
      break;
    case "set-role": {
      if (rest.length !== 2) throw new UsageError("set-role takes a user name and a role");
      const name = nameArg(rest[0]);
      const role = roleArg(rest[1]);
      action = async (users) => {
        const user = await users.setRole({ name }, role);
        console.log(
          `${user.name} is now ${user.role} (running services apply it within their refresh bound)`,
        );
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

run(process.argv.slice(2)).catch((error: Error) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  // HttpErrors of the service (name taken, last ADMIN, no such user) carry a message meant for people
  console.error(error instanceof HttpError ? error.message : error.message || String(error));
  process.exit(1);
});
