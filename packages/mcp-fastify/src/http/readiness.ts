/**
 * Readiness beside liveness. `GET /health` answers as long as the process does (a Kubernetes
 * livenessProbe: restart me if this fails). `GET /ready` says whether this server can do its job now
 * (a readinessProbe, compose's `depends_on: service_healthy`: send me traffic): each app adds checks
 * for what it depends on (its database, the issuer's keys, its signing keys) and the answer is
 *
 *   200 {"status":"ready","server":...,"checks":{"database":{"ok":true},...}}
 *   503 {"status":"not_ready","server":...,"checks":{"database":{"ok":false,"reason":"..."}}}
 *
 * A check that still works but wants an operator's attention returns ok with a `warning`. Checks
 * report what the server already knows or make one cheap local read; none waits on another server.
 * Each is cut off after CHECK_TIMEOUT_MS, and a report is reused for REPORT_MAX_AGE_MS so a flood of
 * /ready costs no more than one report a second. Reasons are for operators on a public endpoint: they
 * name files and settings, never secrets.
 */
import type { FastifyInstance } from 'fastify';

export type CheckResult = ({ ok: true; warning?: string } | { ok: false; reason: string }) & { [detail: string]: unknown };
export type ReadinessCheck = () => CheckResult | Promise<CheckResult>;

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: Record<string, CheckResult>;
}

export const CHECK_TIMEOUT_MS = 2000;
export const REPORT_MAX_AGE_MS = 1000;

declare module 'fastify' {
  interface FastifyInstance {
    /** The checks behind GET /ready; apps add theirs after building the app. */
    readiness: Readiness;
  }
}

async function run(check: ReadinessCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();
  #last: { at: number; report: Promise<ReadinessReport> } | undefined;

  add(name: string, check: ReadinessCheck): void {
    if (this.#checks.has(name)) throw new Error(`readiness check "${name}" is already registered`);
    this.#checks.set(name, check);
    this.#last = undefined;
  }

  /** Runs every check (at most once per REPORT_MAX_AGE_MS; concurrent callers share one run). */
  report(): Promise<ReadinessReport> {
    const now = Date.now();
    if (this.#last && now - this.#last.at < REPORT_MAX_AGE_MS) return this.#last.report;
    const report = (async () => {
      const names = [...this.#checks.keys()];
      const results = await Promise.all([...this.#checks.values()].map(run));
      const checks = Object.fromEntries(names.map((name, i) => [name, results[i] as CheckResult]));
      return { status: results.every((r) => r.ok) ? 'ready' : 'not_ready', checks } as ReadinessReport;
    })();
    this.#last = { at: now, report };
    return report;
  }
}

/** Decorates the app with `readiness` and serves GET /ready (public, like /health). */
export function registerReadiness(app: FastifyInstance, server: string): void {
  app.decorate('readiness', new Readiness());
  app.get('/ready', async (_request, reply) => {
    const { status, checks } = await app.readiness.report();
    return reply
      .code(status === 'ready' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status, server, checks });
  });
}
