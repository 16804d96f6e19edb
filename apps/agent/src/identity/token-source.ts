/**
 * Where the agent's credential comes from, and how it is renewed. Renewal is single-flight: when
 * several calls see a 401 at once, one new token is fetched and all of them use it.
 */
export interface Credential {
  /** Headers that authenticate a request. */
  headers: Record<string, string>;
  /** Claims, when the credential is a JWT (read, not verified: the servers verify). */
  claims: Record<string, unknown> | undefined;
}

export interface CredentialSource {
  current(): Promise<Credential>;
  /**
   * Gets a fresh credential after `rejected` drew a 401; if another call already renewed it, returns
   * that newer one instead of fetching again. Undefined when this kind cannot be renewed (API keys).
   */
  renew: ((rejected: Credential) => Promise<Credential>) | undefined;
  /** How the credential was obtained, for the user (never the secret). */
  readonly description: string;
}

export function decodeClaims(token: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A bearer-token source around a function that obtains a token. */
export function bearerSource(obtain: () => Promise<string>, description: string): CredentialSource {
  let token: Promise<string> | undefined;
  const toCredential = (t: string): Credential => ({ headers: { authorization: `Bearer ${t}` }, claims: decodeClaims(t) });
  const current = async (): Promise<Credential> => {
    token ??= obtain();
    const pending = token;
    try {
      return toCredential(await pending);
    } catch (error) {
      if (token === pending) token = undefined;
      throw error;
    }
  };
  return {
    description,
    current,
    async renew(rejected) {
      // Only the first call to see this token rejected fetches a new one; the others get that one.
      const before = token;
      const latest = await current().catch(() => undefined);
      if (token !== before) return current();
      if (latest && latest.headers.authorization !== rejected.headers.authorization) return latest;
      token = obtain();
      return current();
    },
  };
}
