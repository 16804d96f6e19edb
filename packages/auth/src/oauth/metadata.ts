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
}

export function authorizationServerMetadata(options: AuthorizationServerMetadataOptions) {
  const base = (options.baseUrl ?? options.issuer).replace(/\/$/, '');
  return {
    issuer: options.issuer,
    token_endpoint: `${base}/token`,
    // Only client_credentials is supported. The endpoint exists because the MCP SDK's metadata schema
    // requires it; it answers unsupported_response_type.
    authorization_endpoint: `${base}/authorize`,
    response_types_supported: [] as string[],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...options.scopes],
    ...(options.jwksUri ? { jwks_uri: options.jwksUri } : {}),
    ...(options.revocation
      ? { revocation_endpoint: `${base}/revoke`, revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'] }
      : {}),
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
