/**
 * Who made a request, as established by a verifier. The server kit binds sessions to `id`, passes the
 * principal to tool handlers (`extra.authInfo.extra.principal`) and writes it into audit events.
 */
export interface Principal {
  /** Stable identifier sessions are bound to: `apikey:<key id>` or `<issuer>#<sub>` for JWTs. */
  readonly id: string;
  /** Which method authenticated it. */
  readonly method: 'api-key' | 'jwt';
  /** The subject: an API key's id, or a token's `sub`. */
  readonly subject: string;
  /** OAuth client id (for API keys, the key id). */
  readonly clientId: string;
  /** Human-readable label: the key's name or the token's `name` claim. */
  readonly displayName?: string | undefined;
  readonly scopes: readonly string[];
  /** Role used by RBAC (`job_role`), when the method carries one: the first of `roles`. */
  readonly role?: string | undefined;
  /**
   * Every policy role the credential carries (an IdP's `roles` or groups may name several, mapped by
   * ROLE_MAP); RBAC grants their union. Absent means `role` alone.
   */
  readonly roles?: readonly string[] | undefined;
  /** Seconds since the epoch after which the credential stops working, if it expires. */
  readonly expiresAt?: number | undefined;
  /** Token claims, for JWTs. */
  readonly claims?: Readonly<Record<string, unknown>> | undefined;
}

/** Freezes a Principal and its arrays, so that one shared between requests cannot be changed by any. */
export function freezePrincipal(principal: Principal): Principal {
  Object.freeze(principal.scopes);
  if (principal.roles) Object.freeze(principal.roles);
  return Object.freeze(principal);
}
