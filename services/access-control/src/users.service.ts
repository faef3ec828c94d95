import type { Role } from "@texera-agent/auth";
import type { User } from "@texera-agent/protocol";
import { errors } from "./errors.ts";
import type { PasswordHasher } from "./password.ts";
import type { DirectoryEntry, UserRecord, UsersRepository } from "./users.repository.ts";

export interface UsersServiceDeps {
  repository: UsersRepository;
  hasher: PasswordHasher;
  now?: () => Date;
  /** Told about every committed change, so this replica's role directory applies it at once. */
  onChange?: (entry: DirectoryEntry) => void;
}

export interface CreateUserInput {
  name: string;
  password: string;
  email?: string;
  role: Role;
}

export interface UsersService {
  list(): Promise<User[]>;
  create(input: CreateUserInput): Promise<User>;
  /** Changes a role by id (or by name, for the CLI). The last ADMIN cannot be demoted. */
  setRole(who: { id: number } | { name: string }, role: Role): Promise<User>;
  /** The directory's record of a caller, for admin checks (always read from the database). */
  current(id: number, name: string): Promise<User | undefined>;
  /**
   * Makes sure the directory has an ADMIN: creates `name` as ADMIN when there is none yet. Does nothing
   * when an ADMIN exists; refuses when `name` belongs to a user who is not ADMIN.
   */
  ensureAdmin(input: { name: string; password: string; email?: string }): Promise<{ created: boolean }>;
}

/** The response shape of a user: never the password hash. */
export function toUserDto(record: UserRecord): User {
  const user: User = { id: record.id, name: record.name, role: record.role, createdAt: record.createdAt };
  if (record.email !== undefined) user.email = record.email;
  return user;
}

const entryOf = (record: UserRecord): DirectoryEntry => ({
  id: record.id,
  name: record.name,
  role: record.role,
});

/** The rules of the user directory: unique names, hashed passwords, always one ADMIN left. */
export function createUsersService(deps: UsersServiceDeps): UsersService {
  const now = deps.now ?? (() => new Date());
  const changed = (record: UserRecord) => deps.onChange?.(entryOf(record));

  async function create(input: CreateUserInput): Promise<User> {
    const passwordHash = await deps.hasher.hash(input.password);
    const record = await deps.repository.transaction(async (repo) => {
      await repo.bumpVersion();
      if (await repo.findByName(input.name)) throw errors.nameTaken(input.name);
      return repo.insert({ name: input.name, email: input.email, role: input.role, passwordHash }, now());
    });
    changed(record);
    return toUserDto(record);
  }

  return {
    async list() {
      return (await deps.repository.list()).map(toUserDto);
    },
    create,
    async setRole(who, role) {
      const record = await deps.repository.transaction(async (repo) => {
        await repo.bumpVersion();
        const user = "id" in who ? await repo.findById(who.id) : await repo.findByName(who.name);
        if (!user) throw errors.userNotFound("id" in who ? who.id : who.name);
        if (user.role === "ADMIN" && role !== "ADMIN" && (await repo.countByRole("ADMIN")) <= 1) {
          throw errors.lastAdmin();
        }
        if (user.role === role) return user;
        return (await repo.updateRole(user.id, role, now()))!;
      });
      changed(record);
      return toUserDto(record);
    },
    async current(id, name) {
      const record = await deps.repository.findById(id);
      return record && record.name === name ? toUserDto(record) : undefined;
    },
    async ensureAdmin(input) {
      if ((await deps.repository.countByRole("ADMIN")) > 0) return { created: false };
      const existing = await deps.repository.findByName(input.name);
      if (existing) {
        throw new Error(
          `ensureAdmin: "${input.name}" exists with role ${existing.role}; ` +
            `promote it with: npm run users -- set-role ${input.name} ADMIN`,
        );
      }
      await create({ ...input, role: "ADMIN" });
      return { created: true };
    },
  };
}
