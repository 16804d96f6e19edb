// A server reached through a proxy that has no Streamable HTTP endpoint (as older deployments of the
// article's servers): the agent falls back to the legacy SSE transport and works the same.
import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Deployment, deploy, startAgent, writeScript } from './harness.js';

let d: Deployment;
let proxy: Server;
let proxyUrl: string;
beforeAll(async () => {
  d = await deploy();
  const target = d.servers['hr-server'].port;
  proxy = createServer((req, res) => {
    if (req.url?.startsWith('/mcp')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no streamable HTTP here');
      return;
    }
    const upstream = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
}, 60_000);
afterAll(async () => {
  proxy.closeAllConnections();
  proxy.close();
  await d.close();
});

it('connects over SSE when /mcp is missing, and calls tools through it', async () => {
  const run = startAgent(['--user', 'carol', '--script', writeScript(d.dir, ['/servers', '/call hr.get_leave_requests {}'])], {
    env: { ...d.env, HR_SERVER_URL: proxyUrl },
    interactive: false,
  });
  expect(await run.exit).toBe(0);
  expect(run.output()).toContain(`connected  hr-server (${proxyUrl}, sse, legacy era, MCP 2025-11-25)`);
  expect(run.output()).toContain('"employee_id": "EMP-003"');
});
