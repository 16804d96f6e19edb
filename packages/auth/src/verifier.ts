import type { Credential } from './credentials.js';
import type { Principal } from './principal.js';

/**
 * The shape every verifier here shares: a credential in, a principal out, or a thrown AuthError.
 * Any other exception is a bug and the HTTP layer answers it with a generic 500.
 */
export interface Verifier {
  verify(credential: Credential): Principal | Promise<Principal>;
}
