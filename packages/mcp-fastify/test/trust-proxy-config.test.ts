// TRUST_PROXY names the proxies in front by address or CIDR; settings that would let a client choose
// its own address (true, a hop count, a range covering everything) are refused with what to write.
import { describe, expect, it } from 'vitest';
import { type ConfigError, EnvReader, readServerConfig } from '../src/index.js';

function read(value: string) {
  const env = new EnvReader({ TRUST_PROXY: value });
  const config = readServerConfig(env, { port: 8100 });
  try {
    env.finish();
    return { trustProxy: config.trustProxy, problems: [] as readonly string[] };
  } catch (error) {
    return { trustProxy: config.trustProxy, problems: (error as ConfigError).problems };
  }
}

describe('TRUST_PROXY', () => {
  it.each(['', 'false', '0', 'off'])('"%s" trusts no proxy', (value) => {
    expect(read(value)).toEqual({ trustProxy: [], problems: [] });
  });

  it('takes addresses, CIDRs and proxy-addr range names, comma-separated', () => {
    expect(read('10.0.0.5, 172.16.0.0/12,fd00::/8, ::1, loopback')).toEqual({
      trustProxy: ['10.0.0.5', '172.16.0.0/12', 'fd00::/8', '::1', 'loopback'],
      problems: [],
    });
  });

  it.each([
    ['true', 'TRUST_PROXY=true would believe the X-Forwarded-For header of any client'],
    ['yes', 'TRUST_PROXY=yes would believe the X-Forwarded-For header of any client'],
    ['1', 'TRUST_PROXY=1 looks like a hop count'],
    ['2', 'TRUST_PROXY=2 looks like a hop count'],
    ['proxy.internal', 'TRUST_PROXY entry "proxy.internal" is not an IP address or CIDR'],
    ['10.0.0.0/33', 'TRUST_PROXY entry "10.0.0.0/33" has an invalid prefix length'],
    ['0.0.0.0/0', 'TRUST_PROXY entry "0.0.0.0/0" covers every address'],
    ['::/0', 'TRUST_PROXY entry "::/0" covers every address'],
  ])('refuses "%s" and says what to write instead', (value, problem) => {
    const { problems } = read(value);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
    expect(problems[0]).toContain('TRUST_PROXY=10.0.0.5');
  });
});
