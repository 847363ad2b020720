/**
 * What moto 5.2.5's Route 53 Resolver does on its own, without the Resolver layer: the reasons the layer exists
 * (tools/emulator/resolver-rules.ts). If a moto upgrade makes one of these fail, revisit the matching part of the layer.
 * Requests that make moto raise are sent as plain HTTP, since what comes back (an HTML 500 page) is not the API's.
 */
import {
  AssociateResolverRuleCommand,
  CreateResolverRuleCommand,
  type CreateResolverRuleCommandInput,
  ListResolverRulesCommand,
  type Route53ResolverClient,
} from '@aws-sdk/client-route53resolver';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clients, type Emulator, startEmulator, TEST_REGION } from '../../tools/emulator/emulator.js';
import { type BufferedResponse, request } from '../../tools/emulator/http.js';
import { createOutboundEndpoint, createVpc, type OutboundEndpoint } from '../../tools/world/resolver-helpers.js';

let emulator: Emulator;
let motoAlone: ReturnType<typeof clients>;
let endpoint: OutboundEndpoint;

beforeAll(async () => {
  emulator = await startEmulator();
  motoAlone = clients(emulator.motoUrl, { maxAttempts: 1 });
});

afterAll(async () => {
  for (const client of Object.values(motoAlone ?? {})) client.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
  endpoint = await createOutboundEndpoint(motoAlone.ec2, motoAlone.resolver, TEST_REGION);
});

/** One Resolver action sent to moto as plain JSON over HTTP. */
function motoCall(action: string, body: unknown): Promise<BufferedResponse> {
  return request(`${emulator.motoUrl}/`, {
    method: 'POST',
    headers: {
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/route53resolver/aws4_request, Signature=0',
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `Route53Resolver.${action}`,
    },
    body: JSON.stringify(body),
  });
}

const forward = (over: Partial<CreateResolverRuleCommandInput> = {}): CreateResolverRuleCommandInput => ({
  CreatorRequestId: 'forward-c1',
  RuleType: 'FORWARD',
  DomainName: 'c1.example.com',
  TargetIps: [{ Ip: '10.0.1.17', Port: 53 }],
  ResolverEndpointId: endpoint.endpointId,
  ...over,
});
const create = (resolver: Route53ResolverClient, input: CreateResolverRuleCommandInput) =>
  resolver.send(new CreateResolverRuleCommand(input));

describe('moto alone', () => {
  it('refuses the DELEGATE rule type as outside its enum', async () => {
    // Act
    const res = await motoCall('CreateResolverRule', {
      CreatorRequestId: 'delegate-c1',
      RuleType: 'DELEGATE',
      DomainName: 'c1.example.com',
      DelegationRecord: 'c1.example.com',
      ResolverEndpointId: endpoint.endpointId,
    });

    // Assess
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toMatchObject({
      __type: 'ValidationException',
      message: expect.stringContaining('[FORWARD, SYSTEM, RECURSIVE]'),
    });
  });

  it.each([
    [
      'UpdateResolverRule, which it lacks',
      'UpdateResolverRule',
      { ResolverRuleId: 'rslvr-rr-1', Config: { Name: 'x' } },
    ],
    [
      'a DELEGATE rule without a DomainName',
      'CreateResolverRule',
      { CreatorRequestId: 'd', RuleType: 'DELEGATE', DelegationRecord: 'c1.example.com' },
    ],
    [
      'an IPv6 target given as Ipv6',
      'CreateResolverRule',
      {
        CreatorRequestId: 'v6',
        RuleType: 'FORWARD',
        DomainName: 'c1.example.com',
        TargetIps: [{ Ipv6: 'fd00::1', Port: 53 }],
      },
    ],
    [
      'a target without Port',
      'CreateResolverRule',
      { CreatorRequestId: 'np', RuleType: 'FORWARD', DomainName: 'c1.example.com', TargetIps: [{ Ip: '10.0.1.17' }] },
    ],
  ])('fails with an HTML 500 page for %s', async (_case, action, body) => {
    // Act
    const res = await motoCall(action, body);

    // Assess
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });

  it('refuses an IPv6 target given as Ip: only IPv4 addresses may be used', async () => {
    // Act
    const attempt = create(motoAlone.resolver, forward({ TargetIps: [{ Ip: 'fd00::1', Port: 53 }] }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: "Only IPv4 addresses may be used: 'fd00::1'",
    });
  });

  it('refuses a CreatorRequestId used before even with the same parameters', async () => {
    // Prepare
    await create(motoAlone.resolver, forward());

    // Act
    const retry = create(motoAlone.resolver, forward());

    // Assess
    await expect(retry).rejects.toMatchObject({
      name: 'ResourceExistsException',
      message: "Resolver rule with creator request ID 'forward-c1' already exists",
    });
  });

  it('adds a second dot to a domain name given with its trailing dot', async () => {
    // Act
    const { ResolverRule } = await create(motoAlone.resolver, forward({ DomainName: 'c1.example.com.' }));

    // Assess
    expect(ResolverRule?.DomainName).toBe('c1.example.com..');
  });

  it('fails to list rules once a named and an unnamed rule exist (it sorts by name)', async () => {
    // Prepare
    await create(motoAlone.resolver, forward());
    await create(motoAlone.resolver, forward({ CreatorRequestId: 'named', DomainName: 'c2.example.com', Name: 'c2' }));

    // Act
    const res = await motoCall('ListResolverRules', {});

    // Assess
    expect(res.status).toBe(500);
  });

  it('pages rules by 10 when MaxResults is not given', async () => {
    // Prepare
    for (let i = 0; i < 11; i++) {
      await create(
        motoAlone.resolver,
        forward({ CreatorRequestId: `r${i}`, DomainName: `c${i}.example.com`, Name: `c${i}` }),
      );
    }

    // Act
    const page = await motoAlone.resolver.send(new ListResolverRulesCommand({}));

    // Assess
    expect(page.ResolverRules).toHaveLength(10);
    expect(page.NextToken).toEqual(expect.any(String));
  });

  it('associates two rules for the same domain name with one VPC, which AWS refuses', async () => {
    // Prepare
    const first = await create(motoAlone.resolver, forward({ Name: 'first' }));
    const second = await create(motoAlone.resolver, forward({ CreatorRequestId: 'second', Name: 'second' }));
    await motoAlone.resolver.send(
      new AssociateResolverRuleCommand({ ResolverRuleId: first.ResolverRule?.Id, VPCId: endpoint.vpcId, Name: 'a' }),
    );

    // Act
    const again = await motoAlone.resolver.send(
      new AssociateResolverRuleCommand({ ResolverRuleId: second.ResolverRule?.Id, VPCId: endpoint.vpcId, Name: 'b' }),
    );

    // Assess
    expect(again.ResolverRuleAssociation?.Status).toBe('COMPLETE');
  });

  it('fails to list associations once two have no name', async () => {
    // Prepare
    const { ResolverRule } = await create(motoAlone.resolver, forward());
    const other = await createVpc(motoAlone.ec2);
    for (const VPCId of [endpoint.vpcId, other.vpcId]) {
      await motoAlone.resolver.send(new AssociateResolverRuleCommand({ ResolverRuleId: ResolverRule?.Id, VPCId }));
    }

    // Act
    const res = await motoCall('ListResolverRuleAssociations', {});

    // Assess
    expect(res.status).toBe(500);
  });
});
