/** The Resolver layer's rules: creation as the real API judges it, reads, listing, deletion, CreatorRequestId reuse. */
import {
  CreateResolverEndpointCommand,
  DeleteResolverRuleCommand,
  GetResolverRuleCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-route53resolver';
import { beforeEach, describe, expect, it } from 'vitest';
import { createResolverRule, listResolverRules } from '../../tools/resolver/resolver-types.js';
import type { OutboundEndpoint } from '../../tools/world/resolver-helpers.js';
import { CLUSTER, created, delegateRule, forwardRule, idOf, NODE_TARGETS } from '../support/resolver.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();
let endpoint: OutboundEndpoint;

beforeEach(async () => {
  endpoint = await setup.world.outboundEndpoint();
});

const resolver = () => setup.world.resolver;
const allRules = async () => (await listResolverRules(resolver())).ResolverRules ?? [];

describe('CreateResolverRule through the Resolver layer', () => {
  it.each([
    [
      'with TargetIps',
      { TargetIps: NODE_TARGETS },
      'InvalidRequestException',
      'Delegate resolver rules need to specify a nameserver name',
    ],
    ['without a DelegationRecord', { DelegationRecord: undefined }, 'InvalidRequestException', /DelegationRecord/],
    ['with a DomainName', { DomainName: CLUSTER }, 'InvalidRequestException', /not a DomainName/],
    [
      'without an endpoint',
      { ResolverEndpointId: undefined },
      'InvalidRequestException',
      /outbound ResolverEndpointId/,
    ],
    [
      'on an unknown endpoint',
      { ResolverEndpointId: 'rslvr-out-0000000000000000' },
      'ResourceNotFoundException',
      /does not exist/,
    ],
    [
      'with a 257-character name',
      { DelegationRecord: `${'a'.repeat(253)}.com` },
      'ValidationException',
      /delegationRecord/,
    ],
  ])('refuses a DELEGATE rule %s and creates nothing', async (_case, over, name, message) => {
    // Act
    const attempt = createResolverRule(resolver(), delegateRule(endpoint.endpointId, over));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name,
      message: expect.stringMatching(message),
      $metadata: { httpStatusCode: 400 },
    });
    expect(await allRules()).toEqual([]);
  });

  it('refuses a DELEGATE rule on an inbound endpoint', async () => {
    // Prepare
    const { ResolverEndpoint: inbound } = await resolver().send(
      new CreateResolverEndpointCommand({
        CreatorRequestId: 'inbound',
        Direction: 'INBOUND',
        SecurityGroupIds: [endpoint.securityGroupId],
        IpAddresses: endpoint.subnetIds.map((SubnetId) => ({ SubnetId })),
      }),
    );

    // Act
    const attempt = createResolverRule(resolver(), delegateRule(inbound?.Id ?? ''));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: /not an outbound endpoint/,
    });
  });

  it('refuses the RECURSIVE type, which only Resolver creates, and an unknown type', async () => {
    // Act, Assess
    await expect(
      createResolverRule(resolver(), forwardRule(endpoint.endpointId, { RuleType: 'RECURSIVE' })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException', message: expect.stringMatching(/RSLVR-00718/) });
    await expect(
      createResolverRule(resolver(), forwardRule(endpoint.endpointId, { RuleType: 'STUB' as 'FORWARD' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('[FORWARD, SYSTEM, RECURSIVE, DELEGATE]'),
    });
  });

  it('reads a domain name back with one trailing dot, given with or without it', async () => {
    // Act
    const plain = await created(
      resolver(),
      forwardRule(endpoint.endpointId, { CreatorRequestId: 'a', DomainName: 'a.example.com' }),
    );
    const dotted = await created(
      resolver(),
      forwardRule(endpoint.endpointId, { CreatorRequestId: 'b', DomainName: 'b.example.com.' }),
    );

    // Assess
    expect([plain.DomainName, dotted.DomainName]).toEqual(['a.example.com.', 'b.example.com.']);
  });

  it('refuses a FORWARD rule with a seventh target, or IPv4 and IPv6 targets together', async () => {
    // Prepare
    const seven = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ Ip: `10.0.1.${n}`, Port: 53 }));
    const mixed = [
      { Ip: '10.0.1.1', Port: 53 },
      { Ipv6: 'fd00::1', Port: 53 },
    ];

    // Act, Assess
    await expect(
      createResolverRule(resolver(), forwardRule(endpoint.endpointId, { TargetIps: seven })),
    ).rejects.toMatchObject({ name: 'LimitExceededException', message: expect.stringMatching(/at most 6/) });
    await expect(
      createResolverRule(resolver(), forwardRule(endpoint.endpointId, { TargetIps: mixed })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException', message: expect.stringMatching(/not both/) });
    expect(await allRules()).toEqual([]);
  });
});

describe('reading and deleting rules through the Resolver layer', () => {
  it('lists unnamed and named rules together, which moto alone cannot', async () => {
    // Prepare
    const unnamed = await created(resolver(), delegateRule(endpoint.endpointId));
    const named = await created(resolver(), forwardRule(endpoint.endpointId, { Name: 'rlec-dns c1' }));

    // Act
    const rules = await allRules();

    // Assess
    expect(rules.map((rule) => [rule.Id, rule.Name])).toEqual(
      expect.arrayContaining([
        [unnamed.Id, undefined],
        [named.Id, 'rlec-dns c1'],
      ]),
    );
  });

  it('filters by Type, DomainName (with its trailing dot) and CreatorRequestId', async () => {
    // Prepare
    const delegate = await created(resolver(), delegateRule(endpoint.endpointId));
    const forward = await created(resolver(), forwardRule(endpoint.endpointId, { DomainName: 'c2.example.com' }));
    const ids = async (Name: string, value: string) =>
      ((await listResolverRules(resolver(), { Filters: [{ Name, Values: [value] }] })).ResolverRules ?? []).map(idOf);

    // Act, Assess
    expect(await ids('Type', 'DELEGATE')).toEqual([delegate.Id]);
    expect(await ids('TYPE', 'FORWARD')).toEqual([forward.Id]);
    expect(await ids('DomainName', 'c2.example.com.')).toEqual([forward.Id]);
    expect(await ids('CreatorRequestId', `delegate-${CLUSTER}`)).toEqual([delegate.Id]);
    await expect(ids('Colour', 'red')).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('pages by 100 unless told, and follows NextToken to the end', async () => {
    // Prepare
    for (let i = 0; i < 12; i++) {
      await created(
        resolver(),
        forwardRule(endpoint.endpointId, { CreatorRequestId: `r${i}`, DomainName: `c${i}.example.com` }),
      );
    }

    // Act
    const whole = await listResolverRules(resolver());
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await listResolverRules(resolver(), { MaxResults: 5, ...(token ? { NextToken: token } : {}) });
      seen.push(...(page.ResolverRules ?? []).map(idOf));
      token = page.NextToken;
    } while (token);

    // Assess
    expect(whole.ResolverRules).toHaveLength(12);
    expect(whole.NextToken).toBeUndefined();
    expect(seen).toEqual((whole.ResolverRules ?? []).map(idOf));
    await expect(listResolverRules(resolver(), { NextToken: 'not-a-token' })).rejects.toMatchObject({
      name: 'InvalidNextTokenException',
    });
  });

  it('deletes a DELEGATE rule, answering with it, and then knows it no more', async () => {
    // Prepare
    const rule = await created(resolver(), delegateRule(endpoint.endpointId));

    // Act
    const deleted = await resolver().send(new DeleteResolverRuleCommand({ ResolverRuleId: rule.Id }));

    // Assess
    expect(deleted.ResolverRule).toMatchObject({ Id: rule.Id, RuleType: 'DELEGATE', DelegationRecord: `${CLUSTER}.` });
    await expect(resolver().send(new GetResolverRuleCommand({ ResolverRuleId: rule.Id }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(await allRules()).toEqual([]);
  });

  it('tags a DELEGATE rule after creation beside the tags it was created with', async () => {
    // Prepare
    const rule = await created(resolver(), delegateRule(endpoint.endpointId, { Tags: [{ Key: 'owner', Value: 'a' }] }));

    // Act
    await resolver().send(
      new TagResourceCommand({ ResourceArn: rule.Arn, Tags: [{ Key: 'cluster', Value: CLUSTER }] }),
    );

    // Assess
    const { Tags } = await resolver().send(new ListTagsForResourceCommand({ ResourceArn: rule.Arn }));
    expect(Tags).toEqual([
      { Key: 'owner', Value: 'a' },
      { Key: 'cluster', Value: CLUSTER },
    ]);
  });
});

describe('a CreatorRequestId used twice', () => {
  it('is refused with ResourceExistsException, even with the same parameters, and leaves one rule', async () => {
    // Prepare
    const first = await created(resolver(), delegateRule(endpoint.endpointId));

    // Act
    const retry = createResolverRule(resolver(), delegateRule(endpoint.endpointId));

    // Assess
    await expect(retry).rejects.toMatchObject({ name: 'ResourceExistsException' });
    expect((await allRules()).map(idOf)).toEqual([first.Id]);
  });

  it('returns the first rule for the same parameters when the emulator is told AWS does so', async () => {
    // Prepare
    setup.world.emulator.resolver.creatorRequestIdReuse = 'ExistingRule';
    const first = await created(resolver(), delegateRule(endpoint.endpointId));

    // Act
    const retry = await created(resolver(), delegateRule(endpoint.endpointId));
    const other = createResolverRule(
      resolver(),
      delegateRule(endpoint.endpointId, { DelegationRecord: 'c2.example.com' }),
    );

    // Assess
    expect(retry).toEqual(first);
    await expect(other).rejects.toMatchObject({ name: 'ResourceExistsException' });
    expect((await allRules()).map(idOf)).toEqual([first.Id]);
  });
});
