/**
 * The VPC side of the emulated account, for private zones and Resolver rules: VPCs, an outbound Resolver endpoint (a VPC,
 * two subnets, a security group and the endpoint's two addresses, the least AWS and moto accept), and private hosted
 * zones with the VPCs they answer.
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  AssociateVPCWithHostedZoneCommand,
  CreateHostedZoneCommand,
  GetHostedZoneCommand,
  type Route53Client,
  type VPCRegion,
} from '@aws-sdk/client-route-53';
import { CreateResolverEndpointCommand, type Route53ResolverClient } from '@aws-sdk/client-route53resolver';

/** An outbound endpoint and the network it sits in. */
export interface OutboundEndpoint {
  readonly endpointId: string;
  readonly vpcId: string;
  readonly subnetIds: readonly [string, string];
  readonly securityGroupId: string;
}

let vpcCount = 0;

/** Creates a VPC with its own /16 (10.<n>.0.0/16, n counting up); returns its id. */
export async function createVpc(ec2: EC2Client): Promise<{ vpcId: string; cidr: string }> {
  vpcCount += 1;
  const cidr = `10.${vpcCount % 250}.0.0/16`;
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }));
  if (!Vpc?.VpcId) throw new Error('CreateVpc returned no VpcId');
  return { vpcId: Vpc.VpcId, cidr };
}

/**
 * Creates a dual-stack subnet: a VPC with an Amazon-provided IPv6 /56 and a subnet with its first /64. An instance
 * launched there with `Ipv6AddressCount` gets an IPv6 address on its primary interface (moto marks it not primary and
 * sets no instance-level `Ipv6Address`; lib/source/instances.ts's primaryIpv6 falls back to it).
 */
export async function createDualStackSubnet(
  ec2: EC2Client,
): Promise<{ vpcId: string; subnetId: string; cidr: string }> {
  vpcCount += 1;
  const prefix = `10.${vpcCount % 250}`;
  const { Vpc } = await ec2.send(
    new CreateVpcCommand({ CidrBlock: `${prefix}.0.0/16`, AmazonProvidedIpv6CidrBlock: true }),
  );
  if (!Vpc?.VpcId) throw new Error('CreateVpc returned no VpcId');
  const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ VpcIds: [Vpc.VpcId] }));
  const block = Vpcs?.[0]?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock;
  if (block === undefined) throw new Error('the VPC got no IPv6 block');
  const cidr = `${prefix}.1.0/24`;
  const { Subnet } = await ec2.send(
    new CreateSubnetCommand({ VpcId: Vpc.VpcId, CidrBlock: cidr, Ipv6CidrBlock: block.replace(/\/56$/, '/64') }),
  );
  if (!Subnet?.SubnetId) throw new Error('CreateSubnet returned no SubnetId');
  return { vpcId: Vpc.VpcId, subnetId: Subnet.SubnetId, cidr };
}

/** Creates a VPC, two subnets in two zones, a security group and an OUTBOUND endpoint on them. */
export async function createOutboundEndpoint(
  ec2: EC2Client,
  resolver: Route53ResolverClient,
  region: string,
): Promise<OutboundEndpoint> {
  const { vpcId, cidr } = await createVpc(ec2);
  const prefix = cidr.replace(/\.0\.0\/16$/, '');
  const subnet = async (third: number, zone: string) => {
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `${prefix}.${third}.0/24`,
        AvailabilityZone: `${region}${zone}`,
      }),
    );
    if (!Subnet?.SubnetId) throw new Error('CreateSubnet returned no SubnetId');
    return Subnet.SubnetId;
  };
  const subnetIds = [await subnet(1, 'a'), await subnet(2, 'b')] as const;
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: `resolver-${vpcId}`, Description: 'Resolver outbound', VpcId: vpcId }),
  );
  if (!GroupId) throw new Error('CreateSecurityGroup returned no GroupId');
  const { ResolverEndpoint } = await resolver.send(
    new CreateResolverEndpointCommand({
      CreatorRequestId: `outbound-${vpcId}`,
      Name: 'outbound',
      Direction: 'OUTBOUND',
      SecurityGroupIds: [GroupId],
      IpAddresses: subnetIds.map((SubnetId) => ({ SubnetId })),
    }),
  );
  if (!ResolverEndpoint?.Id) throw new Error('CreateResolverEndpoint returned no Id');
  return { endpointId: ResolverEndpoint.Id, vpcId, subnetIds, securityGroupId: GroupId };
}

/** Creates a private hosted zone answering one VPC; returns its Id as Route 53 gives it (`/hostedzone/Z…`). */
export async function createPrivateZone(
  route53: Route53Client,
  name: string,
  vpcId: string,
  region: string,
): Promise<string> {
  const { HostedZone } = await route53.send(
    new CreateHostedZoneCommand({
      Name: name,
      CallerReference: `${name}-${vpcId}-${Date.now()}-${Math.random()}`,
      VPC: { VPCId: vpcId, VPCRegion: region as VPCRegion },
      HostedZoneConfig: { PrivateZone: true },
    }),
  );
  if (!HostedZone?.Id) throw new Error('CreateHostedZone returned no Id');
  return HostedZone.Id;
}

/** Lets one more VPC resolve the private zone. */
export async function associateVpc(
  route53: Route53Client,
  zoneId: string,
  vpcId: string,
  region: string,
): Promise<void> {
  await route53.send(
    new AssociateVPCWithHostedZoneCommand({
      HostedZoneId: zoneId,
      VPC: { VPCId: vpcId, VPCRegion: region as VPCRegion },
    }),
  );
}

/** The ids of the VPCs a private zone answers, as GetHostedZone lists them. */
export async function zoneVpcIds(route53: Route53Client, zoneId: string): Promise<string[]> {
  const { VPCs } = await route53.send(new GetHostedZoneCommand({ Id: zoneId }));
  return (VPCs ?? []).flatMap((vpc) => (vpc.VPCId ? [vpc.VPCId] : []));
}
