export { DatabaseUnavailableError, isDatabaseUnavailable } from '@mcp-auth/database';
export type { SqliteDatabase } from '@mcp-auth/sqlite';
export {
  createDatabaseProbe,
  DatabaseBusyError,
  DatabaseFileError,
  migrate,
  openDatabase,
  probeDatabase,
  writeTransaction,
} from '@mcp-auth/sqlite';
export type { ApiKeyStatus, CreateApiKeyOptions, CreatedApiKey, RotateApiKeyOptions } from './api-keys/api-key-admin.js';
export { ApiKeyAdminError, apiKeyStatus, createApiKey, createFirstApiKey, revokeApiKey, rotateApiKey } from './api-keys/api-key-admin.js';
export type { ApiKeyRecord, ApiKeyStore, RotationPlan } from './api-keys/api-key-store.js';
export type { ApiKeyVerifierOptions } from './api-keys/api-key-verifier.js';
export { createApiKeyVerifier } from './api-keys/api-key-verifier.js';
export { type ApiKeyStoreOptions, type ApiKeyTables, openApiKeyStore } from './api-keys/database-api-key-store.js';
export { API_KEY_PREFIX, generateApiKey, parseApiKey } from './api-keys/key-format.js';
export type { ChallengeOptions, HttpChallenge } from './challenge.js';
export { toHttpChallenge } from './challenge.js';
export type { Credential, HeaderBag } from './credentials.js';
export { extractCredential, repeatedCredentialHeader } from './credentials.js';
export { parseDuration } from './duration.js';
export type { AuthErrorCode } from './errors.js';
export { AuthError, isAuthError } from './errors.js';
export type { ClaimsPrincipalOptions } from './jwt/claims-principal.js';
export { createClaimsPrincipals, principalFromClaims } from './jwt/claims-principal.js';
export type { Hs256IssuerOptions, Hs256VerifierOptions, IssuedToken, TokenClaims } from './jwt/hs256.js';
export { ACCESS_TOKEN_TYPE, createHs256TokenIssuer, createHs256Verifier } from './jwt/hs256.js';
export type { IssuerDiscovery, IssuerDiscoveryOptions, IssuerDiscoveryStatus } from './jwt/issuer-discovery.js';
export { createIssuerDiscovery, discoveryUrls, IssuerMetadataError } from './jwt/issuer-discovery.js';
export type { JwksClient, JwksClientOptions, JwksClientStatus } from './jwt/jwks-client.js';
export { createJwksClient } from './jwt/jwks-client.js';
export type { KeyRing, KeyRingOptions, KeyRingStatus, KeySet, SigningKey } from './jwt/key-directory.js';
export {
  createKeyRing,
  hasKeyPair,
  KeyDirectoryError,
  loadKeySet,
  readPublicKeyFile,
  rotateKeyPair,
  writeAtomically,
  writeKeyPair,
} from './jwt/key-directory.js';
export type { Rs256IssuerOptions, Rs256VerifierOptions } from './jwt/rs256.js';
export { ACCEPTED_HEADER_CACHE_SIZE, createRs256TokenIssuer, createRs256Verifier } from './jwt/rs256.js';
export type { RsaPublicJwk } from './jwt/rsa-keys.js';
export { generateRsaKeyPair, jwkThumbprint, publicJwk, publicKeyFromPem } from './jwt/rsa-keys.js';
export { generateSecret, KNOWN_WEAK_SECRETS, MIN_SECRET_BYTES, weakSecretReason } from './jwt/secret-strength.js';
export { toAuthError } from './jwt/token-errors.js';
export type { RoleMap, RoleSource } from './jwt/token-roles.js';
export { claimAt, parseRoleMap, rolesFromClaims } from './jwt/token-roles.js';
export type { CreateClientOptions } from './oauth/client-admin.js';
export { ClientAdminError, createClient, revokeClient, rotateClientSecret } from './oauth/client-admin.js';
export { claimedClientId, createClientAuthenticator, readClientCredentials } from './oauth/client-authenticator.js';
export { createClientRevocations } from './oauth/client-revocations.js';
export { CLIENT_SECRET_PREFIX, generateClientSecret, hashClientSecret } from './oauth/client-secret.js';
export type { OAuthClientRecord, OAuthClientStore } from './oauth/client-store.js';
export { type ClientStoreOptions, type ClientTables, openClientStore } from './oauth/database-client-store.js';
export type { AuthorizationServerMetadataOptions, ProtectedResourceMetadataOptions } from './oauth/metadata.js';
export { authorizationServerMetadata, protectedResourceMetadata } from './oauth/metadata.js';
export type { OAuthErrorCode, OAuthHttpResponse } from './oauth/oauth-error.js';
export { NO_STORE, OAuthError, toOAuthErrorResponse } from './oauth/oauth-error.js';
export type { RevocationEndpointOptions } from './oauth/revocation-endpoint.js';
export { createRevocationEndpoint } from './oauth/revocation-endpoint.js';
export type { RevocationFeedDocument, RevocationFeedSources, RevokedClient } from './oauth/revocation-feed.js';
export { buildRevocationFeed, parseRevocationFeed } from './oauth/revocation-feed.js';
export type { RevocationFeedClient, RevocationFeedClientOptions, RevocationFeedStatus } from './oauth/revocation-feed-client.js';
export { createRevocationFeedClient } from './oauth/revocation-feed-client.js';
export type { RevocationList, RevocationListOptions, RevocationTables, RevokedToken } from './oauth/revocation-list.js';
export { openRevocationList } from './oauth/revocation-list.js';
export type { TokenEndpointOptions, TokenGrant, TokenRequestInput } from './oauth/token-endpoint.js';
export { createTokenEndpoint } from './oauth/token-endpoint.js';
export type { RevocableToken, TokenRevocations } from './oauth/token-revocations.js';
export { anyRevocation, REVOCATION_GRACE_SECONDS } from './oauth/token-revocations.js';
export type { Principal } from './principal.js';
export type { AccessOptions, ServerAccess } from './rbac/access.js';
export { accessDecider, decideAccess, rolesOf, serversForRole } from './rbac/access.js';
export type { FieldClass, PolicyScope, RbacPolicy, ServerGrant } from './rbac/policy.js';
export { checkPolicyTools, DEFAULT_POLICY_PATH, loadPolicy, PolicyError, parsePolicy, RESERVED_SCOPES } from './rbac/policy.js';
export type { ScopeDescription, ToolScopeRule } from './rbac/scopes.js';
export {
  baseScopes,
  grantableScopes,
  policyScopes,
  requiredScopes,
  serverScopes,
  toolScopeRule,
  UMBRELLA_SCOPE,
  unknownScopes,
} from './rbac/scopes.js';
export { RECORD_RECHECK_MS } from './record-cache.js';
export type { Verifier } from './verifier.js';
