// The real-service helpers that the replica tests stand on: PostgreSQL, Redis and nginx from Debian's
// packages, started on loopback in folders of their own, restarted with their data, killed, and
// removed. Each is skipped with the reason when its binary is missing (.ci/run installs all three).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { missingService, type RunningService, startNginx, startPostgres, startRedis } from '../testing/services.js';

const running: RunningService[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

const refused = async (port: number) => {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
};

describe.skipIf(missingService('postgres'))(`PostgreSQL ${missingService('postgres') ?? ''}`, () => {
  it('starts on loopback, keeps committed rows through a fast restart and through SIGKILL, and is gone after close', async () => {
    const pg = await startPostgres();
    running.push(pg);
    expect(pg.url).toMatch(/^postgres:\/\/mcp@127\.0\.0\.1:\d+\/postgres$/);
    expect(pg.psql('select 1')).toBe('1');
    pg.psql('create table acknowledged (id int primary key); insert into acknowledged values (1)');

    await pg.restart();
    pg.psql('insert into acknowledged values (2)');
    // A crash: no shutdown checkpoint; what was committed comes back from the WAL.
    const before = pg.pid();
    pg.kill('SIGKILL');
    await pg.restart();
    expect(pg.pid()).not.toBe(before);
    expect(pg.psql("select string_agg(id::text, ',' order by id) from acknowledged")).toBe('1,2');

    await pg.close();
    running.pop();
    expect(existsSync(pg.dir)).toBe(false);
    expect(() => pg.psql('select 1')).toThrow();
  }, 60_000);
});

describe.skipIf(missingService('redis'))(`Redis ${missingService('redis') ?? ''}`, () => {
  const cli = (port: number, ...args: string[]) => execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).trim();

  it('answers on loopback, hangs on SIGSTOP and answers again on SIGCONT, and keeps nothing across a restart', async () => {
    const redis = await startRedis();
    running.push(redis);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(cli(redis.port, 'set', 'k', 'v')).toBe('OK');
    expect(cli(redis.port, 'get', 'k')).toBe('v');
    // A hung Redis: the port still accepts, nothing answers.
    redis.kill('SIGSTOP');
    expect(() => execFileSync('redis-cli', ['-p', String(redis.port), '-t', '1', 'ping'], { timeout: 3000, stdio: 'pipe' })).toThrow();
    redis.kill('SIGCONT');
    expect(cli(redis.port, 'ping')).toBe('PONG');
    // Without snapshots or an append-only file a restart is an empty Redis: what a cache may lose.
    await redis.restart();
    expect(cli(redis.port, 'get', 'k')).toBe('');
  }, 60_000);
});

describe.skipIf(missingService('nginx'))(`nginx ${missingService('nginx') ?? ''}`, () => {
  it('proxies round-robin to upstreams on loopback, and stops listening when stopped', async () => {
    const upstream = async (name: string) => {
      const server = createServer((_req, res) => res.end(name));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      return (server.address() as AddressInfo).port;
    };
    const [a, b] = [await upstream('a'), await upstream('b')];
    const nginx = await startNginx(
      (port) => `upstream replicas { server 127.0.0.1:${a}; server 127.0.0.1:${b}; }
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://replicas; } }`,
    );
    running.push(nginx);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await (await fetch(`${nginx.url}/`)).text());
    expect(answers.sort()).toEqual(['a', 'a', 'b', 'b']);
    await nginx.stop();
    expect(await refused(nginx.port)).toBe(true);
    await nginx.restart();
    expect(await (await fetch(`${nginx.url}/`)).text()).toMatch(/^[ab]$/);
  }, 60_000);
});
