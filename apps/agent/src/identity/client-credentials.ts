/** Gets an access token by OAuth client credentials (HTTP Basic), from the issuer or the jwt-server. */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
}

export async function requestToken(tokenUrl: string, clientId: string, secret: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new TokenRequestError(
      `Cannot reach ${tokenUrl} (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}). Is the server running?`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
  if (!response.ok || !body.access_token) {
    throw new TokenRequestError(
      `${tokenUrl} refused the token request: ${body.error ?? response.status}${body.error_description ? ` (${body.error_description})` : ''}`,
    );
  }
  return body.access_token;
}
