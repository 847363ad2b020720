/** The world's VPC helpers: an outbound endpoint to put rules on, private zones and the VPCs they answer. */

import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import { GetResolverEndpointCommand, ListResolverEndpointIpAddressesCommand } from '@aws-sdk/client-route53resolver';
import { describe, expect, it } from 'vitest';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();

describe('the world’s VPC helpers', () => {
  it('create an outbound endpoint with an address in each of two subnets of its own VPC', async () => {
    // Act
    const endpoint = await setup.world.outboundEndpoint();

    // Assess
    const { ResolverEndpoint } = await setup.world.resolver.send(
      new GetResolverEndpointCommand({ ResolverEndpointId: endpoint.endpointId }),
    );
    expect(ResolverEndpoint).toMatchObject({
      Direction: 'OUTBOUND',
      HostVPCId: endpoint.vpcId,
      IpAddressCount: 2,
      SecurityGroupIds: [endpoint.securityGroupId],
      Status: 'OPERATIONAL',
    });
    const { IpAddresses } = await setup.world.resolver.send(
      new ListResolverEndpointIpAddressesCommand({ ResolverEndpointId: endpoint.endpointId }),
    );
    expect(IpAddresses?.map((address) => address.SubnetId).sort()).toEqual([...endpoint.subnetIds].sort());
    const { Subnets } = await setup.world.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...endpoint.subnetIds] }));
    expect(new Set(Subnets?.map((subnet) => subnet.VpcId))).toEqual(new Set([endpoint.vpcId]));
  });

  it('create a private zone answering one VPC, and add a second VPC to it later', async () => {
    // Prepare
    const first = await setup.world.vpc();
    const second = await setup.world.vpc();
    const zoneId = await setup.world.privateZone('internal.example.com', first);

    // Act
    await setup.world.associateVpc(zoneId, second);

    // Assess
    expect(await setup.world.zoneVpcs(zoneId)).toEqual([first, second]);
    const { HostedZone } = await setup.world.route53.send(new GetHostedZoneCommand({ Id: zoneId }));
    expect(HostedZone).toMatchObject({ Name: 'internal.example.com.', Config: { PrivateZone: true } });
  });

  it('count the zone association as its own Route 53 action', async () => {
    // Prepare
    const zoneId = await setup.world.privateZone('internal.example.com', await setup.world.vpc());

    // Act
    await setup.world.associateVpc(zoneId, await setup.world.vpc());

    // Assess
    expect(setup.world.emulator.proxy.count('AssociateVPCWithHostedZone')).toBe(1);
    expect(setup.world.emulator.proxy.count('CreateResolverEndpoint')).toBe(0);
  });
});
