export {
  CREDENTIAL_CONFLICT,
  type Credential,
  credentialOf,
  tokenFromAuthorization,
  tokenFromQuery,
  tokenFromRequest,
} from "./bearer.ts";
export { parseClaims, type UserClaims } from "./claims.ts";
export * from "./errors.ts";
export { getPath, HoconError, parseHocon } from "./hocon.ts";
export {
  type DirectoryEntry,
  type DirectorySource,
  type DirectoryStanding,
  RoleDirectory,
  type RoleDirectoryOptions,
} from "./role-directory.ts";
export { canUseAgents, isAdmin, isRole, ROLES, type Role } from "./roles.ts";
export {
  assertStrongSecret,
  keyFromSecret,
  MIN_SECRET_BYTES,
  type ResolvedSecret,
  resolveJwtSecret,
} from "./secret.ts";
export { createSigner, type SignedToken, type SignerOptions, type TokenSubject } from "./sign.ts";
export { createVerifier, type TokenVerifier, type VerifierOptions } from "./verify.ts";
export {
  createTicketSigner,
  createTicketVerifier,
  TICKET_PURPOSE,
  TICKET_TTL_SEC,
  type TicketClaims,
  type TicketOptions,
  type TicketSubject,
  ticketFromQuery,
} from "./ws-ticket.ts";
