// GET /health is liveness (always ok while the process answers); GET /ready runs the app's checks:
// 200 when all pass, 503 naming each failing check's reason, a hung or throwing check cut off or
// caught rather than hanging or failing the endpoint, and public like /health.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECK_TIMEOUT_MS, REPORT_MAX_AGE_MS } from '../src/http/readiness.js';
import { createHttpApp, createLogger, type FastifyInstance } from '../src/index.js';

const silent = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(): Promise<FastifyInstance> {
  app = await createHttpApp({ name: 'test-server', logger: silent, origin: { allowedHosts: ['127.0.0.1'], allowedOrigins: [] } });
  return app;
}

const ready = async (a: FastifyInstance) => {
  const res = await a.inject({ method: 'GET', url: '/ready', headers: { host: '127.0.0.1' } });
  return {
    status: res.statusCode,
    body: res.json() as { status: string; server: string; checks: Record<string, Record<string, unknown>> },
  };
};

describe('readiness', () => {
  it('answers 200 "ready" when every check passes, 503 "not_ready" with the reason when one fails', async () => {
    const app = await start();
    let database = true;
    app.readiness.add('database', () => (database ? { ok: true } : { ok: false, reason: 'test.db: file is not a database' }));
    app.readiness.add('other', async () => ({ ok: true, warning: 'still works, look at it' }));
    expect(await ready(app)).toEqual({
      status: 200,
      body: {
        status: 'ready',
        server: 'test-server',
        checks: { database: { ok: true }, other: { ok: true, warning: 'still works, look at it' } },
      },
    });
    database = false;
    await new Promise((r) => setTimeout(r, REPORT_MAX_AGE_MS + 10));
    const down = await ready(app);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not_ready');
    expect(down.body.checks.database).toEqual({ ok: false, reason: 'test.db: file is not a database' });
    // liveness does not look at any of it
    const health = await app.inject({ method: 'GET', url: '/health', headers: { host: '127.0.0.1' } });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', server: 'test-server' });
  });

  it('cuts off a check that hangs and reports a check that throws, without failing the endpoint', async () => {
    const app = await start();
    app.readiness.add('hung', () => new Promise(() => {}));
    app.readiness.add('broken', () => {
      throw new Error('probe exploded');
    });
    const report = await ready(app); // returns: the hung check is cut off
    expect(report.status).toBe(503);
    expect(report.body.checks).toEqual({
      hung: { ok: false, reason: `no answer within ${CHECK_TIMEOUT_MS} ms` },
      broken: { ok: false, reason: 'probe exploded' },
    });
  });

  it('runs the checks at most once per interval however often it is asked', async () => {
    const app = await start();
    let runs = 0;
    app.readiness.add('counted', () => {
      runs++;
      return { ok: true };
    });
    await Promise.all(Array.from({ length: 50 }, () => ready(app)));
    expect(runs).toBe(1);
  });
});
