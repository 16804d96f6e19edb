/**
 * A browser reduced to what the sign-in pages need, for tests that drive many flows or attack them:
 * a cookie jar, redirects followed by hand (so a test sees each hop), and the forms' CSRF token read
 * from the HTML. The real browser (headless Chromium) is in test/browser.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Hop {
  status: number;
  url: string;
  location: string | null;
  body: string;
}

export class FetchBrowser {
  private readonly cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Hop> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, at).trim();
      const value = (pair ?? '').slice(at + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = res.headers.get('location');
    return { status: res.status, url, location: location && new URL(location, url).href, body: await res.text() };
  }

  /** Follows redirects until one leaves `origin` (the client's redirect URI) or a page is served. */
  async follow(url: string, origin: string, init?: RequestInit): Promise<Hop> {
    let hop = await this.request(url, init);
    while (hop.status >= 300 && hop.status < 400 && hop.location && new URL(hop.location).origin === origin) {
      hop = await this.request(hop.location);
    }
    return hop;
  }

  /** Posts a page's form (its `action` ends with `path`) with the page's CSRF token and `fields`. */
  async submit(page: Hop, path: string, fields: Record<string, string>, origin: string): Promise<Hop> {
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const action = new RegExp(`action="([^"]*${path})"`).exec(page.body)?.[1];
    if (!action) throw new Error(`no form ending in ${path} on ${page.url}:\n${page.body.slice(0, 500)}`);
    return this.follow(new URL(action, page.url).href, origin, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ csrf, ...fields }),
    });
  }
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const title = (hop: Hop) => /<title>([^<]*)<\/title>/.exec(hop.body)?.[1];
