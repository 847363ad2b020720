/**
 * The Resolver registry's reads, page by page (the emulator never pages these for a handful of rules): every rule,
 * tag and association on any page is seen; incomplete entries are skipped; a zone's VPCs of other Regions are left out.
 */
import { GetHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  GetResolverRuleAssociationCommand,
  ListResolverRuleAssociationsCommand,
  ListResolverRulesCommand,
  ListTagsForResourceCommand,
  Route53ResolverClient,
} from '@aws-sdk/client-route53resolver';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  associationStatus,
  associationsOf,
  codeOf,
  domainOf,
  listAllRules,
  tagsOf,
  zoneVpcIds,
} from '../../lib/registry/resolver.js';

const resolverMock = mockClient(Route53ResolverClient);
const route53Mock = mockClient(Route53Client);
const resolver = new Route53ResolverClient({ region: 'us-east-1' });
const route53 = new Route53Client({ region: 'us-east-1' });

afterEach(() => {
  resolverMock.reset();
  route53Mock.reset();
});

describe('the Resolver registry', () => {
  it('lists the rules of every page, following NextToken', async () => {
    // Prepare
    resolverMock
      .on(ListResolverRulesCommand, { MaxResults: 100 })
      .resolves({ ResolverRules: [{ Id: 'rslvr-rr-1' }], NextToken: 'p2' })
      .on(ListResolverRulesCommand, { MaxResults: 100, NextToken: 'p2' })
      .resolves({ ResolverRules: [{ Id: 'rslvr-rr-2' }] });

    // Act
    const rules = await listAllRules(resolver);

    // Assess
    expect(rules.map((r) => r.Id)).toEqual(['rslvr-rr-1', 'rslvr-rr-2']);
  });

  it('reads the tags of every page, an absent value as empty, and skips a tag without a key', async () => {
    // Prepare: the service's answers as they come off the wire, where a member may be missing
    const keyless = { Value: 'no key' } as unknown as { Key: string; Value: string };
    const valueless = { Key: 'rlec-dns:cluster' } as unknown as { Key: string; Value: string };
    resolverMock
      .on(ListTagsForResourceCommand, { ResourceArn: 'arn:r' })
      .resolves({ Tags: [{ Key: 'rlec-dns:owner', Value: 'me' }, keyless], NextToken: 't2' })
      .on(ListTagsForResourceCommand, { ResourceArn: 'arn:r', NextToken: 't2' })
      .resolves({ Tags: [valueless] });

    // Act
    const tags = await tagsOf(resolver, 'arn:r');

    // Assess
    expect(tags).toEqual({ 'rlec-dns:owner': 'me', 'rlec-dns:cluster': '' });
  });

  it('reads the associations of every page and skips one without an id or a VPC', async () => {
    // Prepare
    resolverMock
      .on(ListResolverRuleAssociationsCommand)
      .resolvesOnce({
        ResolverRuleAssociations: [{ Id: 'a1', VPCId: 'vpc-1', Status: 'CREATING' }, { Id: 'a0' }],
        NextToken: 'n2',
      })
      .resolvesOnce({ ResolverRuleAssociations: [{ Id: 'a2', VPCId: 'vpc-2' }] });

    // Act
    const associations = await associationsOf(resolver, 'rslvr-rr-1');

    // Assess
    expect(associations.map((a) => [a.id, a.vpcId, a.status])).toEqual([
      ['a1', 'vpc-1', 'CREATING'],
      ['a2', 'vpc-2', 'COMPLETE'],
    ]);
  });

  it('says an association is gone when the service no longer knows it, and passes other errors on', async () => {
    // Prepare
    const gone = Object.assign(new Error('no such association'), { name: 'ResourceNotFoundException' });
    resolverMock.on(GetResolverRuleAssociationCommand, { ResolverRuleAssociationId: 'a1' }).rejects(gone);
    const denied = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    resolverMock.on(GetResolverRuleAssociationCommand, { ResolverRuleAssociationId: 'a2' }).rejects(denied);

    // Act
    const status = await associationStatus(resolver, 'a1');
    const attempt = associationStatus(resolver, 'a2');

    // Assess
    expect(status).toBeUndefined();
    await expect(attempt).rejects.toThrow('denied');
    expect(codeOf({ code: 'Throttling' })).toBe('Throttling');
    expect(codeOf(undefined)).toBeUndefined();
  });

  it('names a DELEGATE rule by its delegation record, else its domain name, and a nameless rule by nothing', () => {
    expect(domainOf({ RuleType: 'DELEGATE', DelegationRecord: 'C1.Example.com.' })).toBe('c1.example.com');
    expect(domainOf({ RuleType: 'DELEGATE', DomainName: 'c2.example.com' })).toBe('c2.example.com');
    expect(domainOf({ RuleType: 'FORWARD' })).toBeUndefined();
  });

  it('keeps only the zone’s VPCs in the deployment’s Region', async () => {
    // Prepare
    route53Mock.on(GetHostedZoneCommand).resolves({
      HostedZone: { Id: 'Z1', Name: 'example.com.', CallerReference: 'x' },
      DelegationSet: undefined,
      VPCs: [
        { VPCId: 'vpc-here', VPCRegion: 'us-east-1' },
        { VPCId: 'vpc-there', VPCRegion: 'eu-west-1' },
        { VPCRegion: 'us-east-1' },
      ],
    });

    // Act
    const vpcs = await zoneVpcIds(route53, 'Z1', 'us-east-1');

    // Assess
    expect(vpcs).toEqual(['vpc-here']);
  });
});
