/**
 * Discovery documents: RFC 8414 authorization server metadata and RFC 9728 protected resource
 * metadata, which MCP clients (the SDK's ClientCredentialsProvider among them) read to find the token
 * endpoint and the resource to ask for.
 */
export interface AuthorizationServerMetadataOptions {
  issuer: string;
  scopes: readonly string[];
  revocation?: boolean;
  /** Where the issuer publishes its public keys (RS256). */
  jwksUri?: string;
  /** Where the endpoints are served, when it differs from the issuer identifier. */
  baseUrl?: string;
  /**
   * People sign in in a browser (authorization code + PKCE S256, refresh tokens), and clients
   * register by Client ID Metadata Document and by Dynamic Client Registration (RFC 7591).
   */
  signIns?: boolean;
}

export function authorizationServerMetadata(options: AuthorizationServerMetadataOptions) {
  const base = (options.baseUrl ?? options.issuer).replace(/\/$/, '');
  const secretMethods = ['client_secret_basic', 'client_secret_post'];
  // Public clients (a desktop app, a CLI, a client described by a metadata document) hold no secret:
  // `none`, with PKCE in place of the secret (OAuth 2.1).
  const clientAuthMethods = options.signIns ? [...secretMethods, 'none'] : secretMethods;
  return {
    issuer: options.issuer,
    token_endpoint: `${base}/token`,
    // Without sign-ins only client_credentials is supported: /authorize then exists because the MCP
    // SDK's metadata schema requires it, and answers unsupported_response_type.
    authorization_endpoint: `${base}/authorize`,
    response_types_supported: options.signIns ? ['code'] : ([] as string[]),
    grant_types_supported: options.signIns ? ['authorization_code', 'refresh_token', 'client_credentials'] : ['client_credentials'],
    token_endpoint_auth_methods_supported: clientAuthMethods,
    scopes_supported: [...options.scopes],
    ...(options.signIns
      ? {
          // S256 only: `plain` offers no protection against a stolen code (OAuth 2.1 §4.1.1). MCP
          // clients refuse an authorization server that does not list this.
          code_challenge_methods_supported: ['S256'],
          registration_endpoint: `${base}/register`,
          client_id_metadata_document_supported: true,
          // RFC 9207: every authorization response names its issuer, against mix-up attacks.
          authorization_response_iss_parameter_supported: true,
          response_modes_supported: ['query', 'fragment', 'form_post'],
        }
      : {}),
    ...(options.jwksUri ? { jwks_uri: options.jwksUri } : {}),
    ...(options.revocation ? { revocation_endpoint: `${base}/revoke`, revocation_endpoint_auth_methods_supported: clientAuthMethods } : {}),
  };
}

export interface ProtectedResourceMetadataOptions {
  resource: string;
  authorizationServers: readonly string[];
  scopes: readonly string[];
  resourceName: string;
}

export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions) {
  return {
    resource: options.resource,
    authorization_servers: [...options.authorizationServers],
    bearer_methods_supported: ['header'],
    scopes_supported: [...options.scopes],
    resource_name: options.resourceName,
  };
}
