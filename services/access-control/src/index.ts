export { type AppDeps, buildApp, OPENAPI_PATH } from "./app.ts";
export { type AuthorizeDecision, createAuthorizer } from "./authorize.service.ts";
export { type AccessControlConfig, loadConfig } from "./config.ts";
export { createPasswordHasher, type PasswordHasher, type ScryptParams } from "./password.ts";
export {
  type AccessControl,
  type AccessControlOptions,
  createAccessControl,
  DATABASE_FILE,
  openUserDatabase,
} from "./service.ts";
export { createUsersService, type UsersService } from "./users.service.ts";
