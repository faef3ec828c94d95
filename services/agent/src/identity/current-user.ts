import type { DirectoryStanding, Role, UserClaims } from "@texera-agent/auth";
import { AgentServiceError } from "../errors.ts";

/** The directory as the guard reads it (the shared RoleDirectory, or a fake in tests). */
export interface Directory {
  lookup(userId: number, name: string): DirectoryStanding;
}

export const directoryUnavailable = () =>
  new AgentServiceError(
    "DIRECTORY_UNAVAILABLE",
    "the user directory cannot be read, so no one can be checked; try again shortly",
  );

/**
 * The role that holds now: the directory's for a user it knows (same id and name), the token's for one it
 * does not (tokens minted by an external Texera), "stale" when the directory is out of date.
 */
export function currentRole(directory: Directory | undefined, user: UserClaims): Role | "stale" {
  if (!directory) return user.role;
  const standing = directory.lookup(user.userId, user.sub);
  return standing === "unknown" ? user.role : standing;
}

/**
 * For service-kit's auth hook (`refine`): the verified claims with the directory's current role, so a
 * demoted ADMIN loses ADMIN routes and a deactivated user is refused within the directory's bound, whatever
 * the token says. A stale directory refuses everyone (503): fail closed.
 */
export function refineByDirectory(directory: Directory): (claims: UserClaims) => UserClaims {
  return (claims) => {
    const role = currentRole(directory, claims);
    if (role === "stale") throw directoryUnavailable();
    return role === claims.role ? claims : { ...claims, role };
  };
}
