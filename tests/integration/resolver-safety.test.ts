/**
 * The private side never touches a rule this deployment did not create, and never makes two rules for one cluster:
 * foreign and shadowing rules refuse the cluster by name, rules of other deployments stay as they are, a create
 * retried after a timeout finds the first rule, and the sweep removes only our rules of clusters that are gone.
 */
import { AssociateResolverRuleCommand, TagResourceCommand } from '@aws-sdk/client-route53resolver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcileResolverRule } from '../../lib/controller/resolver-rule.js';
import { orphanRules } from '../../lib/controller/resolver-sweep.js';
import { ruleTags } from '../../lib/plan/resolver-rules.js';
import { createResolverRule, getResolverRule, listResolverRules } from '../../lib/provider/resolver-types.js';
import { resolverError } from '../../tools/emulator/emulator.js';
import { deploymentOf } from '../../tools/world/deployment.js';
import type { OutboundEndpoint } from '../../tools/world/resolver-helpers.js';
import { CLUSTER as cluster, created, delegateRule, forwardRule, idOf } from '../support/resolver.js';
import { nodes, resolverDeps } from '../support/resolver-deps.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();

let endpoint: OutboundEndpoint;
let vpcA: string;
let zoneId: string;
let deps: ReturnType<typeof resolverDeps> | undefined;

beforeEach(async () => {
  endpoint = await setup.world.outboundEndpoint();
  vpcA = await setup.world.vpc();
  zoneId = await setup.world.privateZone('example.com', vpcA);
  deps = resolverDeps(setup.world, { RESOLVER_ENDPOINT_ID: endpoint.endpointId });
});
afterEach(() => {
  deps?.close();
  deps = undefined;
});

const theDeps = () => {
  if (deps === undefined) throw new Error('deps are built in beforeEach');
  return deps;
};
const run = (members = nodes(1, 2, 3), name = cluster) =>
  reconcileResolverRule(theDeps(), {
    cluster: name,
    zone: { id: zoneId, name: 'example.com' },
    members,
    family: 'ipv4',
  });
const allRules = async () => (await listResolverRules(setup.world.resolver)).ResolverRules ?? [];
const asTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

describe('the private side’s safety', () => {
  it('refuses the cluster when a rule we did not create is for its name, naming it, and leaves it untouched', async () => {
    // Prepare
    const theirs = await created(setup.world.resolver, forwardRule(endpoint.endpointId, { Name: 'theirs' }));
    setup.world.emulator.proxy.resetCounts();

    // Act
    const outcome = await run();

    // Assess
    expect(outcome.status).toBe('refused');
    expect(outcome.status === 'refused' && outcome.error.message).toContain(
      `${idOf(theirs)} "theirs" (FORWARD ${cluster})`,
    );
    expect(setup.world.telemetry.messages('error')).toContainEqual(expect.stringContaining(idOf(theirs)));
    expect(setup.world.telemetry.count('ResolverRulesRefused')).toBe(1);
    for (const write of ['CreateResolverRule', 'UpdateResolverRule', 'DeleteResolverRule', 'AssociateResolverRule']) {
      expect(setup.world.emulator.proxy.count(write)).toBe(0);
    }
    expect((await allRules()).map((r) => r.Id)).toEqual([idOf(theirs)]);
  });

  it('refuses a DELEGATE rule under a FORWARD rule for the zone’s name in the zone’s VPC', async () => {
    // Prepare
    const parent = await created(
      setup.world.resolver,
      forwardRule(endpoint.endpointId, { CreatorRequestId: 'parent', DomainName: 'example.com' }),
    );
    await setup.world.resolver.send(new AssociateResolverRuleCommand({ ResolverRuleId: idOf(parent), VPCId: vpcA }));

    // Act
    const outcome = await run();

    // Assess
    expect(outcome.status === 'refused' && outcome.blocking.map((r) => r.id)).toEqual([idOf(parent)]);
  });

  it('leaves a rule tagged by a deployment of another account and Region untouched, as elsewhere', async () => {
    // Prepare: its tags name our owner id, in another account and Region.
    const there = deploymentOf('rlec-dns-test', { account: '222222222222', region: 'eu-west-1' });
    const other = await created(
      setup.world.resolver,
      delegateRule(endpoint.endpointId, { Name: 'rlec-dns-there', Tags: asTags(ruleTags(there, cluster)) }),
    );

    // Act
    const outcome = await run([]);
    const again = await run();

    // Assess
    expect(outcome.status).toBe('unchanged');
    expect(again.status).toBe('elsewhere');
    const { ResolverRule } = await getResolverRule(setup.world.resolver, { ResolverRuleId: idOf(other) });
    expect(ResolverRule?.Id).toBe(idOf(other));
    expect(await allRules()).toHaveLength(1);
  });

  it.each(['ResourceExistsException', 'ExistingRule'] as const)(
    'makes one rule when CreateResolverRule is retried after a timeout (the API answering %s)',
    async (answer) => {
      // Prepare: the first CreateResolverRule reaches the service, then the connection drops before the answer.
      setup.world.emulator.resolver.creatorRequestIdReuse = answer;
      let dropped = false;
      setup.world.emulator.proxy.beforeForward = async (ctx) => {
        if (ctx.action !== 'CreateResolverRule' || dropped) return undefined;
        dropped = true;
        await createResolverRule(setup.world.resolver, JSON.parse(ctx.body));
        return { status: 0, body: '', destroy: true };
      };

      // Act
      const outcome = await run();

      // Assess
      expect(setup.world.emulator.proxy.count('CreateResolverRule')).toBe(3);
      const rules = await allRules();
      expect(rules).toHaveLength(1);
      expect(outcome.status === 'changed' && outcome.ruleId).toBe(rules[0]?.Id);
      expect(outcome.status === 'changed' && outcome.steps.map((s) => s.kind)).toEqual(['create', 'associate']);
    },
  );

  it('never updates a rule whose tags stopped saying ours since it was read', async () => {
    // Prepare: our FORWARD rule; a person retags it between our read and our write.
    deps = resolverDeps(setup.world, { RESOLVER_ENDPOINT_ID: endpoint.endpointId, RESOLVER_RULE: 'forward' });
    const first = await run();
    const ruleId = first.status === 'changed' ? (first.ruleId ?? '') : '';
    const { ResolverRule } = await getResolverRule(setup.world.resolver, { ResolverRuleId: ruleId });
    let reads = 0;
    setup.world.emulator.proxy.beforeForward = async (ctx) => {
      if (ctx.action === 'ListTagsForResource' && ++reads === 2) {
        await setup.world.resolver.send(
          new TagResourceCommand({
            ResourceArn: ResolverRule?.Arn,
            Tags: [{ Key: 'rlec-dns:owner', Value: 'a-person' }],
          }),
        );
      }
      return undefined;
    };

    // Act
    const outcome = await run(nodes(1, 2));

    // Assess
    expect(outcome.status === 'refused' && outcome.error.name).toBe('ResolverRuleNotOursError');
    expect(setup.world.emulator.proxy.count('UpdateResolverRule')).toBe(0);
  });

  it('reports a rule still in use as failed (retried), and deletes it on the next run', async () => {
    // Prepare: the Resolver still counts the rule as in use during the first run (a slow disassociation).
    await run();
    setup.world.emulator.proxy.beforeForward = (ctx) =>
      ctx.action === 'DeleteResolverRule'
        ? resolverError('ResourceInUseException', 'Cannot delete the rule while it is associated with a VPC')
        : undefined;

    // Act
    const first = await run([]);
    setup.world.emulator.proxy.beforeForward = undefined;
    const second = await run([]);

    // Assess
    expect(first.status === 'failed' && (first.error as Error).name).toBe('ResolverRuleInUseError');
    expect(setup.world.telemetry.count('ResolverRulesFailed')).toBe(1);
    expect(second.status === 'changed' && second.steps.map((s) => s.kind)).toEqual(['delete']);
    expect(await allRules()).toEqual([]);
  });

  it('plans without writing in a dry run', async () => {
    // Act
    const outcome = await reconcileResolverRule(theDeps(), {
      cluster,
      zone: { id: zoneId, name: 'example.com' },
      members: nodes(1),
      family: 'ipv4',
      dryRun: true,
    });

    // Assess
    expect(outcome.status === 'planned' && outcome.steps.map((s) => s.kind)).toEqual(['create', 'associate']);
    expect(await allRules()).toEqual([]);
  });

  it('sweeps away our rule of a cluster that is gone, and no other rule', async () => {
    // Prepare: ours for c1 (gone) and c2 (alive); someone else's rule for c3.
    await run(nodes(1), cluster);
    await run(nodes(1), 'c2.example.com');
    const theirs = await created(
      setup.world.resolver,
      delegateRule(endpoint.endpointId, { CreatorRequestId: 'theirs', DelegationRecord: 'c3.example.com' }),
    );

    // Act
    const outcomes = await orphanRules(theDeps(), { clusters: new Set(['c2.example.com']) });

    // Assess
    expect(outcomes.map((o) => [o.cluster, o.status])).toEqual([[cluster, 'removed']]);
    const left = (await allRules()).map((r) => r.DelegationRecord).sort();
    expect(left).toEqual(['c2.example.com.', 'c3.example.com.']);
    expect((await allRules()).some((r) => r.Id === idOf(theirs))).toBe(true);
  });
});
