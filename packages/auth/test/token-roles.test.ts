// Roles in the shapes real identity providers emit, and RBAC over several roles. Before: ROLE_CLAIM
// named one top-level claim and only a string value counted, so Keycloak's realm_access.roles and
// Entra's roles array left every token without a role.
import { describe, expect, it } from 'vitest';
import { claimAt, decideAccess, type Principal, parsePolicy, parseRoleMap, principalFromClaims, rolesFromClaims } from '../src/index.js';

describe('the role claim', () => {
  const keycloak = {
    realm_access: { roles: ['default-roles-acme', 'hr-managers'] },
    resource_access: { 'hr-mcp': { roles: ['hr-staff'] } },
  };

  it('is a name or a dotted path, holding a string or an array of strings', () => {
    expect(rolesFromClaims({ job_role: 'Manager' }, { claim: 'job_role' })).toEqual(['Manager']);
    expect(rolesFromClaims({ roles: ['Manager', 'Employee', 'Manager'] }, { claim: 'roles' })).toEqual(['Manager', 'Employee']);
    expect(rolesFromClaims(keycloak, { claim: 'realm_access.roles' })).toEqual(['default-roles-acme', 'hr-managers']);
    expect(rolesFromClaims(keycloak, { claim: 'resource_access.hr-mcp.roles' })).toEqual(['hr-staff']);
    // Auth0 namespaced claims contain dots: the exact name is found first.
    expect(rolesFromClaims({ 'https://example.com/roles': ['Manager'] }, { claim: 'https://example.com/roles' })).toEqual(['Manager']);
  });

  it('ignores values that are not strings, and never walks into the prototype', () => {
    expect(rolesFromClaims({ roles: [1, null, '', { a: 1 }, 'Employee'] }, { claim: 'roles' })).toEqual(['Employee']);
    expect(rolesFromClaims({ roles: { Manager: true } }, { claim: 'roles' })).toEqual([]);
    expect(claimAt({}, '__proto__')).toBeUndefined();
    expect(claimAt({ a: {} }, 'a.constructor')).toBeUndefined();
    expect(rolesFromClaims({ realm_access: ['x'] }, { claim: 'realm_access.roles' })).toEqual([]);
  });

  it('with a role map, translates the IdP values and drops the unmapped ones (groups, Entra object ids)', () => {
    const map = parseRoleMap('{"7f0c7d3a-0000-4000-8000-00000000000a": "Manager", "/hr/staff": "Employee"}');
    const claims = { groups: ['/hr/staff', '7f0c7d3a-0000-4000-8000-00000000000a', 'Manager'] };
    expect(rolesFromClaims(claims, { claim: 'groups', map })).toEqual(['Employee', 'Manager']);
    // "Manager" itself is not in the map: a group that happens to be named like a role grants nothing.
    expect(rolesFromClaims({ groups: ['Manager'] }, { claim: 'groups', map })).toEqual([]);
  });

  it('reaches the principal: role is the first, roles all of them; Entra scp counts as scope', () => {
    const principal = principalFromClaims(
      { iss: 'https://login.example/t/v2.0', sub: 's', azp: 'app', scp: 'mcp read', roles: ['HR.Staff', 'HR.Manager'] },
      { roleClaim: 'roles', roleMap: parseRoleMap('HR.Manager=Manager,HR.Staff=Employee') },
    );
    expect(principal).toMatchObject({ role: 'Employee', roles: ['Employee', 'Manager'], scopes: ['mcp', 'read'], clientId: 'app' });
  });
});

describe('parseRoleMap', () => {
  it('reads pairs and JSON, and names each kind of mistake', () => {
    expect([...parseRoleMap(' a=Manager , b = Employee ,')]).toEqual([
      ['a', 'Manager'],
      ['b', 'Employee'],
    ]);
    expect(() => parseRoleMap('a')).toThrow('"a" is not idp-value=PolicyRole');
    expect(() => parseRoleMap('=Manager')).toThrow('"=Manager" is not idp-value=PolicyRole');
    expect(() => parseRoleMap('{"a": ')).toThrow('is not valid JSON');
    expect(() => parseRoleMap('{"a": ["Manager"]}')).toThrow('"a" must map to a role name');
    expect(() => parseRoleMap(',')).toThrow('maps nothing');
  });
});

describe('decideAccess over several roles', () => {
  const policy = parsePolicy(
    {
      version: 1,
      servers: {
        hr: {
          url: 'http://127.0.0.1:1',
          scopes: {
            'hr:read': { description: 'read', tools: ['read'] },
            'hr:write': { description: 'write', tools: ['write'] },
          },
        },
      },
      roles: {
        Reader: { access: { hr: { tools: ['read'], fields: ['personal'], rows: 'self' } } },
        Writer: { access: { hr: { tools: ['write'], fields: ['pay'], rows: 'all' } } },
        Admin: { access: { hr: { tools: '*' } } },
        Elsewhere: { access: {} },
      },
    },
    'test policy',
  );
  const as = (roles: string[]): Principal => ({ id: 'x', method: 'jwt', subject: 'x', clientId: 'x', scopes: [], role: roles[0], roles });

  it('grants the union of what the roles grant here', () => {
    const access = decideAccess(policy, 'hr', as(['Reader', 'Writer']));
    expect(access).toMatchObject({ role: 'Reader+Writer', roles: ['Reader', 'Writer'], rows: 'all' });
    expect([...(access.tools ?? [])].sort()).toEqual(['read', 'write']);
    expect([...access.fields].sort()).toEqual(['pay', 'personal']);
    expect(decideAccess(policy, 'hr', as(['Reader', 'Admin'])).tools).toBeUndefined();
  });

  it('roles that grant nothing here add nothing; none at all is refused with the claim named', () => {
    expect(decideAccess(policy, 'hr', as(['Elsewhere', 'Unknown', 'Reader']))).toMatchObject({ role: 'Reader', rows: 'self' });
    expect(() => decideAccess(policy, 'hr', as(['Elsewhere', 'Unknown']))).toThrow('Roles Elsewhere, Unknown may not use hr');
    expect(() => decideAccess(policy, 'hr', as([]), { roleClaim: 'realm_access.roles' })).toThrow(
      'Token has no realm_access.roles claim naming a role; access is denied',
    );
    // A principal with only `role` (API keys, older callers) still works.
    const single: Principal = { id: 'x', method: 'jwt', subject: 'x', clientId: 'x', scopes: [], role: 'Writer' };
    expect(decideAccess(policy, 'hr', single).role).toBe('Writer');
  });
});
