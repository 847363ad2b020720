// The private side's parameters (zoneType, addressFamily, the Resolver rule and its outbound endpoint), checked and
// turned into what serverless.yml needs at package time: the functions' environment, whether the role holds the
// Resolver statements, and the outbound endpoint the stack creates when subnets and security groups are given. As in
// template-values.cjs, the packaged template holds one shape (no CloudFormation condition keeps both); a bad value or
// a combination that cannot work fails `sls package`, naming the parameter.
'use strict';

const { list } = require('./route53-statements.cjs');
const { resolverStatements } = require('./resolver-statements.cjs');

const ZONE_TYPES = ['public', 'private', 'both'];
const ADDRESS_FAMILIES = ['ipv4', 'ipv6', 'dual'];
const RESOLVER_RULES = ['delegate', 'forward', 'none'];
const ENDPOINT_ID = /^rslvr-out-[0-9a-z]{1,64}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
// The endpoint's address family follows the glue's: the VPC Resolver reaches the nodes through it.
const ENDPOINT_TYPES = { ipv4: 'IPV4', ipv6: 'IPV6', dual: 'DUALSTACK' };
const ENDPOINT = 'ResolverEndpoint';

const parameter = (resolveVariable, name) =>
  resolveVariable(`self:custom.rlec.${name}`).then((value) => String(value ?? '').trim());

function oneOf(name, value, allowed) {
  if (!allowed.includes(value)) {
    throw new Error(`${name}: ${JSON.stringify(value)} must be one of ${allowed.join(', ')}`);
  }
  return value;
}

function ids(name, value, pattern, example) {
  const found = list(value);
  for (const id of found) {
    if (!pattern.test(id)) throw new Error(`${name}: ${JSON.stringify(id)} is not an id like ${example}`);
  }
  return found;
}

/** The endpoint the rules use: an existing one, one the stack creates, or none. */
async function endpoint(resolveVariable) {
  const id = await parameter(resolveVariable, 'resolverEndpointId');
  const subnets = ids(
    'resolverSubnetIds',
    await parameter(resolveVariable, 'resolverSubnetIds'),
    SUBNET_ID,
    'subnet-0123456789abcdef0',
  );
  const groups = ids(
    'resolverSecurityGroupIds',
    await parameter(resolveVariable, 'resolverSecurityGroupIds'),
    GROUP_ID,
    'sg-0123456789abcdef0',
  );
  if (id !== '' && !ENDPOINT_ID.test(id)) {
    throw new Error(
      `resolverEndpointId: ${JSON.stringify(id)} is not an outbound endpoint id (rslvr-out-0123456789abcdef0)`,
    );
  }
  if (id !== '' && (subnets.length > 0 || groups.length > 0)) {
    throw new Error(
      'resolverEndpointId, resolverSubnetIds: give one, an existing endpoint or the subnets of a new one',
    );
  }
  if (subnets.length > 0 && groups.length === 0) {
    throw new Error('resolverSecurityGroupIds: required with resolverSubnetIds (a group allowing UDP and TCP 53 out)');
  }
  if (groups.length > 0 && subnets.length === 0) {
    throw new Error('resolverSubnetIds: required with resolverSecurityGroupIds (the subnets of the new endpoint)');
  }
  if (subnets.length > 0 && new Set(subnets).size < 2) {
    throw new Error('resolverSubnetIds: at least 2 different subnets, in different Availability Zones (AWS minimum)');
  }
  if (id !== '') return { id };
  return subnets.length > 0 ? { subnets, groups } : undefined;
}

/**
 * Every private-side parameter, checked together.
 * @returns {Promise<{ zoneType: string, addressFamily: string, resolverRule: string, vpcIds: string[],
 *   endpoint: undefined | { id: string } | { subnets: string[], groups: string[] } }>}
 */
async function privateDns(resolveVariable) {
  const zoneType = oneOf('zoneType', await parameter(resolveVariable, 'zoneType'), ZONE_TYPES);
  const addressFamily = oneOf('addressFamily', await parameter(resolveVariable, 'addressFamily'), ADDRESS_FAMILIES);
  const found = await endpoint(resolveVariable);
  const given = await parameter(resolveVariable, 'resolverRule');
  // The default: a DELEGATE rule when there is an endpoint to put it on, none without.
  const resolverRule = oneOf('resolverRule', given || (found ? 'delegate' : 'none'), RESOLVER_RULES);
  const vpcIds = ids(
    'resolverVpcIds',
    await parameter(resolveVariable, 'resolverVpcIds'),
    VPC_ID,
    'vpc-0123456789abcdef0',
  );
  if (resolverRule !== 'none' && !found) {
    throw new Error(
      `resolverRule: ${resolverRule} needs an outbound endpoint: resolverEndpointId, or resolverSubnetIds and resolverSecurityGroupIds`,
    );
  }
  if (resolverRule !== 'none' && zoneType === 'public') {
    throw new Error(
      `resolverRule: ${resolverRule} serves the private side: set zoneType to private or both, or resolverRule to none`,
    );
  }
  if (resolverRule === 'none' && found?.subnets) {
    throw new Error(
      'resolverSubnetIds: the stack would create an endpoint (billed per hour) that no rule uses: resolverRule is none',
    );
  }
  if (resolverRule === 'none' && vpcIds.length > 0) {
    throw new Error('resolverVpcIds: given, but resolverRule is none (no rule to associate)');
  }
  if (found?.subnets && (await parameter(resolveVariable, 'dnsRoleArn')) !== '') {
    throw new Error(
      'resolverSubnetIds: with dnsRoleArn the rules are made in the DNS account, and a rule can only use an endpoint of its own account: create the endpoint there and give resolverEndpointId',
    );
  }
  return { zoneType, addressFamily, resolverRule, vpcIds, endpoint: found };
}

/** RESOLVER_ENDPOINT_ID: the given id, the created endpoint's (resolved at deployment), or ''. */
const endpointId = (found) => found?.id ?? (found ? { 'Fn::GetAtt': [ENDPOINT, 'ResolverEndpointId'] } : '');

module.exports.zoneType = async ({ resolveVariable }) => (await privateDns(resolveVariable)).zoneType;
module.exports.addressFamily = async ({ resolveVariable }) => (await privateDns(resolveVariable)).addressFamily;
module.exports.resolverRule = async ({ resolveVariable }) => (await privateDns(resolveVariable)).resolverRule;
module.exports.resolverVpcIds = async ({ resolveVariable }) => (await privateDns(resolveVariable)).vpcIds.join(',');
module.exports.resolverEndpointId = async ({ resolveVariable }) =>
  endpointId((await privateDns(resolveVariable)).endpoint);

/** The outbound endpoint the stack creates, and its id as an output; nothing when none is to be created. */
module.exports.resolverResources = async ({ resolveVariable }) => {
  const { endpoint: found, addressFamily } = await privateDns(resolveVariable);
  if (!found?.subnets) return {};
  const name = `${await resolveVariable('self:service')}-${await resolveVariable('sls:stage')}`;
  return {
    Resources: {
      [ENDPOINT]: {
        Type: 'AWS::Route53Resolver::ResolverEndpoint',
        Properties: {
          Name: name,
          Direction: 'OUTBOUND',
          ResolverEndpointType: ENDPOINT_TYPES[addressFamily],
          IpAddresses: found.subnets.map((SubnetId) => ({ SubnetId })),
          SecurityGroupIds: found.groups,
        },
      },
    },
    Outputs: {
      ResolverEndpointId: {
        Description: 'The outbound endpoint the Resolver rules use (billed per IP address and hour)',
        Value: endpointId(found),
      },
    },
  };
};

/**
 * What the private side adds to the functions' role when the zones are in this account: route53:GetHostedZone on the
 * zones (a private zone's VPCs) when there is a private side, AAAA among the record types for IPv6 glue, and the
 * Resolver statements on this stack's Region and endpoint when there is a rule to keep.
 */
module.exports.privateAccess = async (resolveVariable) => {
  const { zoneType, addressFamily, resolverRule, endpoint: found } = await privateDns(resolveVariable);
  const endpointArn = found?.id
    ? {
        'Fn::Sub': `arn:\${AWS::Partition}:route53resolver:\${AWS::Region}:\${AWS::AccountId}:resolver-endpoint/${found.id}`,
      }
    : { 'Fn::GetAtt': [ENDPOINT, 'Arn'] };
  return {
    getHostedZone: zoneType !== 'public',
    recordTypes: addressFamily === 'ipv4' ? 'A,NS,TXT' : 'A,AAAA,NS,TXT',
    statements: resolverRule === 'none' ? [] : resolverStatements({ region: `\${AWS::Region}`, endpointArn }),
  };
};
