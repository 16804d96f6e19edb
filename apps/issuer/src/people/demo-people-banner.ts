import type { DemoPerson } from './demo-people.js';

export function demoPeopleBanner(people: readonly DemoPerson[], resourceExample: string): string {
  return [
    '',
    '  Demo people for browser sign-in (dev mode):',
    '',
    ...people.map((p) => `    ${p.username.padEnd(6)} ${p.role.padEnd(17)} ${p.password}`),
    '',
    `  Connect any MCP client by OAuth, e.g.  npx @modelcontextprotocol/inspector  ->  ${resourceExample}mcp`,
    '',
  ].join('\n');
}
