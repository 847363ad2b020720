/**
 * The typed module (tools/resolver/resolver-types.ts) against the emulator: @aws-sdk/client-route53resolver 3.654.0
 * predates the DELEGATE type, yet a DELEGATE rule sent through it reaches the wire whole and is read back whole.
 */
import { ListTagsForResourceCommand } from '@aws-sdk/client-route53resolver';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../tools/emulator/emulator.js';
import {
  createResolverRule,
  getResolverRule,
  listResolverRules,
  updateResolverRule,
} from '../../tools/resolver/resolver-types.js';
import type { OutboundEndpoint } from '../../tools/world/resolver-helpers.js';
import { CLUSTER, created, delegateRule, forwardRule, idOf, NODE_TARGETS_V6 } from '../support/resolver.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();
let endpoint: OutboundEndpoint;
let sent: RequestContext[];

beforeEach(async () => {
  endpoint = await setup.world.outboundEndpoint();
  sent = [];
  setup.world.emulator.proxy.beforeForward = (ctx) => {
    if (ctx.service === 'route53resolver') sent.push(ctx);
    return undefined;
  };
});

describe('the Resolver client 3.654.0 with the typed module', () => {
  it('sends a DELEGATE rule with RuleType DELEGATE and its DelegationRecord on the wire', async () => {
    // Act
    await createResolverRule(setup.world.resolver, delegateRule(endpoint.endpointId));

    // Assess
    const [create] = sent;
    expect(create?.action).toBe('CreateResolverRule');
    expect(create?.headers['x-amz-target']).toBe('Route53Resolver.CreateResolverRule');
    expect(create?.headers.authorization).toMatch(/\/route53resolver\/aws4_request/);
    expect(setup.world.emulator.proxy.count('CreateResolverRule')).toBe(1);
    expect(JSON.parse(create?.body ?? '')).toEqual({
      CreatorRequestId: `delegate-${CLUSTER}`,
      RuleType: 'DELEGATE',
      DelegationRecord: CLUSTER,
      ResolverEndpointId: endpoint.endpointId,
    });
  });

  it('reads a DELEGATE rule back with its type and delegation record from Create, Get and List', async () => {
    // Act
    const rule = await created(setup.world.resolver, delegateRule(endpoint.endpointId));
    const got = await getResolverRule(setup.world.resolver, { ResolverRuleId: idOf(rule) });
    const listed = await listResolverRules(setup.world.resolver);

    // Assess
    const expected = {
      Id: idOf(rule),
      RuleType: 'DELEGATE',
      DelegationRecord: `${CLUSTER}.`,
      ResolverEndpointId: endpoint.endpointId,
      Status: 'COMPLETE',
    };
    expect(rule).toMatchObject(expected);
    expect(got.ResolverRule).toMatchObject(expected);
    expect(listed.ResolverRules).toEqual([got.ResolverRule]);
    expect(rule.TargetIps).toBeUndefined();
  });

  it('sends UpdateResolverRule with IPv6 targets and reads the rule back with them', async () => {
    // Prepare
    const rule = await created(setup.world.resolver, forwardRule(endpoint.endpointId));

    // Act
    const updated = await updateResolverRule(setup.world.resolver, {
      ResolverRuleId: idOf(rule),
      Config: { TargetIps: NODE_TARGETS_V6 },
    });

    // Assess
    expect(JSON.parse(sent.at(-1)?.body ?? '')).toEqual({
      ResolverRuleId: idOf(rule),
      Config: { TargetIps: NODE_TARGETS_V6 },
    });
    expect(updated.ResolverRule).toMatchObject({ Id: idOf(rule), RuleType: 'FORWARD', TargetIps: NODE_TARGETS_V6 });
  });

  it('keeps the tags CreateResolverRule gave a DELEGATE rule', async () => {
    // Prepare
    const tags = [
      { Key: 'rlec-dns:owner', Value: 'rlec-dns-test' },
      { Key: 'rlec-dns:cluster', Value: CLUSTER },
    ];

    // Act
    const rule = await created(setup.world.resolver, delegateRule(endpoint.endpointId, { Tags: tags }));

    // Assess
    const listed = await setup.world.resolver.send(new ListTagsForResourceCommand({ ResourceArn: rule.Arn }));
    expect(listed.Tags).toEqual(tags);
  });
});
