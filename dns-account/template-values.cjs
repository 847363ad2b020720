// Values dns-account/serverless.yml computes from its parameters at package time (osls runs these offline), for what
// CloudFormation cannot do (one ARN per zone or account id, statements present or not); a bad value fails the
// package, naming the parameter. The Route 53 statements are the main template's (scripts/route53-statements.cjs).
'use strict';

const { list, route53Statements } = require('../scripts/route53-statements.cjs');
const { resolverStatements } = require('./resolver-statements.cjs');

const ACCOUNT_ID = /^\d{12}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
// What STS accepts as an ExternalId.
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
// An IAM principal ARN or ArnLike pattern (`*` and `?` as wildcards), e.g. arn:aws:iam::*:role/rlec-dns-*-lambdaRole.
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}|\*):[\w+=,.@/*?:-]+$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

const parameter = (resolveVariable, name) =>
  resolveVariable(`self:custom.rlec.${name}`).then((value) => String(value ?? '').trim());

/** The role's name: roleName, or rlec-dns-<stage> (predictable, so a workload deployment can name its ARN). */
module.exports.roleName = async ({ resolveVariable }) => {
  const name = (await parameter(resolveVariable, 'roleName')) || `rlec-dns-${await resolveVariable('sls:stage')}`;
  if (!ROLE_NAME.test(name)) {
    throw new Error(`roleName: ${JSON.stringify(name)} must be 1 to 64 characters of A-Z a-z 0-9 and + = , . @ - _`);
  }
  return name;
};

/**
 * The trust policy's statements: one for the trustedAccountIds accounts (their principals, by the account's root
 * ARN), one for the trustedOrgId organization (any principal of it, by aws:PrincipalOrgID); each requires the
 * externalId when one is given, and a principal ARN matching trustedPrincipalArns when given. At least one of
 * trustedAccountIds and trustedOrgId is required.
 */
module.exports.trustStatements = async ({ resolveVariable }) => {
  const accounts = list(await parameter(resolveVariable, 'trustedAccountIds'));
  const orgId = await parameter(resolveVariable, 'trustedOrgId');
  const externalId = await parameter(resolveVariable, 'externalId');
  const principalArns = list(await parameter(resolveVariable, 'trustedPrincipalArns'));
  for (const account of accounts) {
    if (!ACCOUNT_ID.test(account)) {
      throw new Error(`trustedAccountIds: ${JSON.stringify(account)} is not a 12-digit AWS account id`);
    }
  }
  if (orgId !== '' && !ORG_ID.test(orgId)) {
    throw new Error(`trustedOrgId: ${JSON.stringify(orgId)} is not an AWS Organizations id (o-a1b2c3d4e5)`);
  }
  if (accounts.length === 0 && orgId === '') {
    throw new Error(
      'trustedAccountIds, trustedOrgId: give at least one, or no workload deployment can assume the role',
    );
  }
  if (externalId !== '' && !EXTERNAL_ID.test(externalId)) {
    throw new Error('externalId: must be 2 to 1224 characters of A-Z a-z 0-9 and + = , . @ : / - _');
  }
  for (const arn of principalArns) {
    if (!PRINCIPAL_ARN.test(arn)) {
      throw new Error(`trustedPrincipalArns: ${JSON.stringify(arn)} is not an IAM principal ARN or ArnLike pattern`);
    }
  }

  const condition = (stringEquals) => {
    const equals = { ...stringEquals, ...(externalId === '' ? {} : { 'sts:ExternalId': externalId }) };
    const conditions = {
      ...(Object.keys(equals).length === 0 ? {} : { StringEquals: equals }),
      ...(principalArns.length === 0 ? {} : { ArnLike: { 'aws:PrincipalArn': principalArns } }),
    };
    return Object.keys(conditions).length === 0 ? {} : { Condition: conditions };
  };
  return [
    ...(accounts.length === 0
      ? []
      : [
          {
            Effect: 'Allow',
            Principal: {
              AWS: accounts.map((account) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${account}:root` })),
            },
            Action: 'sts:AssumeRole',
            ...condition({}),
          },
        ]),
    ...(orgId === ''
      ? []
      : [
          {
            Effect: 'Allow',
            // Every principal, narrowed to the organization's by the condition (AWS's pattern for an organization).
            Principal: { AWS: '*' },
            Action: 'sts:AssumeRole',
            ...condition({ 'aws:PrincipalOrgID': orgId }),
          },
        ]),
  ];
};

/** The resolverRules parameter: true or false. */
async function resolverRules(resolveVariable) {
  const value = (await parameter(resolveVariable, 'resolverRules')).toLowerCase();
  if (value !== 'true' && value !== 'false') {
    throw new Error(`resolverRules: ${JSON.stringify(value)} must be true or false`);
  }
  return value === 'true';
}

/**
 * The role's inline policies: Route 53 (the main template's statements, plus GetHostedZone on the zones), and the
 * Route 53 Resolver statements when resolverRules is true.
 */
module.exports.policies = async ({ resolveVariable }) => {
  const route53 = route53Statements({
    hostedZoneIds: await parameter(resolveVariable, 'hostedZoneIds'),
    recordNames: await parameter(resolveVariable, 'recordNames'),
    recordTypes: await parameter(resolveVariable, 'recordTypes'),
    getHostedZone: true,
  });
  const document = (statements) => ({ Version: '2012-10-17', Statement: statements });
  return [
    { PolicyName: 'route53', PolicyDocument: document(route53) },
    ...((await resolverRules(resolveVariable))
      ? [{ PolicyName: 'route53resolver', PolicyDocument: document(resolverStatements()) }]
      : []),
  ];
};
