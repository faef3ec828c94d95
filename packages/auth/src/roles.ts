/** Texera's user roles, in the order of the privileges they carry. */
export const ROLES = ["INACTIVE", "RESTRICTED", "REGULAR", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** The one rule for who may use agents, applied at the gateway and again inside agent-service. */
export function canUseAgents(role: Role): boolean {
  return role === "REGULAR" || role === "ADMIN";
}

export function isAdmin(role: Role): boolean {
  return role === "ADMIN";
}
