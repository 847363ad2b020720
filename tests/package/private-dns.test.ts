// Packages the main service with the private side's parameters (zoneType, addressFamily, a Resolver rule on an
// outbound endpoint, given or created by the stack) and checks the template: the parameters reach both functions'
// environment, the Resolver statements are there only when a rule is kept, on this Region's rules, with tag
// conditions and no wildcard action, and the endpoint exists only when subnets and security groups are given. What
// cannot work fails `sls package`: private-dns-refusals.test.ts.
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/platform/config.js';
import { type Packaged, resourcesOfType, slsPackageIn, type Template } from './sls.js';

const slsPackage = (...args: string[]) => slsPackageIn('.', ...args);

const FUNCTIONS = ['StateChangeLambdaFunction', 'ReconcileLambdaFunction'];
const ZONE = 'Z0123456789ABCDEFGHIJ';
const ENDPOINT_ID = 'rslvr-out-0123456789abcdef0';
const VPCS = ['vpc-0123456789abcdef0', 'vpc-1123456789abcdef0'];
const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-1123456789abcdef0'];
const GROUPS = ['sg-0123456789abcdef0', 'sg-1123456789abcdef0'];
const DNS_ROLE_ARN = 'arn:aws:iam::222222222222:role/rlec-dns-prod';

// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax, not a JavaScript template
const HERE = '${AWS::Partition}:route53resolver:${AWS::Region}:${AWS::AccountId}';
const RULES = { 'Fn::Sub': `arn:${HERE}:resolver-rule/*` };
const CREATED_ENDPOINT = { 'Fn::GetAtt': ['ResolverEndpoint', 'Arn'] };

const RESOLVER_ACTIONS = [
  'route53resolver:CreateResolverRule',
  'route53resolver:UpdateResolverRule',
  'route53resolver:DeleteResolverRule',
  'route53resolver:AssociateResolverRule',
  'route53resolver:DisassociateResolverRule',
  'route53resolver:ListResolverRules',
  'route53resolver:GetResolverRule',
  'route53resolver:ListResolverRuleAssociations',
  'route53resolver:GetResolverRuleAssociation',
  'route53resolver:ListTagsForResource',
  'route53resolver:TagResource',
  'ec2:DescribeVpcs',
];
const taggedAsOurs = {
  StringEquals: { 'aws:RequestTag/rlec-dns:heritage': 'rlec-dns' },
  'ForAllValues:StringLike': { 'aws:TagKeys': ['rlec-dns:*'] },
};
const ours = { StringEquals: { 'aws:ResourceTag/rlec-dns:heritage': 'rlec-dns' } };

interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface Endpoint {
  Direction: string;
  ResolverEndpointType: string;
  IpAddresses: { SubnetId: string }[];
  SecurityGroupIds: string[];
}

function variables(template: Template, id: string): Record<string, unknown> {
  const resource = template.Resources[id];
  expect(resource?.Type).toBe('AWS::Lambda::Function');
  const properties = resource?.Properties as { Environment: { Variables: Record<string, unknown> } } | undefined;
  return properties?.Environment.Variables ?? {};
}

function statements(template: Template): Statement[] {
  const roles = resourcesOfType<{ Policies: { PolicyDocument: { Statement: Statement[] } }[] }>(
    template,
    'AWS::IAM::Role',
  );
  expect(roles).toHaveLength(1);
  return (roles[0]?.[1].Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement);
}

const actions = (template: Template) => statements(template).flatMap((s) => s.Action);
const resolverActions = (template: Template) =>
  actions(template).filter((a) => a.startsWith('route53resolver:') || a === 'ec2:DescribeVpcs');

/** The one statement granting an action. */
function grant(template: Template, action: string): Statement {
  const found = statements(template).filter((statement) => statement.Action.includes(action));
  expect(found, action).toHaveLength(1);
  return found[0] as Statement;
}

const endpoints = (template: Template) => resourcesOfType<Endpoint>(template, 'AWS::Route53Resolver::ResolverEndpoint');

let delegate: Packaged;
let forward: Packaged;
let dnsRole: Packaged;
let privateOnly: Packaged;

beforeAll(async () => {
  // One after the other: serverless-esbuild builds in the project's .esbuild/ folder, which two runs would share.
  delegate = await slsPackage(
    '--stage',
    'prod',
    '--param=zoneType=private',
    `--param=hostedZoneIds=${ZONE}`,
    `--param=resolverEndpointId=${ENDPOINT_ID}`,
    `--param=resolverVpcIds=${VPCS.join(',')}`,
    '--param=resolverRate=1',
  );
  forward = await slsPackage(
    '--param=zoneType=both',
    '--param=addressFamily=dual',
    '--param=resolverRule=forward',
    `--param=resolverSubnetIds=${SUBNETS.join(',')}`,
    `--param=resolverSecurityGroupIds=${GROUPS.join(',')}`,
  );
  dnsRole = await slsPackage(
    `--param=dnsRoleArn=${DNS_ROLE_ARN}`,
    '--param=zoneType=private',
    `--param=resolverEndpointId=${ENDPOINT_ID}`,
  );
  privateOnly = await slsPackage('--param=zoneType=private');
}, 360_000);

afterAll(async () => {
  for (const packaged of [delegate, forward, dnsRole, privateOnly]) {
    if (packaged) await rm(packaged.dir, { recursive: true, force: true });
  }
});

describe('sls package with private zones and a DELEGATE rule on an existing outbound endpoint', () => {
  it('tells both functions the zone type, the endpoint, the rule (delegate, the default with an endpoint), the VPCs and the Resolver rate', () => {
    for (const id of FUNCTIONS) {
      expect(variables(delegate.template, id)).toMatchObject({
        ZONE_TYPE: 'private',
        ADDRESS_FAMILY: 'ipv4',
        RESOLVER_ENDPOINT_ID: ENDPOINT_ID,
        RESOLVER_RULE: 'delegate',
        RESOLVER_VPC_IDS: VPCS.join(','),
        RESOLVER_RATE: '1',
      });
    }
  });

  it('packages an environment the code accepts at cold start', () => {
    for (const id of FUNCTIONS) {
      const env = { ...variables(delegate.template, id), ACCOUNT_ID: '123456789012', AWS_REGION: 'eu-west-1' };
      expect(() => loadConfig(env as Record<string, string>), id).not.toThrow();
    }
  });

  it('grants exactly the Resolver actions the code calls, each once, and no wildcard action', () => {
    expect(resolverActions(delegate.template).sort()).toEqual([...RESOLVER_ACTIONS].sort());
    for (const action of actions(delegate.template)) expect(action).not.toContain('*');
  });

  it('grants Resource "*" only to the actions without resource-level permissions', () => {
    const star = statements(delegate.template)
      .filter((s) => ([] as unknown[]).concat(s.Resource).includes('*'))
      .flatMap((s) => s.Action);
    expect(star.sort()).toEqual(
      [
        'route53:ListHostedZones',
        'ec2:DescribeInstances',
        'route53resolver:ListResolverRules',
        'route53resolver:ListResolverRuleAssociations',
        'ec2:DescribeVpcs',
      ].sort(),
    );
  });

  it('scopes every rule action to this account and Region’s rules, and CreateResolverRule to the given endpoint too', () => {
    for (const action of RESOLVER_ACTIONS.filter(
      (a) => !/List(ResolverRules|ResolverRuleAssociations)$|Vpcs$/.test(a),
    )) {
      const resources = ([] as unknown[]).concat(grant(delegate.template, action).Resource);
      expect(resources[0], action).toEqual(RULES);
    }
    expect(grant(delegate.template, 'route53resolver:CreateResolverRule').Resource).toEqual([
      RULES,
      { 'Fn::Sub': `arn:${HERE}:resolver-endpoint/${ENDPOINT_ID}` },
    ]);
  });

  it('creates and tags only rules tagged as rlec-dns’s, and changes or (dis)associates only rules carrying that tag', () => {
    expect(grant(delegate.template, 'route53resolver:CreateResolverRule').Condition).toEqual(taggedAsOurs);
    expect(grant(delegate.template, 'route53resolver:TagResource').Condition).toEqual(taggedAsOurs);
    for (const verb of ['Update', 'Delete', 'Associate', 'Disassociate']) {
      expect(grant(delegate.template, `route53resolver:${verb}ResolverRule`).Condition, verb).toEqual(ours);
    }
  });

  it('reads the hosted zones (their VPCs) with GetHostedZone on the hostedZoneIds zones only', () => {
    expect(grant(delegate.template, 'route53:GetHostedZone').Resource).toEqual([
      { 'Fn::Sub': `arn:\${AWS::Partition}:route53:::hostedzone/${ZONE}` },
    ]);
  });

  it('creates no endpoint of its own', () => {
    expect(endpoints(delegate.template)).toEqual([]);
    expect(delegate.template.Outputs?.ResolverEndpointId).toBeUndefined();
  });
});

describe('sls package with split view, dual stack and a FORWARD rule on an endpoint the stack creates', () => {
  it('creates one outbound dual-stack endpoint in the given subnets with the given security groups', () => {
    const created = endpoints(forward.template);
    expect(created.map(([id]) => id)).toEqual(['ResolverEndpoint']);
    expect(created[0]?.[1]).toMatchObject({
      Direction: 'OUTBOUND',
      ResolverEndpointType: 'DUALSTACK',
      IpAddresses: SUBNETS.map((SubnetId) => ({ SubnetId })),
      SecurityGroupIds: GROUPS,
    });
    expect(forward.template.Outputs?.ResolverEndpointId?.Value).toEqual({
      'Fn::GetAtt': ['ResolverEndpoint', 'ResolverEndpointId'],
    });
  });

  it('tells both functions the created endpoint’s id, resolved at deployment', () => {
    for (const id of FUNCTIONS) {
      expect(variables(forward.template, id)).toMatchObject({
        ZONE_TYPE: 'both',
        ADDRESS_FAMILY: 'dual',
        RESOLVER_RULE: 'forward',
        RESOLVER_ENDPOINT_ID: { 'Fn::GetAtt': ['ResolverEndpoint', 'ResolverEndpointId'] },
        RESOLVER_VPC_IDS: '',
        RESOLVER_SHARE: '4',
        RESOLVER_RATE: '',
      });
    }
  });

  it('binds CreateResolverRule to the created endpoint', () => {
    expect(grant(forward.template, 'route53resolver:CreateResolverRule').Resource).toEqual([RULES, CREATED_ENDPOINT]);
  });

  it('allows AAAA glue among the record types it may change', () => {
    const change = grant(forward.template, 'route53:ChangeResourceRecordSets').Condition ?? {};
    expect(change['ForAllValues:StringEquals']?.['route53:ChangeResourceRecordSetsRecordTypes']).toEqual([
      'A',
      'AAAA',
      'NS',
      'TXT',
    ]);
  });
});

describe('sls package with a Resolver rule and dnsRoleArn (the rules are the DNS account’s)', () => {
  it('grants the functions no Resolver, Route 53 or VPC action: the DNS account’s role holds them', () => {
    expect(actions(dnsRole.template).filter((a) => /^route53|^ec2:DescribeVpcs$/.test(a))).toEqual([]);
    expect(grant(dnsRole.template, 'sts:AssumeRole').Resource).toBe(DNS_ROLE_ARN);
  });

  it('still tells both functions the private side', () => {
    for (const id of FUNCTIONS) {
      expect(variables(dnsRole.template, id)).toMatchObject({
        DNS_ROLE_ARN,
        ZONE_TYPE: 'private',
        RESOLVER_ENDPOINT_ID: ENDPOINT_ID,
        RESOLVER_RULE: 'delegate',
      });
    }
  });

  it('asks of the DNS account’s role the same Resolver actions, with the same tag conditions', () => {
    const require = createRequire(import.meta.url);
    const { resolverStatements } = require('../../dns-account/resolver-statements.cjs') as {
      resolverStatements: () => Statement[];
    };
    const dnsAccount = resolverStatements();
    const main = statements(delegate.template).filter((s) => s.Action.some((a) => RESOLVER_ACTIONS.includes(a)));
    expect(dnsAccount.map((s) => [s.Action, s.Condition])).toEqual(main.map((s) => [s.Action, s.Condition]));
  });
});

describe('sls package with private zones and no rule', () => {
  it('reads the zones with GetHostedZone, holds no Resolver statement and tells the functions the rule is none', () => {
    expect(grant(privateOnly.template, 'route53:GetHostedZone')).toBeDefined();
    expect(resolverActions(privateOnly.template)).toEqual([]);
    expect(endpoints(privateOnly.template)).toEqual([]);
    expect(variables(privateOnly.template, FUNCTIONS[0] as string)).toMatchObject({
      ZONE_TYPE: 'private',
      RESOLVER_RULE: 'none',
      RESOLVER_ENDPOINT_ID: '',
    });
  });
});
