/**
 * The sign-in pages people see: login, consent and the final error. Plain HTML forms that work
 * without JavaScript; every value from a request or a client's metadata is escaped; nothing secret is
 * put in a URL (the forms POST, the CSRF token travels in the body). The pages are sent with headers
 * that forbid framing (clickjacking a consent button) and any script.
 */
import { escapeHtml as e } from '../authorization-server/provider.js';

export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  // Not no-referrer: with it browsers send `Origin: null` on the forms' POSTs, which the Origin check refuses.
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
} as const;

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
button{font:inherit;padding:.5rem 1.2rem;margin:1rem .5rem 0 0}.error{background:#fde7e9;border:1px solid #d1242f;padding:.6rem;border-radius:4px}
.who{color:#57606a}ul{padding-left:1.2rem}code{font-size:.9em;word-break:break-all}.refused{color:#57606a}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

export interface ClientView {
  /** What the client calls itself (client_name), or its id. */
  readonly name: string;
  readonly clientId: string;
  /** For a Client ID Metadata Document: the host that vouches for the client. */
  readonly documentHost?: string;
  /** Where the browser will be sent afterwards. */
  readonly redirectHost: string;
}

export function loginPage(options: { uid: string; csrf: string; client: ClientView; username?: string; error?: string }): string {
  const { uid, csrf, client } = options;
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p class="who"><strong>${e(client.name)}</strong> asks you to sign in${client.documentHost ? ` (described by <code>${e(client.documentHost)}</code>)` : ''}.</p>
${options.error ? `<p class="error" role="alert">${e(options.error)}</p>` : ''}
<form method="post" action="/interaction/${e(uid)}/login">
<input type="hidden" name="csrf" value="${e(csrf)}">
<label for="username">Username</label><input id="username" name="username" type="text" autocomplete="username" required autofocus value="${e(options.username ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${e(uid)}/abort"><input type="hidden" name="csrf" value="${e(csrf)}"><button type="submit">Cancel</button></form>`,
  );
}

export interface ScopeView {
  readonly name: string;
  readonly description: string;
}

export function consentPage(options: {
  uid: string;
  csrf: string;
  client: ClientView;
  person: { name: string; username: string; role: string };
  resources: readonly string[];
  granted: readonly ScopeView[];
  refused: readonly ScopeView[];
}): string {
  const { uid, csrf, client, person } = options;
  const list = (scopes: readonly ScopeView[]) => scopes.map((s) => `<li><code>${e(s.name)}</code>: ${e(s.description)}</li>`).join('');
  return page(
    'Allow access',
    `<h1>Allow ${e(client.name)}?</h1>
<p class="who">Signed in as <strong>${e(person.name)}</strong> (${e(person.username)}, ${e(person.role)}).</p>
<p><strong>${e(client.name)}</strong> <span class="who">(<code>${e(client.clientId)}</code>)</span> wants to use, on your behalf:</p>
<ul>${options.resources.map((r) => `<li><code>${e(r)}</code></li>`).join('')}</ul>
${options.granted.length ? `<p>with these permissions:</p><ul>${list(options.granted)}</ul>` : '<p>with the permissions your role already has there.</p>'}
${options.refused.length ? `<p class="refused">Asked for but not available to your role (not granted):</p><ul class="refused">${list(options.refused)}</ul>` : ''}
<p class="who">Afterwards your browser goes back to <code>${e(client.redirectHost)}</code>.</p>
<form method="post" action="/interaction/${e(uid)}/confirm"><input type="hidden" name="csrf" value="${e(csrf)}"><button type="submit">Allow</button></form>
<form method="post" action="/interaction/${e(uid)}/abort"><input type="hidden" name="csrf" value="${e(csrf)}"><button type="submit">Deny</button></form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${e(title)}</h1><p>${e(message)}</p>`);
}
