/**
 * The scopes people's sign-ins can carry. `mcp` is the umbrella scope of this project: it covers
 * every tool a person's role allows (the RBAC policy decides the tools at each resource server).
 */
import type { ScopeRules } from './provider.js';

const DESCRIPTIONS: Record<string, string> = {
  mcp: 'use the MCP tools your role allows on these servers',
};

export function scopeRules(): ScopeRules & { describe(scope: string): string } {
  return {
    all: ['mcp'],
    grantable: () => ['mcp'],
    describe: (scope) => DESCRIPTIONS[scope] ?? 'a permission this issuer does not describe',
  };
}
