/** UpdateResolverRule through the Resolver layer (moto has none): targets, IPv6, name, endpoint, and its refusals. */
import { UpdateResolverRuleCommand } from '@aws-sdk/client-route53resolver';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  getResolverRule,
  type ResolverRuleConfig,
  type TargetAddress,
  updateResolverRule,
} from '../../tools/resolver/resolver-types.js';
import type { OutboundEndpoint } from '../../tools/world/resolver-helpers.js';
import { created, delegateRule, forwardRule, idOf, NODE_TARGETS, NODE_TARGETS_V6 } from '../support/resolver.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();
let endpoint: OutboundEndpoint;

beforeEach(async () => {
  endpoint = await setup.world.outboundEndpoint();
});

const resolver = () => setup.world.resolver;
const read = async (id: string) => (await getResolverRule(resolver(), { ResolverRuleId: id })).ResolverRule;
const fourthNode: TargetAddress = { Ip: '10.0.1.99', Port: 53 };
const seven = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ Ip: `10.0.1.${n}`, Port: 53 }));

/** Updates the API refuses: the case, the rule it is tried on, the change, the error's name and message. */
const REFUSALS: [string, 'forward' | 'delegate' | 'unknown', ResolverRuleConfig, string, RegExp][] = [
  ['an unknown rule', 'unknown', { Name: 'x' }, 'ResourceNotFoundException', /does not exist/],
  [
    'targets on a DELEGATE rule',
    'delegate',
    { TargetIps: NODE_TARGETS },
    'InvalidRequestException',
    /Only a FORWARD rule/,
  ],
  ['a seventh target', 'forward', { TargetIps: seven }, 'LimitExceededException', /at most 6/],
  [
    'a malformed address',
    'forward',
    { TargetIps: [{ Ip: '10.0.1.300' }] },
    'InvalidParameterException',
    /10\.0\.1\.300/,
  ],
  ['an IPv6 address as Ip', 'forward', { TargetIps: [{ Ip: 'fd00::1' }] }, 'InvalidParameterException', /Invalid IPv4/],
  [
    'an unknown endpoint',
    'forward',
    { ResolverEndpointId: 'rslvr-out-0000000000000000' },
    'ResourceNotFoundException',
    /does not exist/,
  ],
  ['a name of digits only', 'forward', { Name: '12345' }, 'ValidationException', /name/],
];

describe('UpdateResolverRule through the Resolver layer', () => {
  it('replaces a FORWARD rule’s targets and keeps its name, domain and endpoint', async () => {
    // Prepare
    const rule = await created(resolver(), forwardRule(endpoint.endpointId, { Name: 'c1' }));

    // Act
    const { ResolverRule: updated } = await updateResolverRule(resolver(), {
      ResolverRuleId: idOf(rule),
      Config: { TargetIps: [...NODE_TARGETS, fourthNode] },
    });

    // Assess
    const expected = { ...rule, TargetIps: [...NODE_TARGETS, fourthNode], ModificationTime: expect.any(String) };
    expect(updated).toEqual(expected);
    expect(await read(idOf(rule))).toEqual(expected);
  });

  it('moves a FORWARD rule to IPv6 targets, which moto alone refuses', async () => {
    // Prepare
    const rule = await created(resolver(), forwardRule(endpoint.endpointId));

    // Act
    await updateResolverRule(resolver(), { ResolverRuleId: idOf(rule), Config: { TargetIps: NODE_TARGETS_V6 } });

    // Assess
    expect((await read(idOf(rule)))?.TargetIps).toEqual(NODE_TARGETS_V6);
  });

  it('renames a rule and moves it to another outbound endpoint', async () => {
    // Prepare
    const rule = await created(resolver(), delegateRule(endpoint.endpointId));
    const other = await setup.world.outboundEndpoint();

    // Act
    await updateResolverRule(resolver(), {
      ResolverRuleId: idOf(rule),
      Config: { Name: 'rlec-dns c1', ResolverEndpointId: other.endpointId },
    });

    // Assess
    expect(await read(idOf(rule))).toMatchObject({
      Name: 'rlec-dns c1',
      ResolverEndpointId: other.endpointId,
      RuleType: 'DELEGATE',
    });
  });

  it.each(REFUSALS)('refuses %s and changes nothing', async (_case, kind, config, name, message) => {
    // Prepare
    const rule = await created(
      resolver(),
      kind === 'delegate' ? delegateRule(endpoint.endpointId) : forwardRule(endpoint.endpointId),
    );
    const id = kind === 'unknown' ? 'rslvr-rr-00000000000000000' : idOf(rule);

    // Act
    const attempt = updateResolverRule(resolver(), { ResolverRuleId: id, Config: config });

    // Assess
    await expect(attempt).rejects.toMatchObject({ name, message: expect.stringMatching(message) });
    expect(await read(idOf(rule))).toEqual(rule);
  });

  it('refuses a request without Config', async () => {
    // Prepare
    const rule = await created(resolver(), forwardRule(endpoint.endpointId));

    // Act
    const attempt = resolver().send(new UpdateResolverRuleCommand({ ResolverRuleId: idOf(rule) } as never));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
