/**
 * The login and consent steps of a sign-in (oidc-provider "interactions"): GET /interaction/:uid shows
 * the page the provider asks for, the forms POST back here, and each success hands the result to the
 * provider, which sends the browser on (to the consent step, or back to the client with a code).
 *
 * - Login: username and password, checked against the scrypt hash; guessing is limited per address
 *   and per account (sign-in-limiter.ts); the same answer for an unknown person and a wrong password.
 * - Consent: the client, the resource servers and the scopes asked for; what the person's role does
 *   not allow is shown and refused, never granted (roles map to scopes in the RBAC policy).
 * - Every POST carries the interaction's CSRF token; the provider's interaction cookie binds the
 *   interaction to this browser as well.
 */
import { parse as parseQuery } from 'node:querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from '@mcp-auth/mcp-fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { ScopeRules } from '../authorization-server/provider.js';
import type { ProviderHolder } from '../authorization-server/provider-holder.js';
import { verifyPassword } from '../people/password-hash.js';
import type { PeopleStore } from '../people/people-store.js';
import type { SignInLimiter } from '../people/sign-in-limiter.js';
import { type ClientView, consentPage, errorPage, loginPage, PAGE_HEADERS, type ScopeView } from './pages.js';
import { DEVICE_COOKIE_MAX_AGE_SECONDS, type SignedValues } from './signed-values.js';

export interface InteractionRoutesOptions {
  providers: ProviderHolder;
  people: PeopleStore;
  scopes: ScopeRules;
  describeScope(scope: string): string;
  limiter: SignInLimiter;
  signed: SignedValues;
  /** Cookies only over https (production). */
  secureCookies: boolean;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

const MAX_FIELD = 256;

export function registerInteractionRoutes(app: FastifyInstance, options: InteractionRoutesOptions): void {
  const { providers, people, signed, limiter } = options;

  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).headers(PAGE_HEADERS).send(body);

  /** The interaction this browser is in, or an error page when it has none (expired, or another browser's). */
  async function interaction(request: FastifyRequest, reply: FastifyReply): Promise<Details | undefined> {
    try {
      const details = await providers.current().interactionDetails(request.raw, reply.raw);
      if (details.uid !== (request.params as { uid: string }).uid) throw new Error('uid mismatch');
      return details;
    } catch {
      html(
        reply,
        400,
        errorPage(
          'This sign-in has expired',
          'Go back to the application and start signing in again. Sign-ins last ten minutes and work only in the browser they began in.',
        ),
      );
      return undefined;
    }
  }

  async function clientView(details: Details): Promise<ClientView> {
    const clientId = String(details.params.client_id);
    const client = await providers.current().Client.find(clientId);
    const redirect = String(details.params.redirect_uri ?? '');
    let documentHost: string | undefined;
    if (clientId.startsWith('https://')) documentHost = new URL(clientId).host;
    let redirectHost = redirect;
    try {
      redirectHost = new URL(redirect).host || redirect;
    } catch {}
    return { name: client?.clientName ?? clientId, clientId, redirectHost, ...(documentHost ? { documentHost } : {}) };
  }

  /** Form fields of a POST, with the CSRF token checked; undefined (and a 403 sent) when it is wrong. */
  function form(request: FastifyRequest, reply: FastifyReply, details: Details): Record<string, string> | undefined {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (!signed.csrfValid(details.uid, body.csrf)) {
      html(
        reply,
        403,
        errorPage(
          'Request refused',
          'This form was not sent from the sign-in page (its CSRF token is missing or wrong). Start signing in again.',
        ),
      );
      return undefined;
    }
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value.slice(0, MAX_FIELD);
    return fields;
  }

  async function finish(request: FastifyRequest, reply: FastifyReply, result: InteractionResults, merge: boolean) {
    reply.hijack();
    await providers.current().interactionFinished(request.raw, reply.raw, result, { mergeWithLastSubmission: merge });
  }

  async function consentView(details: Details) {
    const username = details.session?.accountId;
    const person = username ? await people.find(username) : undefined;
    const asked = requestedScopes(details);
    const grantable = new Set(person ? options.scopes.grantable(person.role) : []);
    const view = (name: string): ScopeView => ({ name, description: options.describeScope(name) });
    return {
      person,
      granted: asked.filter((s) => grantable.has(s)).map(view),
      refused: asked.filter((s) => !grantable.has(s)).map(view),
      resources: requestedResources(details),
    };
  }

  app.register(async (scope) => {
    // The forms post urlencoded bodies; parsed here only (the provider's routes read their own).
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) =>
      done(null, parseQuery(body as string)),
    );

    scope.get('/interaction/:uid', async (request, reply) => {
      const details = await interaction(request, reply);
      if (!details) return reply;
      const client = await clientView(details);
      const csrf = signed.csrfToken(details.uid);
      if (details.prompt.name === 'login') return html(reply, 200, loginPage({ uid: details.uid, csrf, client }));
      const view = await consentView(details);
      if (!view.person) return html(reply, 400, errorPage('Sign-in failed', 'The signed-in account no longer exists.'));
      return html(
        reply,
        200,
        consentPage({
          uid: details.uid,
          csrf,
          client,
          person: { name: view.person.name, username: view.person.username, role: view.person.role },
          resources: view.resources,
          granted: view.granted,
          refused: view.refused,
        }),
      );
    });

    scope.post('/interaction/:uid/login', async (request, reply) => {
      const details = await interaction(request, reply);
      if (!details) return reply;
      const fields = form(request, reply, details);
      if (!fields) return reply;
      if (details.prompt.name !== 'login')
        return html(reply, 400, errorPage('Sign-in failed', 'This sign-in is not waiting for a password.'));
      const username = (fields.username ?? '').trim();
      const attempt = { address: request.ip, username, knownDevice: signed.knownDevice(username, request.headers.cookie) };
      const client = await clientView(details);
      const csrf = signed.csrfToken(details.uid);
      const wait = limiter.retryAfter(attempt);
      if (wait !== undefined) {
        app.refusals.refused(request.log, {
          kind: 'sign-in attempts limited',
          address: request.ip,
          level: 'warn',
          message: 'too many failed sign-ins',
        });
        reply.header('retry-after', String(wait));
        return html(
          reply,
          429,
          loginPage({ uid: details.uid, csrf, client, username, error: `Too many failed sign-ins. Try again in ${wait} seconds.` }),
        );
      }
      const person = username ? await people.find(username) : undefined;
      const ok = await verifyPassword(fields.password ?? '', person?.passwordHash);
      if (!ok || !person || person.disabledAt) {
        limiter.failed(attempt);
        app.refusals.refused(request.log, {
          kind: 'sign-in failed',
          address: request.ip,
          level: 'info',
          message: 'wrong username or password',
        });
        return html(reply, 401, loginPage({ uid: details.uid, csrf, client, username, error: 'Wrong username or password.' }));
      }
      limiter.succeeded(attempt);
      const device = signed.deviceCookie(person.username);
      reply.raw.setHeader(
        'set-cookie',
        `${device.name}=${device.value}; Path=/interaction; Max-Age=${DEVICE_COOKIE_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${options.secureCookies ? '; Secure' : ''}`,
      );
      request.log.info({ username: person.username, clientId: details.params.client_id }, 'signed in');
      return finish(request, reply, { login: { accountId: person.username } }, false);
    });

    scope.post('/interaction/:uid/confirm', async (request, reply) => {
      const details = await interaction(request, reply);
      if (!details) return reply;
      if (!form(request, reply, details)) return reply;
      if (details.prompt.name !== 'consent')
        return html(reply, 400, errorPage('Sign-in failed', 'This sign-in is not waiting for consent.'));
      const accountId = details.session?.accountId;
      const person = accountId ? await people.find(accountId) : undefined;
      if (!person) return html(reply, 400, errorPage('Sign-in failed', 'The signed-in account no longer exists.'));
      const { Grant } = providers.current();
      const fresh = () => new Grant({ accountId: person.username, clientId: String(details.params.client_id) });
      const grant = (details.grantId ? await Grant.find(details.grantId) : undefined) ?? fresh();
      const grantable = new Set(options.scopes.grantable(person.role));
      const promptDetails = details.prompt.details as {
        missingOIDCScope?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      // The same rule for scopes asked for without a resource (the provider lists the resource
      // servers' scopes among its own too).
      const missingOwn = promptDetails.missingOIDCScope ?? [];
      const ownAllowed = missingOwn.filter((s) => s === 'offline_access' || grantable.has(s));
      const ownRefused = missingOwn.filter((s) => !ownAllowed.includes(s));
      if (ownAllowed.length) grant.addOIDCScope(ownAllowed.join(' '));
      if (ownRefused.length) grant.rejectOIDCScope(ownRefused.join(' '));
      for (const [resource, asked] of Object.entries(promptDetails.missingResourceScopes ?? {})) {
        const allowed = asked.filter((s) => grantable.has(s));
        const refused = asked.filter((s) => !grantable.has(s));
        if (allowed.length) grant.addResourceScope(resource, allowed.join(' '));
        // Recorded as refused, so the provider does not ask again and issues the token without them.
        if (refused.length) grant.rejectResourceScope(resource, refused.join(' '));
      }
      const grantId = await grant.save();
      request.log.info({ username: person.username, clientId: details.params.client_id, grantId }, 'consent given');
      return finish(request, reply, { consent: { grantId } }, true);
    });

    scope.post('/interaction/:uid/abort', async (request, reply) => {
      const details = await interaction(request, reply);
      if (!details) return reply;
      if (!form(request, reply, details)) return reply;
      return finish(
        request,
        reply,
        { error: 'access_denied', error_description: 'The person declined to sign in or to allow access' },
        false,
      );
    });
  });
}

const words = (value: unknown) => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);

/** Scopes the client asked for, without offline_access (not a permission; every sign-in may refresh). */
function requestedScopes(details: Details): string[] {
  return words(details.params.scope).filter((s) => s !== 'offline_access');
}

function requestedResources(details: Details): string[] {
  const resource = details.params.resource;
  return Array.isArray(resource) ? resource.map(String) : typeof resource === 'string' ? [resource] : [];
}
