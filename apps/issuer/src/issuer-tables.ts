/** Every table of the issuer's database, for the one Database its stores share (main, the commands, tests). */
import type { ClientTables, RevocationTables } from '@mcp-auth/auth';
import type { ProviderTables } from './authorization-server/provider-storage.js';
import type { SignInTables } from './authorization-server/sign-in-revocations.js';
import type { PeopleTables } from './people/people-store.js';

export type IssuerTables = ClientTables & RevocationTables & PeopleTables & ProviderTables & SignInTables;
