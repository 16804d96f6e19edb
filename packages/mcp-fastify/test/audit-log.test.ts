// The audit line of a tool call: exactly the event's fields, and the redaction that still applies to
// it (top level) beside the application log's (any depth).
import { Writable } from 'node:stream';
import type { Principal } from '@mcp-auth/auth';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../src/app/audit.js';
import { createLogger, FLAT_LINE_REDACTION, REDACTED_PATHS } from '../src/http/logger.js';

function capture(base?: Record<string, unknown>) {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _e, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { lines, raw, log: createLogger({ level: 'info', destination, ...(base ? { base } : {}) }) };
}

const principal: Principal = { id: 'iss#alice', method: 'jwt', subject: 'alice', clientId: 'agent', scopes: ['mcp'], role: 'Manager' };
const authInfo = { token: 'eyJ.secret.token', clientId: 'agent', scopes: ['mcp'], extra: { principal } };

describe('audit log', () => {
  it('writes one flat event per call with who, what and the decision, and never the token', async () => {
    const { lines, log } = capture();
    const audit = createAuditLog(log, 'hr-server');
    audit.completed({
      method: 'tools/call',
      params: { name: 'get_leave_requests', arguments: { employee_id: 'EMP-1' } },
      authInfo,
      response: { jsonrpc: '2.0', id: 1, result: { content: [] } },
      durationMs: 1.23456,
    } as never);
    audit.denied('approve_leave_request', { authInfo } as never, 'hr:approve');
    log.flush();
    await new Promise((r) => setTimeout(r, 50));
    const events = lines.filter((l) => l.audit === true);
    expect(events.map(({ time, level, msg, ...rest }) => rest)).toEqual([
      {
        audit: true,
        event: 'tool_call',
        server: 'hr-server',
        principal: 'iss#alice',
        role: 'Manager',
        tool: 'get_leave_requests',
        decision: 'allow',
        outcome: 'ok',
        durationMs: 1.235,
      },
      {
        audit: true,
        event: 'tool_call',
        server: 'hr-server',
        principal: 'iss#alice',
        role: 'Manager',
        tool: 'approve_leave_request',
        decision: 'deny',
        outcome: 'denied',
        durationMs: 0,
        requiredScope: 'hr:approve',
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret.token');
    expect(JSON.stringify(lines)).not.toContain('EMP-1'); // argument values are never recorded
  });

  it("names the server once per line, also when the server's logger already binds it", async () => {
    for (const base of [undefined, { server: 'hr-server' }]) {
      const { raw, log } = capture(base);
      createAuditLog(log, 'hr-server').denied('approve_leave_request', { authInfo } as never);
      log.flush();
      await new Promise((r) => setTimeout(r, 20));
      const line = raw.find((l) => l.includes('"audit":true')) ?? '';
      expect(line.match(/"server":/g), line).toHaveLength(1);
      expect(JSON.parse(line).server).toBe('hr-server');
    }
  });

  it('the application log still censors secret-named fields at any depth', async () => {
    const { lines, log } = capture();
    log.info({ token: 'top-secret-1', body: { client_secret: 'top-secret-2', nested: { x: 1 } }, api_key: 'top-secret-3' }, 'line');
    log.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(JSON.stringify(lines)).not.toMatch(/top-secret/);
    expect(lines[0]).toMatchObject({ token: '[redacted]', body: { client_secret: '[redacted]' }, api_key: '[redacted]' });
  });

  it('the flat-line redaction censors, at the top level, every name the full list censors', () => {
    const names = new Set(
      REDACTED_PATHS.map((path) => path.replace(/^\*\./, '')).filter((path) => !path.includes('.') && !path.includes('[')),
    );
    for (const name of names) expect(FLAT_LINE_REDACTION).toContain(name);
    expect(FLAT_LINE_REDACTION.some((path) => path.startsWith('*'))).toBe(false);
  });
});
