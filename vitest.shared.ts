// One vitest configuration for every workspace package: tests import workspace packages from their
// TypeScript sources (the "mcp-auth-source" export condition) so no build is needed before `pnpm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['mcp-auth-source'] },
  ssr: { resolve: { conditions: ['mcp-auth-source'], externalConditions: ['mcp-auth-source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
