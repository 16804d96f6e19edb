// hr-server as a process, through the suite all method 3 resource servers share.
import { join } from 'node:path';
import { describeResourceServerProcess } from '@mcp-auth/mcp-fastify/testing';

describeResourceServerProcess('hr-server', join(import.meta.dirname, '..'));
