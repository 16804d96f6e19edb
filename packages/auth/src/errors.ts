/**
 * The one error type for authentication and authorization failures. Verifiers throw it; the HTTP
 * layer maps it to a status and an RFC 6750 challenge in one place (see `challenge.ts`).
 *
 * `description` is safe to show to the caller and to log: it never contains credential material.
 */
export type AuthErrorCode =
  /** No credentials were sent at all (RFC 6750 §3.1: the challenge carries no `error`). */
  | 'missing_credentials'
  /** More than one credential, or an unusable header: RFC 6750 `invalid_request` (400). */
  | 'invalid_request'
  /** Credentials were sent but are wrong, unknown, malformed or tampered with. */
  | 'invalid_credentials'
  /** Credentials were valid once and have expired. */
  | 'expired_credentials'
  /** Credentials were revoked by an operator. */
  | 'revoked_credentials'
  /** The principal is authenticated but not allowed to do this (RBAC). */
  | 'insufficient_scope'
  /** Credentials cannot be checked right now (e.g. the issuer's keys are unreachable): 503. */
  | 'temporarily_unavailable';

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code: AuthErrorCode;
  /** Public, credential-free explanation, sent as `error_description`. */
  readonly description: string;
  /** For `insufficient_scope`: the scope that would have been needed (RFC 6750 `scope`). */
  readonly requiredScope: string | undefined;

  constructor(code: AuthErrorCode, description: string, options: { requiredScope?: string; cause?: unknown } = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.description = description;
    this.requiredScope = options.requiredScope;
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}
