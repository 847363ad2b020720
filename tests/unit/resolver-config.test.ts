import { describe, expect, it } from 'vitest';
import { claimOfTags, creatorRequestIdFor, ruleNameFor, ruleTags } from '../../lib/plan/resolver-rules.js';
import { ConfigError } from '../../lib/platform/errors.js';
import { resolverConfigFromEnv } from '../../lib/platform/resolver-config.js';
import { deploymentOf } from '../../tools/world/deployment.js';

const endpoint = 'rslvr-out-0123456789abcdef0';

describe('the Resolver configuration', () => {
  it('is off without an endpoint, and delegates by default with one', () => {
    expect(resolverConfigFromEnv({})).toEqual({
      rule: 'none',
      endpointId: undefined,
      vpcIds: undefined,
      pacing: { ratePerSecond: 2, burst: 2 },
      share: 4,
    });
    expect(resolverConfigFromEnv({ RESOLVER_ENDPOINT_ID: endpoint }).rule).toBe('delegate');
  });

  it('reads forward, the VPC list (deduplicated) and the rate', () => {
    // Act
    const config = resolverConfigFromEnv({
      RESOLVER_ENDPOINT_ID: endpoint,
      RESOLVER_RULE: 'forward',
      RESOLVER_VPC_IDS: 'vpc-0a1b2c3d4e5f60718, vpc-12345678,vpc-12345678',
      RESOLVER_RATE: '0.5',
    });

    // Assess
    expect(config).toEqual({
      rule: 'forward',
      endpointId: endpoint,
      vpcIds: ['vpc-0a1b2c3d4e5f60718', 'vpc-12345678'],
      pacing: { ratePerSecond: 0.5, burst: 1 },
      share: 4,
    });
  });

  it('derives each container’s rate from the share and the containers, at most 2/s', () => {
    // Act
    const three = resolverConfigFromEnv({ ROUTE53_CONTAINERS: '3' });
    const two = resolverConfigFromEnv({ ROUTE53_CONTAINERS: '2', RESOLVER_SHARE: '5' });
    const one = resolverConfigFromEnv({ RESOLVER_SHARE: '5' });

    // Assess: together within the share; one container alone never above 2/s
    expect(three.pacing).toEqual({ ratePerSecond: 4 / 3, burst: 1 });
    expect(two.pacing).toEqual({ ratePerSecond: 2, burst: 2 });
    expect(one.pacing.ratePerSecond).toBe(2);
  });

  it('accepts an explicit rate within the share at the deployment’s containers', () => {
    expect(resolverConfigFromEnv({ RESOLVER_RATE: '1', ROUTE53_CONTAINERS: '4' }).pacing.ratePerSecond).toBe(1);
  });

  it.each([
    [{ RESOLVER_RULE: 'delegate' }, 'RESOLVER_RULE=delegate needs RESOLVER_ENDPOINT_ID'],
    [{ RESOLVER_RULE: 'forward' }, 'RESOLVER_RULE=forward needs RESOLVER_ENDPOINT_ID'],
    [{ RESOLVER_RULE: 'Forward', RESOLVER_ENDPOINT_ID: endpoint }, 'RESOLVER_RULE must be'],
    [{ RESOLVER_ENDPOINT_ID: 'rslvr-in-0123456789abcdef0' }, 'RESOLVER_ENDPOINT_ID must be an outbound'],
    [{ RESOLVER_ENDPOINT_ID: endpoint, RESOLVER_VPC_IDS: 'vpc-1,subnet-0123abcd' }, 'bad entry "vpc-1"'],
    [{ RESOLVER_RATE: '6' }, 'RESOLVER_RATE must be a number above 0 and at most 5'],
    [{ RESOLVER_SHARE: '6' }, 'RESOLVER_SHARE must be a number above 0 and at most 5'],
    [
      { RESOLVER_RATE: '2', ROUTE53_CONTAINERS: '3' },
      'RESOLVER_RATE=2 requests/s per container × ROUTE53_CONTAINERS=3 is more than RESOLVER_SHARE=4',
    ],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => resolverConfigFromEnv(env)).toThrow(ConfigError);
    expect(() => resolverConfigFromEnv(env)).toThrow(message);
  });
});

describe('a rule’s ownership tags', () => {
  const me = deploymentOf('rlec-dns-test');

  it('say ours for our owner, account, Region and cluster', () => {
    expect(claimOfTags(ruleTags(me, 'c1.example.com'), me, 'c1.example.com')).toEqual({ kind: 'ours' });
  });

  it('say elsewhere for another account or Region, foreign for another owner here or no heritage', () => {
    // Prepare
    const there = deploymentOf('rlec-dns-test', { account: '222222222222', region: 'eu-west-1' });

    // Assess
    expect(claimOfTags(ruleTags(there, 'c1.example.com'), me, 'c1.example.com')).toEqual({
      kind: 'elsewhere',
      owner: 'rlec-dns-test',
      account: '222222222222',
      region: 'eu-west-1',
    });
    expect(claimOfTags(ruleTags(deploymentOf('other'), 'c1.example.com'), me, 'c1.example.com').kind).toBe('foreign');
    expect(claimOfTags(ruleTags(me, 'c2.example.com'), me, 'c1.example.com').kind).toBe('foreign');
    expect(claimOfTags({ Name: 'theirs' }, me, 'c1.example.com').kind).toBe('foreign');
  });

  it('name the rule and its CreatorRequestId the same way every time, apart per cluster and type', () => {
    expect(ruleNameFor(me, 'c1.example.com')).toBe(ruleNameFor(me, 'c1.example.com'));
    expect(ruleNameFor(me, 'c1.example.com')).toMatch(/^rlec-dns-[0-9a-f]{24}$/);
    expect(creatorRequestIdFor(me, 'c1.example.com', 'FORWARD')).not.toBe(
      creatorRequestIdFor(me, 'c1.example.com', 'DELEGATE'),
    );
    expect(creatorRequestIdFor(me, 'c1.example.com', 'FORWARD', 1)).toBe(
      `${creatorRequestIdFor(me, 'c1.example.com', 'FORWARD')}-1`,
    );
  });
});
