// The issuer's revocation feed: what it lists (and for how long), and a resource server's copy of it,
// polled from a local issuer stand-in that can stop answering or answer nonsense.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildRevocationFeed,
  createRevocationFeedClient,
  type OAuthClientRecord,
  REVOCATION_GRACE_SECONDS,
  type RevocationFeedDocument,
} from '../src/index.js';

const client = (clientId: string, revokedAt: Date | null) => ({ clientId, revokedAt }) as OAuthClientRecord;

describe('buildRevocationFeed', () => {
  it('lists clients revoked within the token lifetime (plus grace) and token ids that could still verify', async () => {
    const now = 1_800_000_000;
    const ttl = 3600;
    const feed = await buildRevocationFeed({
      issuer: 'https://issuer.test',
      tokenTtlSeconds: ttl,
      now: () => now * 1000,
      clients: {
        list: async () => [
          client('active', null),
          client('recent', new Date((now - 10) * 1000)),
          client('edge', new Date((now - ttl - REVOCATION_GRACE_SECONDS) * 1000)),
          client('long-ago', new Date((now - ttl - REVOCATION_GRACE_SECONDS - 1) * 1000)),
        ],
      },
      tokens: {
        entries: async () => [
          { jti: 'live', exp: now + 100 },
          { jti: 'in-grace', exp: now - REVOCATION_GRACE_SECONDS + 1 },
          { jti: 'dead', exp: now - REVOCATION_GRACE_SECONDS },
        ],
      },
    });
    expect(feed).toEqual({
      issuer: 'https://issuer.test',
      generated_at: now,
      clients: [
        { client_id: 'recent', revoked_at: now - 10 },
        { client_id: 'edge', revoked_at: now - ttl - REVOCATION_GRACE_SECONDS },
      ],
      tokens: [
        { jti: 'live', exp: now + 100 },
        { jti: 'in-grace', exp: now - REVOCATION_GRACE_SECONDS + 1 },
      ],
    });
  });
});

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** An issuer stand-in whose answer the test sets: a feed, a status code, or silence (never answers). */
async function standIn() {
  let answer: { feed: RevocationFeedDocument } | { status: number } | { body: string } | 'hang' = { status: 404 };
  server = createServer((_request, response) => {
    if (answer === 'hang') return;
    if ('status' in answer) {
      response.statusCode = answer.status;
      response.end();
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end('feed' in answer ? JSON.stringify(answer.feed) : answer.body);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/revocations`,
    answer: (next: typeof answer) => {
      answer = next;
    },
  };
}

const feedOf = (clients: string[], jtis: string[]): RevocationFeedDocument => ({
  issuer: 'https://issuer.test',
  generated_at: 0,
  clients: clients.map((client_id) => ({ client_id, revoked_at: 0 })),
  tokens: jtis.map((jti) => ({ jti, exp: 2_000_000_000 })),
});

describe('revocation feed client', () => {
  it('refuses listed clients and token ids, keeps the last list through failures, and says how old it is', async () => {
    const issuer = await standIn();
    const failures: Array<[string, number | undefined]> = [];
    const feed = createRevocationFeedClient({
      url: issuer.url,
      pollMs: 60_000,
      timeoutMs: 2000,
      onPollFailed: (error, lastSuccessAt) => failures.push([error.message, lastSuccessAt]),
    });
    expect(await feed.poll()).toBe(false); // an issuer without the feed: nothing known yet
    expect(feed.status()).toMatchObject({ lastSuccessAt: undefined, ageMs: undefined, lastError: 'revocation feed answered HTTP 404' });
    expect(feed.isRevoked({ jti: 'a', clientId: 'dave' })).toBe(false);

    issuer.answer({ feed: feedOf(['dave'], ['jti-1']) });
    expect(await feed.poll()).toBe(true);
    const fetchedAt = feed.status().lastSuccessAt as number;
    expect(feed.isRevoked({ jti: 'any', clientId: 'dave' })).toBe(true);
    expect(feed.isRevoked({ jti: 'jti-1', clientId: 'erin' })).toBe(true);
    expect(feed.isRevoked({ jti: 'jti-2', clientId: 'erin' })).toBe(false);
    expect(feed.isRevoked({ jti: undefined, clientId: 'erin' })).toBe(false);

    for (const broken of [{ status: 503 }, { body: '{"clients":"dave"}' }, { body: 'not json' }, 'hang'] as const) {
      issuer.answer(broken);
      expect(await feed.poll()).toBe(false);
      expect(feed.isRevoked({ jti: 'any', clientId: 'dave' })).toBe(true); // the last good list stays in force
    }
    expect(failures.slice(1).map(([, at]) => at)).toEqual([fetchedAt, fetchedAt, fetchedAt, fetchedAt]);
    expect(feed.status()).toMatchObject({ lastSuccessAt: fetchedAt, revokedClients: 1, revokedTokens: 1 });
    expect(feed.status().ageMs).toBeGreaterThanOrEqual(0);
    expect(feed.status().lastError).toMatch(/abort|timeout/i);

    issuer.answer({ feed: feedOf([], []) }); // entries leave the feed once their tokens are dead
    expect(await feed.poll()).toBe(true);
    expect(feed.isRevoked({ jti: 'any', clientId: 'dave' })).toBe(false);
    expect(feed.status().lastError).toBeUndefined();
  });

  it('refresh: a poll under way that read the feed before a change is followed by one that reads it after; calls meanwhile share it', async () => {
    // The feed is read when the request arrives and answered 100 ms later, like an issuer that reads
    // its database and is slow to send.
    let current = feedOf([], []);
    let requests = 0;
    server = createServer((_request, response) => {
      requests++;
      const body = JSON.stringify(current);
      setTimeout(() => response.setHeader('content-type', 'application/json').end(body), 100);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/revocations`;
    const feed = createRevocationFeedClient({ url, pollMs: 60_000 });

    const underWay = feed.poll();
    await expect.poll(() => requests).toBe(1); // it has read the old feed
    current = feedOf(['dave'], []);
    expect(await feed.poll()).toBe(true); // poll() shares the one under way: the old list
    await underWay;
    expect(feed.isRevoked({ jti: undefined, clientId: 'dave' })).toBe(false);

    const again = feed.poll();
    await expect.poll(() => requests).toBe(2);
    current = feedOf(['dave', 'erin'], []);
    const [a, b] = [feed.refresh(), feed.refresh()];
    expect(await Promise.all([a, b, again])).toEqual([true, true, true]);
    expect(requests).toBe(3); // one follow-up for both refreshes
    expect(feed.isRevoked({ jti: undefined, clientId: 'erin' })).toBe(true);
    expect(await feed.refresh()).toBe(true); // with nothing under way, it polls now
    expect(requests).toBe(4);
  });

  it('polls in the background once started, one poll at a time', async () => {
    const issuer = await standIn();
    issuer.answer({ feed: feedOf(['dave'], []) });
    const feed = createRevocationFeedClient({ url: issuer.url, pollMs: 10 });
    feed.start();
    try {
      await expect.poll(() => feed.isRevoked({ jti: undefined, clientId: 'dave' })).toBe(true);
      issuer.answer({ feed: feedOf(['erin'], []) });
      await expect.poll(() => feed.isRevoked({ jti: undefined, clientId: 'erin' })).toBe(true);
      expect(feed.isRevoked({ jti: undefined, clientId: 'dave' })).toBe(false);
    } finally {
      feed.stop();
    }
  });
});
