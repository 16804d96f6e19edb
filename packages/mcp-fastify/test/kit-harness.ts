/**
 * Builds a kit app with test tools and a table-driven verifier (token -> principal), so the kit's own
 * behaviour (streams, cancellation, shutdown) is tested apart from any real credential scheme.
 */
import { Writable } from 'node:stream';
import { AuthError, type Principal, type Verifier } from '@mcp-auth/auth';
import { defineTool, type ToolDefinition } from '@mcp-auth/tools';
import { afterEach } from 'vitest';
import { z } from 'zod';
import { createLogger, createMcpApp, type FastifyInstance, type McpAppOptions } from '../src/index.js';

export const principals: Record<string, Principal> = {
  'token-alice': { id: 'alice', method: 'jwt', subject: 'alice', clientId: 'alice', scopes: [] },
  'token-bob': { id: 'bob', method: 'jwt', subject: 'bob', clientId: 'bob', scopes: [] },
};

export const tableVerifier: Verifier = {
  verify(credential) {
    const token = credential.kind === 'bearer' ? credential.token : '';
    const principal = principals[token];
    if (!principal) throw new AuthError('invalid_credentials', 'Unknown test token');
    return principal;
  },
};

export interface ToolProbe {
  /** Signals of the slow tool's calls, to see cancellation. */
  signals: AbortSignal[];
  /** Resolves a pending `wait` call. */
  release: () => void;
}

export function testTools(probe: ToolProbe): ToolDefinition[] {
  const releaseWaiters: Array<() => void> = [];
  probe.release = () => {
    for (const r of releaseWaiters.splice(0)) r();
  };
  return [
    defineTool({
      name: 'whoami',
      description: 'Returns the caller',
      inputSchema: {},
      annotations: { readOnlyHint: true },
      handler: (_args, { principal }) => ({ content: [{ type: 'text', text: principal?.id ?? 'nobody' }] }),
    }),
    defineTool({
      name: 'count',
      description: 'Counts to n, sending a progress notification per step',
      inputSchema: { n: z.number().int().min(1).max(10) },
      annotations: { readOnlyHint: true },
      handler: async ({ n }, { reportProgress }) => {
        for (let i = 1; i <= n; i++) await reportProgress(i, n, `step ${i}`);
        return { content: [{ type: 'text', text: `counted to ${n}` }] };
      },
    }),
    defineTool({
      name: 'wait',
      description: 'Waits until released or cancelled',
      inputSchema: {},
      annotations: { readOnlyHint: true },
      handler: async (_args, { signal }) => {
        probe.signals.push(signal);
        await new Promise<void>((resolve) => {
          releaseWaiters.push(resolve);
          signal.addEventListener('abort', () => resolve());
        });
        return { content: [{ type: 'text', text: signal.aborted ? 'aborted' : 'released' }] };
      },
    }),
    defineTool({
      name: 'crash',
      description: 'Throws an unexpected error',
      inputSchema: {},
      annotations: { readOnlyHint: true },
      handler: () => {
        throw new Error('database password is hunter2');
      },
    }),
  ];
}

export async function startKitApp(overrides: Partial<McpAppOptions> = {}, tools?: ToolDefinition[]) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _e, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const probe: ToolProbe = { signals: [], release: () => {} };
  const app: FastifyInstance = await createMcpApp({
    serverInfo: { name: 'kit-test', version: '1' },
    tools: tools ?? testTools(probe),
    verifier: tableVerifier,
    challenge: { realm: 'kit-test' },
    origin: { allowedHosts: ['localhost', '127.0.0.1'], allowedOrigins: [] },
    logger: createLogger({ level: 'debug', destination }),
    ...overrides,
  });
  const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  return { app, base, probe, logs: () => chunks.join('') };
}

export const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/**
 * A `start` for one test file: each app it starts is closed after the test that started it, so a
 * failing test cannot leave a server listening for the next one.
 */
export function startKitAppsClosedAfterEach(): typeof startKitApp {
  const started: Array<Awaited<ReturnType<typeof startKitApp>>> = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.app.close()));
  });
  return async (...args) => {
    const s = await startKitApp(...args);
    started.push(s);
    return s;
  };
}
