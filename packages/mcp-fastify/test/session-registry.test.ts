import { describe, expect, it } from 'vitest';
import { type McpSession, SessionLimitError, SessionRegistry } from '../src/sessions/session-registry.js';

function registry(limits: Partial<ConstructorParameters<typeof SessionRegistry>[0]> = {}) {
  let now = 1_000_000;
  const closed: McpSession[] = [];
  const r = new SessionRegistry(
    { idleTimeoutMs: 60_000, maxPerPrincipal: 3, maxTotal: 100, ...limits },
    (s) => closed.push(s),
    () => now,
  );
  return { r, closed, advance: (ms: number) => (now += ms) };
}

describe('SessionRegistry', () => {
  it('finds a session only for its owner and its transport', () => {
    const { r } = registry();
    const s = r.open('streamable-http', 'alice');
    expect(r.find(s.id, 'alice', 'streamable-http')).toBe(s);
    expect(r.find(s.id, 'bob', 'streamable-http')).toBeUndefined();
    expect(r.find(s.id, 'alice', 'sse')).toBeUndefined();
    r.closeAll();
  });

  it('closes idle sessions, keeps active ones', () => {
    const { r, closed, advance } = registry();
    const idle = r.open('streamable-http', 'alice');
    const busy = r.open('streamable-http', 'alice');
    advance(40_000);
    r.find(busy.id, 'alice', 'streamable-http');
    advance(30_000);
    r.sweepIdle();
    expect(closed.map((s) => s.id)).toEqual([idle.id]);
    expect(r.find(busy.id, 'alice', 'streamable-http')).toBe(busy);
    r.closeAll();
  });

  it('evicts the least recently used session of a principal over its limit, leaving others alone', () => {
    const { r, closed, advance } = registry({ maxPerPrincipal: 2 });
    const bob = r.open('sse', 'bob');
    const first = r.open('streamable-http', 'alice');
    advance(1);
    const second = r.open('streamable-http', 'alice');
    advance(1);
    r.find(first.id, 'alice', 'streamable-http');
    r.open('streamable-http', 'alice');
    expect(closed.map((s) => s.id)).toEqual([second.id]);
    expect(r.find(bob.id, 'bob', 'sse')).toBe(bob);
    r.closeAll();
  });

  it('refuses new sessions past the process limit', () => {
    const { r } = registry({ maxTotal: 2, maxPerPrincipal: 5 });
    r.open('sse', 'a');
    r.open('sse', 'b');
    expect(() => r.open('sse', 'c')).toThrow(SessionLimitError);
    r.closeAll();
  });
});
