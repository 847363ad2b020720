// Values serverless.yml computes from its parameters where CloudFormation cannot: CloudFormation has no map over a
// list (one ARN per hosted zone id needs one), and Fn::Join takes no intrinsic function as its delimiter, so
// `arn:${AWS::Partition}:…/Z1,…/Z2` cannot be built from `Z1,Z2` in the template itself; nor can a template leave
// out a statement on a parameter's value (an Fn::If per statement would keep both shapes in the packaged template,
// for every linter and reader to evaluate). osls runs these functions at package time
// (`${file(./scripts/template-values.cjs):roleStatements}`), offline; a bad value fails the package, naming the
// parameter.
'use strict';

const { privateAccess } = require('./private-dns-values.cjs');
const { list, route53Statements } = require('./route53-statements.cjs');

// An IAM role ARN, in any partition, with an optional path.
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
// What STS accepts as an ExternalId.
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

const parameter = (resolveVariable, name) => resolveVariable(`self:custom.rlec.${name}`).then((v) => String(v ?? ''));

/** The dnsRoleArn and dnsRoleExternalId parameters, checked: both '' when the zones are in this account. */
async function dnsRole(resolveVariable) {
  const arn = (await parameter(resolveVariable, 'dnsRoleArn')).trim();
  const externalId = (await parameter(resolveVariable, 'dnsRoleExternalId')).trim();
  if (arn !== '' && !ROLE_ARN.test(arn)) {
    throw new Error(`dnsRoleArn: ${JSON.stringify(arn)} is not an IAM role ARN (arn:aws:iam::222222222222:role/name)`);
  }
  if (externalId !== '' && arn === '') {
    throw new Error(
      'dnsRoleExternalId: given without dnsRoleArn; the external id is sent only when assuming that role',
    );
  }
  if (externalId !== '' && !EXTERNAL_ID.test(externalId)) {
    throw new Error(`dnsRoleExternalId: must be 2 to 1224 characters of A-Z a-z 0-9 and + = , . @ : / - _`);
  }
  return { arn, externalId };
}

/**
 * The functions' role statements (besides the logging and queue statements osls adds itself).
 * - Zones in this account (no dnsRoleArn): the Route 53 statements of scripts/route53-statements.cjs on the
 *   hostedZoneIds zones, for A, NS and TXT records (and AAAA for IPv6 glue), at the recordNames names, GetHostedZone
 *   when there is a private side; the Resolver statements of scripts/resolver-statements.cjs when there is a rule.
 * - Zones in another account (dnsRoleArn): sts:AssumeRole on that role and nothing of Route 53 or the Resolver; the
 *   role in the DNS account (dns-account/serverless.yml, with resolverRules for a rule) holds those statements.
 * Either way ec2:DescribeInstances, in this account and Region.
 */
module.exports.roleStatements = async ({ resolveVariable }) => {
  const role = await dnsRole(resolveVariable);
  const privateSide = await privateAccess(resolveVariable);
  // Checked either way: HOSTED_ZONE_IDS still limits the zones the code writes.
  const route53 = route53Statements({
    hostedZoneIds: await parameter(resolveVariable, 'hostedZoneIds'),
    recordNames: await parameter(resolveVariable, 'recordNames'),
    recordTypes: privateSide.recordTypes,
    getHostedZone: privateSide.getHostedZone,
  });
  const access =
    role.arn === ''
      ? [...route53, ...privateSide.statements]
      : [{ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: role.arn }];
  // DescribeInstances has no resource-level permissions.
  return [...access, { Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: '*' }];
};

/** The dnsRoleArn parameter, checked (DNS_ROLE_ARN; '' when the zones are in this account). */
module.exports.dnsRoleArn = async ({ resolveVariable }) => (await dnsRole(resolveVariable)).arn;

/** The dnsRoleExternalId parameter, checked (DNS_ROLE_EXTERNAL_ID; '' when none is given). */
module.exports.dnsRoleExternalId = async ({ resolveVariable }) => (await dnsRole(resolveVariable)).externalId;

/** The alarms' actions: the alarmTopicArn parameter, or none (the alarms then only change state in CloudWatch). */
module.exports.alarmActions = async ({ resolveVariable }) => list(await parameter(resolveVariable, 'alarmTopicArn'));

const count = (name, value) => {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1)
    throw new Error(`${name}: must be a whole number above 0, got ${JSON.stringify(value)}`);
  return Number(value);
};

/** Fails when `<api>Rate` × the containers is more than `<api>Share`, naming both parameters. */
async function fitsShare(resolveVariable, containers, { api, perContainer, shareMost = '' }) {
  const rate = (await parameter(resolveVariable, `${api}Rate`)).trim();
  const share = Number((await parameter(resolveVariable, `${api}Share`)).trim());
  if (rate !== '' && Number(rate) * containers > share * (1 + 1e-9)) {
    throw new Error(
      `${api}Rate: ${rate} requests/s per container × ${containers} containers (stateChangeConcurrency + reconcileConcurrency) is more than ${api}Share=${share}; lower ${api}Rate or leave it unset (it is then ${api}Share ÷ ${containers}${perContainer}), or raise ${api}Share${shareMost}`,
    );
  }
}

/**
 * ROUTE53_CONTAINERS: the most containers of the deployment that run at once, the functions' reserved concurrencies
 * added up (stateChange's and the sweep's). Each container paces itself at route53Share ÷ this (route53Rate unset),
 * so together they stay within the share of the account's Route 53 budget. An explicit route53Rate that breaks the
 * share fails the package, naming the parameters (the code refuses it at cold start too: lib/platform/pacing-config.ts).
 */
module.exports.route53Containers = async ({ resolveVariable }) => {
  const containers =
    count('stateChangeConcurrency', await parameter(resolveVariable, 'stateChangeConcurrency')) +
    count('reconcileConcurrency', await parameter(resolveVariable, 'reconcileConcurrency'));
  // Each budget's explicit rate against its share (the code refuses them at cold start too: pacing-config.ts and
  // resolver-config.ts).
  await fitsShare(resolveVariable, containers, { api: 'route53', perContainer: '' });
  await fitsShare(resolveVariable, containers, {
    api: 'resolver',
    perContainer: ', at most 2',
    shareMost: ' (at most 5)',
  });
  return String(containers);
};
