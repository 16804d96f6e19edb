// On a 401 the agent renews its token once, shared by concurrent calls, and retries once; a second
// 401 is returned to the caller, not looped.
import { createServer } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearerSource } from '../src/identity/token-source.js';
import { authenticatedFetch } from '../src/servers/authenticated-fetch.js';

let url: string;
let hits = 0;
const server = createServer((_req, res) => {
  hits++;
  res.writeHead(401).end();
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
});
afterAll(() => server.close());

it('renews once for five concurrent 401s, retries each once, and reports the second 401', async () => {
  let obtained = 0;
  const source = bearerSource(async () => `token-${++obtained}`, 'test');
  let renewals = 0;
  const doFetch = authenticatedFetch(source, () => renewals++);
  const responses = await Promise.all(Array.from({ length: 5 }, () => doFetch(url, { method: 'POST', body: '{}' })));
  expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
  expect(hits).toBe(10); // each call: the first try and one retry
  expect(obtained).toBe(2); // the first token and one shared renewal
  expect(renewals).toBe(5); // every call retried once; only one of them fetched a token
});
