/** Rule associations through the Resolver layer: DELEGATE rules like any other, one rule per domain per VPC. */
import {
  AssociateResolverRuleCommand,
  DeleteResolverRuleCommand,
  DisassociateResolverRuleCommand,
  ListResolverRuleAssociationsCommand,
} from '@aws-sdk/client-route53resolver';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OutboundEndpoint } from '../../tools/world/resolver-helpers.js';
import { CLUSTER, created, delegateRule, forwardRule, idOf } from '../support/resolver.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();
let endpoint: OutboundEndpoint;

beforeEach(async () => {
  endpoint = await setup.world.outboundEndpoint();
});

const resolver = () => setup.world.resolver;
const associate = (ResolverRuleId: string, VPCId: string) =>
  resolver().send(new AssociateResolverRuleCommand({ ResolverRuleId, VPCId }));
const associations = async (ResolverRuleId: string) =>
  (
    await resolver().send(
      new ListResolverRuleAssociationsCommand({ Filters: [{ Name: 'ResolverRuleId', Values: [ResolverRuleId] }] }),
    )
  ).ResolverRuleAssociations ?? [];

describe('associations through the Resolver layer', () => {
  it('associates a DELEGATE rule with two VPCs and disassociates one', async () => {
    // Prepare
    const rule = await created(resolver(), delegateRule(endpoint.endpointId));
    const other = await setup.world.vpc();

    // Act
    await associate(idOf(rule), endpoint.vpcId);
    await associate(idOf(rule), other);
    await resolver().send(new DisassociateResolverRuleCommand({ ResolverRuleId: idOf(rule), VPCId: other }));

    // Assess
    expect(await associations(idOf(rule))).toEqual([
      {
        Id: expect.stringMatching(/^rslvr-rrassoc-/),
        ResolverRuleId: rule.Id,
        VPCId: endpoint.vpcId,
        Status: 'COMPLETE',
        StatusMessage: '',
      },
    ]);
  });

  it('refuses to delete a DELEGATE rule still associated, and deletes it once disassociated', async () => {
    // Prepare
    const rule = await created(resolver(), delegateRule(endpoint.endpointId));
    await associate(idOf(rule), endpoint.vpcId);

    // Act
    const early = await resolver()
      .send(new DeleteResolverRuleCommand({ ResolverRuleId: rule.Id }))
      .then(
        () => 'deleted',
        (error: unknown) => error,
      );
    await resolver().send(new DisassociateResolverRuleCommand({ ResolverRuleId: idOf(rule), VPCId: endpoint.vpcId }));
    const deleted = await resolver().send(new DeleteResolverRuleCommand({ ResolverRuleId: rule.Id }));

    // Assess
    expect(early).toMatchObject({ name: 'ResourceInUseException' });
    expect(deleted.ResolverRule?.Id).toBe(rule.Id);
  });

  it('refuses a second rule for the same domain name in one VPC, naming the rule there (RSLVR-00802)', async () => {
    // Prepare
    const foreign = await created(resolver(), forwardRule(endpoint.endpointId, { CreatorRequestId: 'someone-else' }));
    await associate(idOf(foreign), endpoint.vpcId);
    const ours = await created(
      resolver(),
      delegateRule(endpoint.endpointId, { DelegationRecord: `${CLUSTER.toUpperCase()}.` }),
    );

    // Act
    const attempt = associate(idOf(ours), endpoint.vpcId);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: `[RSLVR-00802] Cannot associate rules with same domain name with same VPC. Conflict with resolver rule "${foreign.Id}"`,
    });
    expect(await associations(idOf(ours))).toEqual([]);
  });

  it('lets rules for a parent and a child name share a VPC', async () => {
    // Prepare
    const parent = await created(
      resolver(),
      forwardRule(endpoint.endpointId, { CreatorRequestId: 'parent', DomainName: 'example.com' }),
    );
    const child = await created(resolver(), delegateRule(endpoint.endpointId));
    await associate(idOf(parent), endpoint.vpcId);

    // Act
    await associate(idOf(child), endpoint.vpcId);

    // Assess
    expect(await associations(idOf(child))).toHaveLength(1);
  });

  it('lists more than moto’s 10 unnamed associations in one page', async () => {
    // Prepare
    const rule = await created(resolver(), delegateRule(endpoint.endpointId));
    for (let i = 0; i < 11; i++) await associate(idOf(rule), await setup.world.vpc());

    // Act
    const listed = await resolver().send(new ListResolverRuleAssociationsCommand({}));

    // Assess
    expect(listed.ResolverRuleAssociations).toHaveLength(11);
    expect(listed.NextToken).toBeUndefined();
    expect(listed.ResolverRuleAssociations?.every((association) => association.Name === undefined)).toBe(true);
  });
});
