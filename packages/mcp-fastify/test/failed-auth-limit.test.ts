// The failed-authentication limit per address: guessing past it gets 429 without reaching the
// verifier, while credentials that verified keep working from the limited address; the address is the
// peer's unless the peer is a proxy named in trustProxy; and a flood of refusals writes a few log
// lines, not one per request.
import type { Verifier } from '@mcp-auth/auth';
import { afterEach, describe, expect, it } from 'vitest';
import { addressKey, createFailedAuthLimiter } from '../src/app/failed-auth-limiter.js';
import { HEADERS, startKitApp, tableVerifier } from './kit-harness.js';

type Kit = Awaited<ReturnType<typeof startKitApp>>;
let kit: Kit | undefined;
afterEach(async () => {
  await kit?.app.close();
  kit = undefined;
});

/** The table verifier, counting the credentials that reach it. */
function countingVerifier(): Verifier & { calls: number } {
  const counting = {
    calls: 0,
    verify(credential: Parameters<Verifier['verify']>[0]) {
      counting.calls++;
      return tableVerifier.verify(credential);
    },
  };
  return counting;
}

const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

async function post(base: URL, headers: Record<string, string>): Promise<Response> {
  const res = await fetch(new URL('/mcp', base), { method: 'POST', headers: { ...HEADERS, ...headers }, body: BODY });
  await res.arrayBuffer();
  return res;
}

/** As sent through a trusted proxy: the proxy appends the address it saw to what the client wrote. */
const from = (address: string, token?: string, clientWrote?: string): Record<string, string> => ({
  'x-forwarded-for': clientWrote ? `${clientWrote}, ${address}` : address,
  ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
});

/** Info-and-above log lines, parsed. */
function logLines(k: Kit): Array<Record<string, unknown> & { msg: string; level: number }> {
  return k
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((line) => line.level >= 30);
}

describe('failed authentications per address', () => {
  it('past the limit, guesses get 429 without verification, and a credential that verified keeps working', async () => {
    const verifier = countingVerifier();
    const k = await startKitApp({ verifier, authFailuresPerMinute: 3, trustProxy: ['127.0.0.1'] });
    kit = k;
    const shared = '198.51.100.1'; // one NAT: a valid client and a guesser behind it
    expect((await post(k.base, from(shared, 'token-alice'))).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await post(k.base, from(shared, `guess-${i}`))).status).toBe(401);
    const callsAtLimit = verifier.calls;

    for (let i = 0; i < 20; i++) {
      const refused = await post(k.base, from(shared, `guess-more-${i}`));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect((await post(k.base, { ...from(shared), authorization: 'Digest nonsense' })).status).toBe(429); // unparsable too
    expect(verifier.calls).toBe(callsAtLimit); // none of them was verified

    // The valid client behind the same address is served, and still verified each time.
    for (let i = 0; i < 5; i++) expect((await post(k.base, from(shared, 'token-alice'))).status).toBe(200);
    expect(verifier.calls).toBe(callsAtLimit + 5);
    expect((await post(k.base, from(shared))).status).toBe(401); // no credentials: the challenge, not a 429

    // A credential never verified gets 429 from the limited address, works from another, and then
    // from the limited one too.
    expect((await post(k.base, from(shared, 'token-bob'))).status).toBe(429);
    expect((await post(k.base, from('198.51.100.2', 'token-bob'))).status).toBe(200);
    expect((await post(k.base, from(shared, 'token-bob'))).status).toBe(200);
  });

  it('a spoofed X-Forwarded-For from a peer that is not a named proxy changes nothing: rotating it does not escape the limit', async () => {
    const k = await startKitApp({ authFailuresPerMinute: 3, trustProxy: ['10.0.0.1'] });
    kit = k;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await post(k.base, from(`203.0.113.${i}`, 'wrong'))).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    expect(logLines(k).find((l) => l.msg === 'authentication failed')).toMatchObject({ ip: '127.0.0.1' });
  });

  it('behind a named proxy the right-most address it did not add is the key: a client cannot rotate it or lock out a victim', async () => {
    const k = await startKitApp({ authFailuresPerMinute: 3, trustProxy: ['127.0.0.1'] });
    kit = k;
    const attacker = '203.0.113.7';
    const victim = '198.51.100.9';
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      // The attacker writes a new leftmost address each time, and sometimes the victim's.
      statuses.push((await post(k.base, from(attacker, 'wrong', i % 2 ? victim : `192.0.2.${i}`))).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    expect(logLines(k).find((l) => l.msg === 'authentication failed')).toMatchObject({ ip: attacker });
    // The victim, with a credential the server has never seen, is not limited.
    expect((await post(k.base, from(victim, 'token-bob'))).status).toBe(200);
  });
});

describe('the limiter over time', () => {
  it('an address is limited until its minute is over; verified credentials are remembered at least 10 minutes, failed ones forgotten', () => {
    let t = 1_000_000;
    const limiter = createFailedAuthLimiter({ maxPerMinute: 2, now: () => t });
    const good = { kind: 'bearer', token: 'good' } as const;
    const other = { kind: 'bearer', token: 'other' } as const;
    limiter.verified(good);
    limiter.failed('192.0.2.1', undefined);
    expect(limiter.retryAfter('192.0.2.1', other)).toBeUndefined();
    limiter.failed('192.0.2.1', other);
    expect(limiter.retryAfter('192.0.2.1', other)).toBe(60);
    expect(limiter.retryAfter('192.0.2.1', good)).toBeUndefined();
    expect(limiter.retryAfter('192.0.2.2', other)).toBeUndefined();
    t += 59_000;
    expect(limiter.retryAfter('192.0.2.1', other)).toBe(1);
    t += 1_000;
    expect(limiter.retryAfter('192.0.2.1', other)).toBeUndefined();

    // Over the limit again: `good` is still known 19 minutes after it verified, not after 21.
    limiter.failed('192.0.2.1', undefined);
    limiter.failed('192.0.2.1', undefined);
    t += 18 * 60_000;
    limiter.failed('192.0.2.1', undefined);
    limiter.failed('192.0.2.1', undefined);
    expect(limiter.retryAfter('192.0.2.1', good)).toBeUndefined();
    t += 2 * 60_000;
    limiter.verified(other); // successes of other credentials start new generations
    t += 10 * 60_000 + 1;
    limiter.verified({ kind: 'api-key-header', key: 'third' });
    limiter.failed('192.0.2.1', undefined);
    limiter.failed('192.0.2.1', undefined);
    expect(limiter.retryAfter('192.0.2.1', good)).toBeGreaterThan(0);
    expect(limiter.retryAfter('192.0.2.1', other)).toBeUndefined();

    // A remembered credential that fails (revoked, expired) is forgotten at once.
    limiter.failed('192.0.2.1', other);
    expect(limiter.retryAfter('192.0.2.1', other)).toBeGreaterThan(0);
  });
});

describe('IPv6 addresses are limited per /64', () => {
  it.each([
    ['2001:db8:0:1::5', '2001:db8:0:1::/64'],
    ['2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd', '2001:db8:0:1::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['192.0.2.1', '192.0.2.1'],
  ])('%s counts as %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  it('a new address per guess inside one /64 does not escape the limit; another /64 is not limited', async () => {
    const k = await startKitApp({ authFailuresPerMinute: 3, trustProxy: ['127.0.0.1'] });
    kit = k;
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) statuses.push((await post(k.base, from(`2001:db8:0:1::${i.toString(16)}`, 'wrong'))).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    expect((await post(k.base, from('2001:db8:0:2::1', 'token-bob'))).status).toBe(200);
  });
});

describe('refusal logs under a flood', () => {
  it('the first refusal of each kind is logged, the rest counted in one summary line per window', async () => {
    const k = await startKitApp({ authFailuresPerMinute: 5, refusalLogWindowMs: 60_000 });
    kit = k;
    const sent = { failed: 0, limited: 0, origin: 0 };
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = 0; i < 50; i++) {
          if (i % 5 === 0) {
            const res = await post(k.base, { origin: 'https://evil.example', authorization: 'Bearer token-alice' });
            expect(res.status).toBe(403);
            sent.origin++;
          } else {
            const res = await post(k.base, { authorization: `Bearer wrong-${worker}-${i}` });
            expect([401, 429]).toContain(res.status);
            if (res.status === 401) sent.failed++;
            else sent.limited++;
          }
        }
      }),
    );
    expect(sent).toEqual({ failed: 5, limited: 155, origin: 40 });
    await k.app.close(); // writes the window's summary
    const lines = logLines(k).filter((l) => !l.msg.includes('listening'));
    expect(lines.map((l) => l.msg).sort()).toEqual([
      'authentication failed',
      'refused requests in this window, by kind (the first of each kind was logged in full)',
      'request refused by Host/Origin check',
      'too many failed authentications from this address',
    ]);
    expect(lines.find((l) => l.msg.startsWith('refused requests'))).toMatchObject({
      refusals: {
        'authentication failed: Unknown test token': 5,
        'too many failed authentications': 155,
        'Host/Origin check: Origin not allowed': 40,
      },
      total: 200,
      addresses: 1,
    });
  });

  it('a window with repeats ends in a summary, and the next refusal is logged in full again', async () => {
    const k = await startKitApp({ refusalLogWindowMs: 200 });
    kit = k;
    for (let i = 0; i < 3; i++) await post(k.base, { authorization: 'Bearer wrong' });
    await expect.poll(() => logLines(k).filter((l) => l.msg.startsWith('refused requests')).length).toBe(1);
    await post(k.base, { authorization: 'Bearer wrong' });
    expect(logLines(k).filter((l) => l.msg === 'authentication failed')).toHaveLength(2);
  });
});
