// The scope vocabulary of the policy file: validated at load with every problem listed, and the
// functions the issuer and the resource servers take their scopes from.
import { describe, expect, it } from 'vitest';
import {
  baseScopes,
  checkPolicyTools,
  DEFAULT_POLICY_PATH,
  grantableScopes,
  loadPolicy,
  PolicyError,
  parsePolicy,
  policyScopes,
  requiredScopes,
  serverScopes,
  toolScopeRule,
  unknownScopes,
} from '../src/index.js';

const policy = loadPolicy(DEFAULT_POLICY_PATH);

const HR_TOOLS = [
  'add_employee_record',
  'get_employee_records',
  'create_leave_request',
  'get_leave_requests',
  'approve_leave_request',
  'reject_leave_request',
  'create_performance_review',
  'get_performance_reviews',
  'get_hr_summary',
];

/** A small valid policy to break one piece at a time. */
function document(overrides: { scopes?: unknown; roles?: unknown; servers?: unknown } = {}) {
  return {
    version: 1,
    servers: overrides.servers ?? {
      hr: {
        url: 'http://127.0.0.1:1',
        scopes: overrides.scopes ?? {
          'hr:read': { description: 'Read', tools: ['get_a'] },
          'hr:approve': { description: 'Approve', tools: ['approve'], stepUp: true },
        },
      },
    },
    roles: overrides.roles ?? { Boss: { access: { hr: { tools: '*' } } } },
  };
}

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyError) return error.problems;
    throw error;
  }
  throw new Error('the policy was accepted');
}

describe('the shipped policy', () => {
  it('covers every real tool of every server with a scope (checkPolicyTools passes)', () => {
    expect(() => checkPolicyTools(policy, 'hr-server', HR_TOOLS)).not.toThrow();
  });

  it('lists every scope with a one-line description, mcp last, offline_access nowhere', () => {
    const scopes = policyScopes(policy);
    expect(scopes.map((s) => s.name)).toEqual([
      'hr:read',
      'hr:write',
      'hr:approve',
      'projects:read',
      'projects:write',
      'crm:read',
      'crm:write',
      'mcp',
    ]);
    for (const { description } of scopes) expect(description).toMatch(/^[^\n]{10,200}$/);
  });

  it('grants each role the scopes of the tools it may use, and mcp', () => {
    expect(grantableScopes(policy, ['Manager'])).toEqual(policyScopes(policy).map((s) => s.name));
    // No approvals for an AssistantManager, and no CRM at all.
    expect(grantableScopes(policy, ['AssistantManager'])).toEqual(['hr:read', 'hr:write', 'projects:read', 'projects:write', 'mcp']);
    expect(grantableScopes(policy, ['Employee'])).toEqual(['hr:read', 'mcp']);
    // Several roles: the union, in policy order.
    expect(grantableScopes(policy, ['Employee', 'AssistantManager'])).toEqual(grantableScopes(policy, ['AssistantManager']));
    expect(grantableScopes(policy, ['Officer'])).toEqual([]);
    expect(grantableScopes(policy, ['__proto__', 'constructor'])).toEqual([]);
    expect(grantableScopes(policy, [])).toEqual([]);
  });

  it('names per server what it advertises, what it challenges with first, and what each tool needs', () => {
    expect(serverScopes(policy, 'hr-server')).toEqual(['hr:read', 'hr:write', 'hr:approve']);
    expect(baseScopes(policy, 'hr-server')).toEqual(['hr:read', 'hr:write']);
    expect(baseScopes(policy, 'crm-server')).toEqual(['crm:read', 'crm:write']);
    expect(requiredScopes(policy, 'hr-server', 'approve_leave_request')).toEqual(['hr:approve']);
    expect(requiredScopes(policy, 'project-server', 'update_task_state')).toEqual(['projects:write']);
    expect(() => requiredScopes(policy, 'hr-server', 'get_crm_summary')).toThrow(/in no scope of hr-server/);
    expect(() => serverScopes(policy, 'payroll-server')).toThrow(/not a server of the policy/);
  });

  it('names the scopes it does not know, for the issuer to refuse', () => {
    expect(unknownScopes(policy, ['hr:read', 'mcp', 'offline_access', 'openid', 'hr:reed', 'constructor'])).toEqual([
      'hr:reed',
      'constructor',
    ]);
  });
});

describe('the scope rule a server enforces', () => {
  const rule = toolScopeRule(policy, 'hr-server');

  it('mcp covers every tool; a tool scope covers its own tools only', () => {
    expect(rule.missing(['mcp'], 'approve_leave_request')).toEqual([]);
    expect(rule.missing(['hr:read'], 'get_hr_summary')).toEqual([]);
    expect(rule.missing(['hr:read', 'offline_access'], 'approve_leave_request')).toEqual(['hr:approve']);
    // A scope of another server is no use here.
    expect(rule.missing(['crm:write'], 'add_employee_record')).toEqual(['hr:write']);
    expect(rule.missing(['mcp'], 'no_such_tool')).toBeUndefined();
  });

  it('admits a token with mcp or any scope of this server, and no other', () => {
    expect(rule.admits(['mcp'])).toBe(true);
    expect(rule.admits(['hr:approve'])).toBe(true);
    expect(rule.admits(['crm:read', 'offline_access', 'openid'])).toBe(false);
    expect(rule.admits([])).toBe(false);
  });

  it('challenges with the base scopes on 401, and with the held scopes plus the missing ones on 403', () => {
    expect(rule.challengeScope).toBe('hr:read hr:write');
    expect(rule.challengeFor(['hr:read', 'offline_access', 'crm:read'], ['hr:approve'])).toBe('hr:read hr:approve');
  });

  it('lists what the token covers and what a step-up scope covers, not a base scope the token was not given', () => {
    expect(rule.lists(['hr:read'], 'get_leave_requests')).toBe(true);
    expect(rule.lists(['hr:read'], 'approve_leave_request')).toBe(true);
    expect(rule.lists(['hr:read'], 'create_leave_request')).toBe(false);
    expect(rule.key(['offline_access', 'hr:write', 'hr:read'])).toBe('hr:read hr:write');
    expect(rule.key(['hr:read', 'mcp'])).toBe('mcp');
  });

  it('a tool named by two scopes needs both', () => {
    const both = parsePolicy(
      document({
        scopes: {
          'hr:read': { description: 'Read', tools: ['get_a', 'approve'] },
          'hr:approve': { description: 'Approve', tools: ['approve'], stepUp: true },
        },
      }),
      'test',
    );
    expect(requiredScopes(both, 'hr', 'approve')).toEqual(['hr:read', 'hr:approve']);
    expect(toolScopeRule(both, 'hr').missing(['hr:approve'], 'approve')).toEqual(['hr:read']);
  });
});

describe('policy validation lists every scope problem at once', () => {
  it('accepts the small policy', () => {
    expect(() => parsePolicy(document(), 'test')).not.toThrow();
  });

  it('reserved, badly formed, duplicated and undescribed scopes, and a server with only step-up scopes', () => {
    const problems = problemsOf(() =>
      parsePolicy(
        document({
          servers: {
            hr: {
              url: 'http://127.0.0.1:1',
              scopes: {
                mcp: { description: 'Umbrella again', tools: ['get_a'], stepUp: true },
                offline_access: { description: 'Refresh', tools: ['get_b'], stepUp: true },
                'hr approve': { description: 'Space', tools: ['get_c'] },
                'hr:dup': { description: 'Twice', tools: ['get_d', 'get_d'], stepUp: true },
              },
            },
            crm: {
              url: 'http://127.0.0.1:2',
              scopes: { 'hr:dup': { description: '  ', tools: [] } },
            },
            empty: { url: 'http://127.0.0.1:3', scopes: {} },
          },
          roles: {},
        }),
        'test',
      ),
    );
    expect(problems).toEqual([
      'servers.crm.scopes.hr:dup.description: a scope needs a description a consent page can show',
      'servers.crm.scopes.hr:dup.tools: list at least one tool this scope covers',
    ]);
    // Shape problems stop parsing first; fix them and the vocabulary's own rules are reported together.
    const second = problemsOf(() =>
      parsePolicy(
        document({
          servers: {
            hr: {
              url: 'http://127.0.0.1:1',
              scopes: {
                mcp: { description: 'Umbrella again', tools: ['get_a'], stepUp: true },
                offline_access: { description: 'Refresh', tools: ['get_b'], stepUp: true },
                'hr approve': { description: 'Space', tools: ['get_c'], stepUp: true },
                'hr:dup': { description: 'Twice', tools: ['get_d', 'get_d'], stepUp: true },
              },
            },
            crm: { url: 'http://127.0.0.1:2', scopes: { 'hr:dup': { description: 'Again', tools: ['x'] } } },
            empty: { url: 'http://127.0.0.1:3', scopes: {} },
          },
          roles: { Boss: { access: { hr: { tools: ['get_a', 'get_typo'] }, crm: { tools: '*' } } } },
        }),
        'test',
      ),
    );
    expect(second).toEqual([
      'servers.hr.scopes: at least one scope must not be stepUp, so a client has something to ask for when it connects',
      'servers.hr.scopes.mcp: "mcp" is reserved (mcp, offline_access, openid); choose another name',
      'servers.hr.scopes.offline_access: "offline_access" is reserved (mcp, offline_access, openid); choose another name',
      'servers.hr.scopes.hr approve: a scope name is printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)',
      'servers.hr.scopes.hr:dup.tools: "get_d" is listed twice',
      'servers.crm.scopes.hr:dup: also declared by hr; a scope belongs to one server',
      'servers.empty.scopes: declare at least one scope covering its tools',
      'roles.Boss.access.hr.tools: "get_typo" is in no scope of servers.hr.scopes, so no token could call it',
    ]);
  });

  it('a server without scopes is refused with a message naming the field', () => {
    const problems = problemsOf(() => parsePolicy(document({ servers: { hr: { url: 'http://127.0.0.1:1' } } }), 'test'));
    expect(problems).toEqual([expect.stringMatching(/^servers\.hr\.scopes: /)]);
  });

  it('at startup: a tool in no scope and a scope naming a tool the server does not have, together', () => {
    const small = parsePolicy(document(), 'test');
    expect(problemsOf(() => checkPolicyTools(small, 'hr', ['get_a', 'get_new']))).toEqual([
      'servers.hr.scopes.hr:approve.tools: "approve" is not a tool of hr (it has: get_a, get_new)',
      'servers.hr.scopes: no scope covers the tool "get_new"; add it to one',
    ]);
  });
});
