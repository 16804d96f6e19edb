/** What the issuer needs to sign people in, opened from its settings and database (main and tests share it). */
import { loadPolicy, type RevocationList } from '@mcp-auth/auth';
import type { Database } from '@mcp-auth/database';
import type { SignInDeps } from './app.js';
import { openCookieSecret } from './authorization-server/cookie-secret.js';
import { readPreregisteredClients } from './authorization-server/preregistered-clients.js';
import { openProviderStorage } from './authorization-server/provider-storage.js';
import { scopeRules } from './authorization-server/scope-rules.js';
import { openSignInRevocations } from './authorization-server/sign-in-revocations.js';
import type { IssuerConfig } from './config.js';
import type { IssuerTables } from './issuer-tables.js';
import { openPeopleStore } from './people/people-store.js';

export async function openSignInDeps(
  config: IssuerConfig,
  database: Database<IssuerTables>,
  revocations: RevocationList,
): Promise<SignInDeps & { cookieSecretGenerated: boolean }> {
  const cookieSecret = openCookieSecret(config.keyDir, config.server.production);
  const scopes = scopeRules(loadPolicy(config.policyFile));
  const accessTokens = await openSignInRevocations(database, revocations);
  return {
    people: await openPeopleStore(database),
    storage: await openProviderStorage(database, { onAccessTokensRevoked: (grantId) => accessTokens.grantRevoked(grantId) }),
    cookieSecret: cookieSecret.secret,
    cookieSecretGenerated: cookieSecret.generated,
    scopes,
    describeScope: scopes.describe,
    clients: readPreregisteredClients(config.signIn.clientsFile),
    accessTokens,
  };
}
