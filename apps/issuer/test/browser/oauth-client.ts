/**
 * An MCP client application as Claude, VS Code or the Inspector are: the official SDK's
 * OAuthClientProvider, keeping its registration and tokens in memory, with a person in a real browser
 * (headless Chromium) signing in where the SDK sends them. The redirect back to the application is
 * caught in the browser (page.route), as a desktop client's loopback listener would receive it.
 */
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  OAuthTokens,
} from '@modelcontextprotocol/client';
import type { Browser, Page } from 'playwright-core';

export interface CallbackParams {
  code: string | null;
  state: string | null;
  iss: string | null;
  error: string | null;
  url: string;
}

export class TestOAuthClient implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private verifier = '';
  private information: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;

  constructor(
    readonly redirect: string,
    readonly options: { clientMetadataUrl?: string; preRegistered?: OAuthClientInformationMixed; scope?: string } = {},
  ) {
    this.information = options.preRegistered;
  }

  get clientMetadataUrl() {
    return this.options.clientMetadataUrl;
  }
  get redirectUrl() {
    return this.redirect;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Test MCP client',
      redirect_uris: [this.redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...(this.options.scope ? { scope: this.options.scope } : {}),
    };
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.information = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  // Kept with the code verifier: on the callback leg the SDK checks that the code goes to the
  // authorization server the person was sent to (and warns without it).
  private discovery: OAuthDiscoveryState | undefined;
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

/** Opens `url` in a fresh page and answers the redirect back to `redirect` in the browser. */
export async function openSignIn(browser: Browser, url: URL, redirect: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let resolveCallback: (params: CallbackParams) => void = () => {};
  const callback = new Promise<CallbackParams>((resolve) => {
    resolveCallback = resolve;
  });
  await page.route(`${redirect}**`, async (route) => {
    const u = new URL(route.request().url());
    resolveCallback({
      code: u.searchParams.get('code'),
      state: u.searchParams.get('state'),
      iss: u.searchParams.get('iss'),
      error: u.searchParams.get('error'),
      url: u.href,
    });
    await route.fulfill({ status: 200, contentType: 'text/plain', body: 'You can close this window.' });
  });
  await page.goto(url.href);
  return { page, context, callback };
}

/** A person filling in the login page and, when asked, allowing the client. */
export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
}

export async function allow(page: Page): Promise<void> {
  await page.click('form[action$="/confirm"] button');
}
