/** What the issuer needs to sign people in, opened from its settings and database (main and tests share it). */
import { loadPolicy, type RevocationList, type SqliteDatabase } from '@mcp-auth/auth';
import type { SignInDeps } from './app.js';
import { openCookieSecret } from './authorization-server/cookie-secret.js';
import { readPreregisteredClients } from './authorization-server/preregistered-clients.js';
import { scopeRules } from './authorization-server/scope-rules.js';
import { openSignInRevocations } from './authorization-server/sign-in-revocations.js';
import { sqliteProviderStorage } from './authorization-server/sqlite-adapter.js';
import type { IssuerConfig } from './config.js';
import { openSqlitePeopleStore } from './people/people-store.js';

export function openSignInDeps(
  config: IssuerConfig,
  db: SqliteDatabase,
  revocations: RevocationList,
): SignInDeps & { cookieSecretGenerated: boolean } {
  const cookieSecret = openCookieSecret(config.keyDir, config.server.production);
  const scopes = scopeRules(loadPolicy(config.policyFile));
  return {
    people: openSqlitePeopleStore(db),
    storage: sqliteProviderStorage(db),
    cookieSecret: cookieSecret.secret,
    cookieSecretGenerated: cookieSecret.generated,
    scopes,
    describeScope: scopes.describe,
    clients: readPreregisteredClients(config.signIn.clientsFile),
    accessTokens: openSignInRevocations(db, revocations),
  };
}
