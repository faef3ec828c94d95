import { HttpError } from "@texera-agent/service-kit";

/**
 * Every error this service answers on purpose, with its HTTP status. Handlers and services throw these;
 * service-kit's one error handler writes `{ "error": message }`. (The authorize routes answer their
 * refusals as data, see authorize.service.ts, so they never go through here.)
 */
export const errors = {
  loginFailed: () => new HttpError(401, "LOGIN_FAILED", "wrong user name or password"),
  userInactive: () =>
    new HttpError(403, "USER_INACTIVE", "this account is deactivated; ask an administrator to reactivate it"),
  tooManyAttempts: (retryAfterSeconds: number) =>
    new HttpError(
      429,
      "TOO_MANY_LOGIN_ATTEMPTS",
      `too many failed sign-in attempts; try again in ${retryAfterSeconds} s`,
      { "retry-after": String(retryAfterSeconds) },
    ),
  notInDirectory: () =>
    new HttpError(403, "NOT_IN_DIRECTORY", "this needs an ADMIN account of this user directory"),
  notAdmin: () => new HttpError(403, "FORBIDDEN", "this needs the ADMIN role"),
  userNotFound: (id: number | string) => new HttpError(404, "USER_NOT_FOUND", `no user ${id}`),
  nameTaken: (name: string) => new HttpError(409, "USER_NAME_TAKEN", `the user name "${name}" is taken`),
  lastAdmin: () => new HttpError(409, "LAST_ADMIN", "this is the last ADMIN: make another user ADMIN first"),
  directoryUnavailable: () =>
    new HttpError(503, "DIRECTORY_UNAVAILABLE", "the user directory database cannot be read"),
} as const;
