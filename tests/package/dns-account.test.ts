// Packages the DNS account's service (dns-account/serverless.yml) with osls, offline and without AWS credentials, and
// checks the role the workload deployments assume: its trust policy (accounts, organization, external id), its
// Route 53 least privilege (the main template's), the optional Resolver statements, and the package-time checks. The
// packaged trust policy is also put in the emulator, whose AssumeRole judges trust as AWS does.
import { rm } from 'node:fs/promises';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountCredentials,
  createRole,
  type Emulator,
  startEmulator,
  stsClient,
  type TrustPolicy,
} from '../../tools/emulator/emulator.js';
import { checkovSkips, type Packaged, resourcesOfType, slsPackageIn, type Template } from './sls.js';

const slsPackage = (...args: string[]) => slsPackageIn('dns-account', ...args);

const ROLE = 'DnsRole';
const ZONES = ['Z0123456789ABCDEFGHIJ', 'Z1123456789ABCDEFGHIJ'];
const ORG_ID = 'o-a1b2c3d4e5';
const FUNCTION_ROLES = 'arn:aws:iam::*:role/rlec-dns-*-lambdaRole';

interface Statement {
  Effect: string;
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface Role {
  RoleName: string;
  AssumeRolePolicyDocument: { Version: string; Statement: Statement[] };
  Policies: { PolicyName: string; PolicyDocument: { Version: string; Statement: Statement[] } }[];
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax, not a JavaScript template
const PARTITION = '${AWS::Partition}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax, not a JavaScript template
const ACCOUNT = '${AWS::AccountId}';
const sub = (arn: string) => ({ 'Fn::Sub': arn });
const zoneArn = (id: string) => sub(`arn:${PARTITION}:route53:::hostedzone/${id}`);
const rootOf = (account: string) => sub(`arn:${PARTITION}:iam::${account}:root`);
const RULES = sub(`arn:${PARTITION}:route53resolver:*:${ACCOUNT}:resolver-rule/*`);
const ENDPOINTS = sub(`arn:${PARTITION}:route53resolver:*:${ACCOUNT}:resolver-endpoint/*`);

function role(template: Template): Role {
  const roles = resourcesOfType<Role>(template, 'AWS::IAM::Role');
  expect(roles.map(([id]) => id)).toEqual([ROLE]);
  return roles[0]?.[1] as Role;
}

const trust = (template: Template) => role(template).AssumeRolePolicyDocument.Statement;
const policy = (template: Template, name: string) =>
  role(template).Policies.find((p) => p.PolicyName === name)?.PolicyDocument.Statement ?? [];
const allStatements = (template: Template) => role(template).Policies.flatMap((p) => p.PolicyDocument.Statement);
const actionsOf = (statement: Statement): string[] =>
  statement.Action === undefined ? [] : ([] as string[]).concat(statement.Action);

/** The one statement granting an action. */
function grant(template: Template, action: string): Statement {
  const found = allStatements(template).filter((statement) => actionsOf(statement).includes(action));
  expect(found, action).toHaveLength(1);
  return found[0] as Statement;
}

const CHANGE_ACTIONS = ['CREATE', 'DELETE'];

let minimal: Packaged;
let accounts: Packaged;
let organization: Packaged;

beforeAll(async () => {
  minimal = await slsPackage('--param=trustedAccountIds=111111111111');
  accounts = await slsPackage(
    '--stage',
    'prod',
    '--param=trustedAccountIds=111111111111,333333333333',
    '--param=externalId=rlec-dns-prod',
    `--param=hostedZoneIds=${ZONES.join(',')}`,
    '--param=recordNames=*.example.com,*.example.org',
  );
  organization = await slsPackage(
    `--param=trustedOrgId=${ORG_ID}`,
    `--param=trustedPrincipalArns=${FUNCTION_ROLES}`,
    '--param=recordTypes=A,AAAA,NS,TXT',
    '--param=resolverRules=true',
  );
}, 180_000);

afterAll(async () => {
  for (const packaged of [minimal, accounts, organization]) {
    if (packaged) await rm(packaged.dir, { recursive: true, force: true });
  }
});

describe('the DNS account template', () => {
  it('holds one role and no function: only the role and the deployment bucket osls needs for templates', () => {
    const types = Object.values(minimal.template.Resources).map((resource) => resource.Type);
    expect(types.sort()).toEqual(['AWS::IAM::Role', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy']);
  });

  it('names the role rlec-dns-<stage> by default, so a workload deployment can write its ARN before it exists', () => {
    expect(role(minimal.template).RoleName).toBe('rlec-dns-dev');
    expect(role(accounts.template).RoleName).toBe('rlec-dns-prod');
  });

  it('outputs the role name and ARN', () => {
    expect(minimal.template.Outputs).toMatchObject({
      RoleName: { Value: { Ref: ROLE } },
      RoleArn: { Value: { 'Fn::GetAtt': [ROLE, 'Arn'] } },
    });
  });

  it('trusts the trustedAccountIds accounts by their root ARNs, in any partition, with nothing else required', () => {
    expect(trust(minimal.template)).toEqual([
      { Effect: 'Allow', Principal: { AWS: [rootOf('111111111111')] }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('requires the externalId, when given, of every AssumeRole from the trusted accounts', () => {
    expect(trust(accounts.template)).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: [rootOf('111111111111'), rootOf('333333333333')] },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'rlec-dns-prod' } },
      },
    ]);
  });

  it('trusts an organization by aws:PrincipalOrgID, narrowed to the trustedPrincipalArns patterns', () => {
    expect(trust(organization.template)).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': ORG_ID },
          ArnLike: { 'aws:PrincipalArn': [FUNCTION_ROLES] },
        },
      },
    ]);
  });

  it('never trusts every principal without a condition', () => {
    for (const packaged of [minimal, accounts, organization]) {
      for (const statement of trust(packaged.template)) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.Action).toBe('sts:AssumeRole');
        if (JSON.stringify(statement.Principal).includes('"*"')) {
          expect(statement.Condition?.StringEquals?.['aws:PrincipalOrgID']).toMatch(/^o-/);
        }
      }
    }
  });

  it('grants exactly the Route 53 actions rlec-dns calls, and no Resolver action unless resolverRules is true', () => {
    expect(role(minimal.template).Policies.map((p) => p.PolicyName)).toEqual(['route53']);
    expect(allStatements(minimal.template).flatMap(actionsOf).sort()).toEqual(
      [
        'route53:ListHostedZones',
        'route53:ListResourceRecordSets',
        'route53:GetHostedZone',
        'route53:ChangeResourceRecordSets',
        'route53:GetChange',
      ].sort(),
    );
  });

  it('reads and changes records of the hostedZoneIds zones only, and of every zone of the account when none is given', () => {
    for (const action of [
      'route53:ListResourceRecordSets',
      'route53:GetHostedZone',
      'route53:ChangeResourceRecordSets',
    ]) {
      expect(grant(minimal.template, action).Resource, action).toEqual([zoneArn('*')]);
      expect(grant(accounts.template, action).Resource, action).toEqual(ZONES.map(zoneArn));
    }
    expect(grant(minimal.template, 'route53:GetChange').Resource).toEqual(sub(`arn:${PARTITION}:route53:::change/*`));
  });

  it('changes only A, NS and TXT record sets by CREATE and DELETE, each key required, by default', () => {
    expect(grant(minimal.template, 'route53:ChangeResourceRecordSets').Condition).toEqual({
      Null: {
        'route53:ChangeResourceRecordSetsRecordTypes': 'false',
        'route53:ChangeResourceRecordSetsActions': 'false',
      },
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'NS', 'TXT'],
        'route53:ChangeResourceRecordSetsActions': CHANGE_ACTIONS,
      },
    });
  });

  it('requires every changed name to match the recordNames patterns', () => {
    expect(grant(accounts.template, 'route53:ChangeResourceRecordSets').Condition).toEqual({
      Null: {
        'route53:ChangeResourceRecordSetsRecordTypes': 'false',
        'route53:ChangeResourceRecordSetsActions': 'false',
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': 'false',
      },
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'NS', 'TXT'],
        'route53:ChangeResourceRecordSetsActions': CHANGE_ACTIONS,
      },
      'ForAllValues:StringLike': {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['*.example.com', '*.example.org'],
      },
    });
  });

  it('allows AAAA record sets only when recordTypes lists them', () => {
    const condition = grant(organization.template, 'route53:ChangeResourceRecordSets').Condition ?? {};
    expect(condition['ForAllValues:StringEquals']?.['route53:ChangeResourceRecordSetsRecordTypes']).toEqual([
      'A',
      'AAAA',
      'NS',
      'TXT',
    ]);
    expect(JSON.stringify(policy(minimal.template, 'route53'))).not.toContain('AAAA');
  });

  it('with resolverRules, reads every Resolver rule and changes only rules tagged as rlec-dns’s', () => {
    const ours = { StringEquals: { 'aws:ResourceTag/rlec-dns:heritage': 'rlec-dns' } };
    const taggedAsOurs = {
      StringEquals: { 'aws:RequestTag/rlec-dns:heritage': 'rlec-dns' },
      'ForAllValues:StringLike': { 'aws:TagKeys': ['rlec-dns:*'] },
    };
    expect(policy(organization.template, 'route53resolver')).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'route53resolver:ListResolverRules',
          'route53resolver:ListResolverRuleAssociations',
          'ec2:DescribeVpcs',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: [
          'route53resolver:GetResolverRule',
          'route53resolver:GetResolverRuleAssociation',
          'route53resolver:ListTagsForResource',
        ],
        Resource: RULES,
      },
      {
        Effect: 'Allow',
        Action: ['route53resolver:CreateResolverRule'],
        Resource: [RULES, ENDPOINTS],
        Condition: taggedAsOurs,
      },
      { Effect: 'Allow', Action: ['route53resolver:TagResource'], Resource: RULES, Condition: taggedAsOurs },
      {
        Effect: 'Allow',
        Action: [
          'route53resolver:UpdateResolverRule',
          'route53resolver:DeleteResolverRule',
          'route53resolver:AssociateResolverRule',
          'route53resolver:DisassociateResolverRule',
        ],
        Resource: RULES,
        Condition: ours,
      },
    ]);
  });

  it('uses no wildcard action, NotAction, NotResource or Deny, and no action twice', () => {
    for (const packaged of [minimal, accounts, organization]) {
      const actions = allStatements(packaged.template).flatMap(actionsOf);
      expect(new Set(actions).size).toBe(actions.length);
      for (const statement of allStatements(packaged.template)) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.NotAction).toBeUndefined();
        expect(statement.NotResource).toBeUndefined();
        expect(actionsOf(statement).length).toBeGreaterThan(0);
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      }
    }
  });

  it('grants Resource "*" only for the list actions that have no resource-level permissions', () => {
    const starActions = allStatements(organization.template)
      .filter((statement) => ([] as unknown[]).concat(statement.Resource).includes('*'))
      .flatMap(actionsOf);
    expect(starActions.sort()).toEqual(
      [
        'route53:ListHostedZones',
        'route53resolver:ListResolverRules',
        'route53resolver:ListResolverRuleAssociations',
        'ec2:DescribeVpcs',
      ].sort(),
    );
  });

  it('names no partition literally: every ARN of the role is built with AWS::Partition', () => {
    expect(JSON.stringify(role(accounts.template))).not.toMatch(/"arn:aws[a-z-]*:/);
  });

  it('gives every suppressed checkov check a written reason', () => {
    const skips = checkovSkips(organization.template);
    expect(skips.map((skip) => `${skip.resource} ${skip.id}`).sort()).toEqual([
      'DnsRole CKV_AWS_60',
      'ServerlessDeploymentBucket CKV_AWS_18',
    ]);
    for (const skip of skips) expect((skip.comment ?? '').length, `${skip.resource} ${skip.id}`).toBeGreaterThan(60);
  });
});

describe('the DNS account template with parameters that cannot work', () => {
  it.each([
    [[], /trustedAccountIds, trustedOrgId: give at least one/],
    [['--param=trustedAccountIds=111111111111,12345'], /trustedAccountIds: "12345" is not a 12-digit AWS account id/],
    [['--param=trustedOrgId=r-a1b2'], /trustedOrgId: "r-a1b2" is not an AWS Organizations id/],
    [['--param=trustedAccountIds=111111111111', '--param=externalId=x'], /externalId: must be 2 to 1224 characters/],
    [
      ['--param=trustedAccountIds=111111111111', '--param=trustedPrincipalArns=rlec-dns-*'],
      /trustedPrincipalArns: "rlec-dns-\*" is not an IAM principal ARN/,
    ],
    [['--param=trustedAccountIds=111111111111', '--param=recordTypes=A,MX'], /recordTypes: "MX" is not one of/],
    [['--param=trustedAccountIds=111111111111', '--param=hostedZoneIds=example.com'], /hostedZoneIds: "example.com"/],
    [['--param=trustedAccountIds=111111111111', '--param=resolverRules=yes'], /resolverRules: "yes" must be true/],
    [['--param=trustedAccountIds=111111111111', '--param=roleName=rlec dns'], /roleName: "rlec dns" must be/],
  ])(
    'refuses to package %j, naming the parameter',
    async (args, message) => {
      await expect(slsPackage(...args)).rejects.toThrow(message);
    },
    60_000,
  );
});

/** The packaged trust policy as deployed in the aws partition (its one intrinsic is Fn::Sub of AWS::Partition). */
function deployedTrust(template: Template): TrustPolicy {
  const document = JSON.stringify(role(template).AssumeRolePolicyDocument);
  return JSON.parse(
    document.replace(/\{"Fn::Sub":"([^"]*)"\}/g, (_, arn: string) => JSON.stringify(arn.replace(PARTITION, 'aws'))),
  );
}

describe('the packaged trust policy, deployed in the emulator', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  it('lets a trusted account assume the role with the external id, and refuses a wrong id and another account', async () => {
    // Prepare
    const dns = await accountCredentials(emulator.endpoint, '222222222222');
    const workload = await accountCredentials(emulator.endpoint, '111111111111');
    const other = await accountCredentials(emulator.endpoint, '444444444444');
    const roleArn = await createRole(emulator.endpoint, dns, 'rlec-dns-prod', deployedTrust(accounts.template));
    const assume = (credentials: typeof dns, ExternalId: string) => {
      const sts = stsClient(emulator.endpoint, { credentials, maxAttempts: 1 });
      return sts
        .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test', ExternalId }))
        .finally(() => sts.destroy());
    };

    // Act
    const trusted = await assume(workload, 'rlec-dns-prod');
    // Each refusal awaited as it is asked: a rejection nobody awaits yet would be an unhandled one.
    const wrongId = await assume(workload, 'rlec-dns-dev').catch((error: unknown) => error);
    const untrusted = await assume(other, 'rlec-dns-prod').catch((error: unknown) => error);

    // Assess
    expect(trusted.AssumedRoleUser?.Arn).toBe('arn:aws:sts::222222222222:assumed-role/rlec-dns-prod/test');
    expect(wrongId).toMatchObject({ name: 'AccessDenied' });
    expect(untrusted).toMatchObject({ name: 'AccessDenied' });
  });
});
