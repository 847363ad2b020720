/**
 * A private cluster's Resolver rule against the emulator: created, kept in step with the members and the zone's VPCs,
 * and removed with the last member, through the paced, classified client the functions use.
 */
import { AssociateResolverRuleCommand, ListResolverRuleAssociationsCommand } from '@aws-sdk/client-route53resolver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcileResolverRule } from '../../lib/controller/resolver-rule.js';
import { getResolverRule, listResolverRules } from '../../lib/provider/resolver-types.js';
import type { OutboundEndpoint } from '../../tools/world/resolver-helpers.js';
import { created, forwardRule, idOf } from '../support/resolver.js';
import { nodes, resolverCalls, resolverDeps } from '../support/resolver-deps.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();
const cluster = 'c1.example.com';

let endpoint: OutboundEndpoint;
let vpcA: string;
let zoneId: string;
let deps: ReturnType<typeof resolverDeps> | undefined;

beforeEach(async () => {
  endpoint = await setup.world.outboundEndpoint();
  vpcA = await setup.world.vpc();
  zoneId = await setup.world.privateZone('example.com', vpcA);
});
afterEach(() => {
  deps?.close();
  deps = undefined;
});

const run = (env: Record<string, string>, members = nodes(1, 2, 3), family: 'ipv4' | 'ipv6' = 'ipv4') => {
  deps ??= resolverDeps(setup.world, { RESOLVER_ENDPOINT_ID: endpoint.endpointId, ...env });
  return reconcileResolverRule(deps, { cluster, zone: { id: zoneId, name: 'example.com.' }, members, family });
};

async function associatedVpcs(ruleId: string | undefined): Promise<string[]> {
  const { ResolverRuleAssociations } = await setup.world.resolver.send(
    new ListResolverRuleAssociationsCommand({ Filters: [{ Name: 'ResolverRuleId', Values: [ruleId ?? ''] }] }),
  );
  return (ResolverRuleAssociations ?? []).map((a) => a.VPCId ?? '').sort();
}

const allRules = async () => (await listResolverRules(setup.world.resolver)).ResolverRules ?? [];

describe('a private cluster’s Resolver rule', () => {
  it('is one DELEGATE rule for the cluster’s name on the endpoint, associated with the zone’s VPCs', async () => {
    // Prepare
    const vpcB = await setup.world.vpc();
    await setup.world.associateVpc(zoneId, vpcB);

    // Act
    const outcome = await run({});

    // Assess
    expect(outcome.status).toBe('changed');
    const ruleId = outcome.status === 'changed' ? outcome.ruleId : undefined;
    const { ResolverRule } = await getResolverRule(setup.world.resolver, { ResolverRuleId: ruleId });
    expect(ResolverRule).toMatchObject({
      RuleType: 'DELEGATE',
      DelegationRecord: 'c1.example.com.',
      ResolverEndpointId: endpoint.endpointId,
    });
    expect(await associatedVpcs(ruleId)).toEqual([vpcA, vpcB].sort());
  });

  it('changes nothing on a second run', async () => {
    // Prepare
    await run({});
    setup.world.emulator.proxy.resetCounts();

    // Act
    const outcome = await run({});

    // Assess
    expect(outcome.status).toBe('unchanged');
    for (const write of ['CreateResolverRule', 'UpdateResolverRule', 'AssociateResolverRule']) {
      expect(setup.world.emulator.proxy.count(write)).toBe(0);
    }
  });

  it('associates the rule with RESOLVER_VPC_IDS instead of the zone’s VPCs when set', async () => {
    // Prepare
    const listed = await setup.world.vpc();

    // Act
    const outcome = await run({ RESOLVER_VPC_IDS: listed });

    // Assess
    expect(await associatedVpcs(outcome.status === 'changed' ? outcome.ruleId : undefined)).toEqual([listed]);
  });

  it('forwards to 6 of 7 members, and logs which member is no target', async () => {
    // Act
    const outcome = await run({ RESOLVER_RULE: 'forward' }, nodes(1, 2, 3, 4, 5, 6, 7));

    // Assess
    const ruleId = outcome.status === 'changed' ? outcome.ruleId : undefined;
    const { ResolverRule } = await getResolverRule(setup.world.resolver, { ResolverRuleId: ruleId });
    expect(ResolverRule?.RuleType).toBe('FORWARD');
    expect(ResolverRule?.TargetIps?.map((t) => `${t.Ip}:${t.Port}`)).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `10.0.9.${n}:53`),
    );
    expect(setup.world.telemetry.messages('warn')).toContainEqual(expect.stringContaining('not a target: ns7'));
    expect(setup.world.telemetry.count('ResolverTargetsCapped')).toBe(1);
  });

  it('forwards to the members’ IPv6 addresses for the ipv6 family', async () => {
    // Act
    const outcome = await run({ RESOLVER_RULE: 'forward' }, nodes(1, 2), 'ipv6');

    // Assess
    const ruleId = outcome.status === 'changed' ? outcome.ruleId : undefined;
    const { ResolverRule } = await getResolverRule(setup.world.resolver, { ResolverRuleId: ruleId });
    expect(ResolverRule?.TargetIps).toEqual([
      { Ipv6: 'fd00:9::1', Port: 53 },
      { Ipv6: 'fd00:9::2', Port: 53 },
    ]);
  });

  it('updates the targets when a member leaves, with UpdateResolverRule, and the freed place goes to the 7th', async () => {
    // Prepare
    const first = await run({ RESOLVER_RULE: 'forward' }, nodes(1, 2, 3, 4, 5, 6, 7));
    setup.world.emulator.proxy.resetCounts();

    // Act
    await run({ RESOLVER_RULE: 'forward' }, nodes(1, 2, 4, 5, 6, 7));

    // Assess
    expect(setup.world.emulator.proxy.count('UpdateResolverRule')).toBe(1);
    expect(setup.world.emulator.proxy.count('CreateResolverRule')).toBe(0);
    const ruleId = first.status === 'changed' ? first.ruleId : undefined;
    const { ResolverRule } = await getResolverRule(setup.world.resolver, { ResolverRuleId: ruleId });
    expect(ResolverRule?.TargetIps?.map((t) => t.Ip)).toEqual([1, 2, 4, 5, 6, 7].map((n) => `10.0.9.${n}`));
  });

  it('associates a VPC added to the zone on the next run', async () => {
    // Prepare
    const first = await run({});
    const vpcB = await setup.world.vpc();
    await setup.world.associateVpc(zoneId, vpcB);

    // Act
    const outcome = await run({});

    // Assess
    expect(outcome.status === 'changed' && outcome.steps).toEqual([
      { kind: 'associate', ruleId: first.status === 'changed' ? first.ruleId : '', vpcId: vpcB },
    ]);
    expect(await associatedVpcs(first.status === 'changed' ? first.ruleId : undefined)).toEqual([vpcA, vpcB].sort());
  });

  it('removes the associations and the rule with the last member, and nothing else', async () => {
    // Prepare: a rule of someone else's for another name, associated with the same VPC.
    const other = await created(
      setup.world.resolver,
      forwardRule(endpoint.endpointId, { CreatorRequestId: 'theirs', DomainName: 'other.example.com' }),
    );
    await setup.world.resolver.send(new AssociateResolverRuleCommand({ ResolverRuleId: idOf(other), VPCId: vpcA }));
    const before = await allRules();
    await run({});

    // Act
    const outcome = await run({}, []);

    // Assess
    expect(outcome.status === 'changed' && outcome.steps.map((s) => s.kind)).toEqual(['disassociate', 'delete']);
    expect((await allRules()).map((r) => r.Id)).toEqual(before.map((r) => r.Id));
    expect(await setup.world.zoneVpcs(zoneId)).toEqual([vpcA]);
    expect(await associatedVpcs(idOf(other))).toEqual([vpcA]);
  });

  it('takes a token from its own bucket for every Resolver request, retries included', async () => {
    // Act
    await run({ RESOLVER_RULE: 'forward' }, nodes(1, 2, 3));
    await run({ RESOLVER_RULE: 'forward' }, nodes(1, 2));
    await run({ RESOLVER_RULE: 'forward' }, []);

    // Assess
    const calls = resolverCalls(setup.world);
    expect(deps?.bucket.takes).toBe(calls);
    // Burst 2 at 2/s: every request after the first two waited its 500 ms turn on the bucket's clock.
    expect(deps?.bucket.waitedMs).toBeGreaterThanOrEqual((calls - 2) * 500 - 1);
    expect(calls).toBeGreaterThan(8);
  });
});
