/**
 * Errors for everything that can be wrong with a token. Each has a stable `code` a caller can switch on;
 * messages are safe to show (they never contain the token or the secret).
 */
export type JwtErrorCode =
  | "ERR_JWT_MALFORMED"
  | "ERR_JWT_TOO_LARGE"
  | "ERR_JWT_ALG_NOT_ALLOWED"
  | "ERR_JWT_SIGNATURE_INVALID"
  | "ERR_JWT_EXPIRED"
  | "ERR_JWT_NOT_YET_VALID"
  | "ERR_JWT_CLAIM_INVALID";

export class JwtError extends Error {
  readonly code: JwtErrorCode;
  constructor(code: JwtErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

export class TokenMalformed extends JwtError {
  constructor(message = "the token is not a well-formed JWT") {
    super("ERR_JWT_MALFORMED", message);
  }
}

export class TokenTooLarge extends JwtError {
  constructor(readonly limit: number) {
    super("ERR_JWT_TOO_LARGE", `the token is larger than ${limit} bytes`);
  }
}

export class AlgorithmNotAllowed extends JwtError {
  constructor() {
    super("ERR_JWT_ALG_NOT_ALLOWED", "only HS256 tokens are accepted");
  }
}

export class SignatureInvalid extends JwtError {
  constructor() {
    super("ERR_JWT_SIGNATURE_INVALID", "the token signature is invalid");
  }
}

export class TokenExpired extends JwtError {
  constructor() {
    super("ERR_JWT_EXPIRED", "the token has expired");
  }
}

export class TokenNotYetValid extends JwtError {
  constructor() {
    super("ERR_JWT_NOT_YET_VALID", "the token is not valid yet (nbf)");
  }
}

export class ClaimInvalid extends JwtError {
  constructor(
    readonly claim: string,
    readonly reason: "missing" | "invalid",
  ) {
    super("ERR_JWT_CLAIM_INVALID", `the "${claim}" claim is ${reason}`);
  }
}

/** A configuration mistake found at start-up: the service must not run with it. */
export class SecretConfigError extends Error {
  override name = "SecretConfigError";
}
