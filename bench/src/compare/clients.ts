/**
 * The "clients that can use it" row of the compare table: which MCP clients reach a method, from what
 * its server offers on the wire. Clients differ in one way that decides it:
 * - custom headers (MCP Inspector, mcp-remote, Claude Code, VS Code): any method, the key or token pasted;
 * - OAuth sign-in in a browser, registered by Client ID Metadata Document or DCR (Claude and ChatGPT
 *   connectors): only a server whose 401 names RFC 9728 metadata leading to an authorization server
 *   with the authorization code grant and PKCE S256. ChatGPT sends no custom headers at all;
 * - client credentials (the SDK's ClientCredentialsProvider, agents): a token endpoint with that grant.
 * What can be checked is checked: the 401 challenge, the protected-resource metadata, the authorization
 * server's RFC 8414 metadata.
 */

interface AuthorizationServerMetadata {
  grant_types_supported?: string[];
  code_challenge_methods_supported?: string[];
  client_id_metadata_document_supported?: boolean;
  registration_endpoint?: string;
}

/** What the server advertises for getting a token, found the way an MCP client finds it. */
async function discover(mcpUrl: string): Promise<{ metadata?: AuthorizationServerMetadata; detail: string }> {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  await res.arrayBuffer();
  const pointer = /resource_metadata="([^"]+)"/.exec(res.headers.get('www-authenticate') ?? '')?.[1];
  if (!pointer) return { detail: 'its 401 names no RFC 9728 metadata' };
  const resource = (await (await fetch(pointer)).json().catch(() => ({}))) as { authorization_servers?: string[] };
  const issuer = resource.authorization_servers?.[0];
  if (!issuer) return { detail: 'its RFC 9728 metadata names no authorization server' };
  const url = new URL(issuer);
  const wellKnown = new URL(`/.well-known/oauth-authorization-server${url.pathname === '/' ? '' : url.pathname}`, url);
  const metadata = (await (await fetch(wellKnown)).json().catch(() => undefined)) as AuthorizationServerMetadata | undefined;
  return metadata ? { metadata, detail: `authorization server ${issuer}` } : { detail: `no RFC 8414 metadata at ${wellKnown.href}` };
}

export async function clientsReached(baseUrl: string): Promise<string> {
  const { metadata, detail } = await discover(`${baseUrl}/mcp`);
  const grants = metadata?.grant_types_supported ?? [];
  const signIn =
    grants.includes('authorization_code') && (metadata?.code_challenge_methods_supported ?? []).includes('S256')
      ? [
          'authorization code + PKCE S256',
          ...(metadata?.client_id_metadata_document_supported ? ['Client ID Metadata Documents'] : []),
          ...(metadata?.registration_endpoint ? ['DCR'] : []),
        ]
      : undefined;
  const parts = ['custom headers (Inspector, mcp-remote, Claude Code, VS Code): yes'];
  parts.push(
    signIn
      ? `OAuth sign-in in a browser (Claude and ChatGPT connectors): yes (checked: ${signIn.join(', ')})`
      : `OAuth sign-in in a browser: no, so **not reachable from ChatGPT** (no custom headers) or Claude connectors (checked: ${metadata ? 'its authorization server offers no authorization code grant with PKCE' : detail})`,
  );
  parts.push(
    grants.includes('client_credentials')
      ? 'client credentials (SDK, agents): yes (checked)'
      : 'client credentials: no (a key is configured instead)',
  );
  return parts.join('; ');
}
