// The private side's parameters that cannot work together (serverless.yml, scripts/private-dns-values.cjs): each one
// fails `sls package` with a message naming the parameter, before anything is built.
import { describe, expect, it } from 'vitest';
import { slsPackageIn } from './sls.js';

const slsPackage = (...args: string[]) => slsPackageIn('.', ...args);

const ENDPOINT_ID = 'rslvr-out-0123456789abcdef0';
const VPCS = ['vpc-0123456789abcdef0'];
const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-1123456789abcdef0'];
const GROUPS = ['sg-0123456789abcdef0'];
const DNS_ROLE_ARN = 'arn:aws:iam::222222222222:role/rlec-dns-prod';

describe('sls package with private-side parameters that cannot work', () => {
  const subnets = `--param=resolverSubnetIds=${SUBNETS.join(',')}`;
  const groups = `--param=resolverSecurityGroupIds=${GROUPS[0]}`;
  const endpoint = `--param=resolverEndpointId=${ENDPOINT_ID}`;
  const cases: [string, string[], RegExp][] = [
    ['an unknown zone type', ['--param=zoneType=split'], /zoneType: "split" must be one of public, private, both/],
    ['an unknown address family', ['--param=addressFamily=ipv5'], /addressFamily: "ipv5" must be one of ipv4/],
    ['an unknown rule type', ['--param=resolverRule=system'], /resolverRule: "system" must be one of delegate/],
    [
      'a malformed endpoint id',
      ['--param=resolverEndpointId=rslvr-in-0123'],
      /resolverEndpointId: "rslvr-in-0123" is not/,
    ],
    ['an endpoint and subnets both', [endpoint, subnets, groups], /resolverEndpointId, resolverSubnetIds: give one/],
    ['subnets without security groups', [subnets], /resolverSecurityGroupIds: required with resolverSubnetIds/],
    ['security groups without subnets', [groups], /resolverSubnetIds: required with resolverSecurityGroupIds/],
    ['one subnet', [`--param=resolverSubnetIds=${SUBNETS[0]}`, groups], /resolverSubnetIds: at least 2 different/],
    ['a malformed subnet id', ['--param=resolverSubnetIds=subnet-1,subnet-2', groups], /resolverSubnetIds: "subnet-1"/],
    [
      'a rule without an endpoint',
      ['--param=zoneType=private', '--param=resolverRule=forward'],
      /forward needs an outbound endpoint/,
    ],
    ['a rule with public zones only', [endpoint], /resolverRule: delegate serves the private side/],
    [
      'VPCs without a rule',
      ['--param=zoneType=private', `--param=resolverVpcIds=${VPCS[0]}`],
      /resolverVpcIds: given, but resolverRule is none/,
    ],
    [
      'a created endpoint no rule uses',
      ['--param=zoneType=private', '--param=resolverRule=none', subnets, groups],
      /no rule uses/,
    ],
    [
      'a created endpoint with dnsRoleArn',
      ['--param=zoneType=private', `--param=dnsRoleArn=${DNS_ROLE_ARN}`, subnets, groups],
      /a rule can only use an endpoint of its own account/,
    ],
  ];
  it.each(cases)(
    'fails on %s, naming the parameter',
    async (_name, args, message) => {
      await expect(slsPackage(...args)).rejects.toThrow(message);
    },
    120_000,
  );
});
