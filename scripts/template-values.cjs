// Values serverless.yml computes from its parameters where CloudFormation cannot: CloudFormation has no map over a
// list (one ARN per hosted zone id needs one), and Fn::Join takes no intrinsic function as its delimiter, so
// `arn:${AWS::Partition}:…/Z1,…/Z2` cannot be built from `Z1,Z2` in the template itself. osls runs these functions
// at package time (`${file(./scripts/template-values.cjs):hostedZoneArns}`), offline; the partition stays a
// CloudFormation pseudo parameter (Fn::Sub), so the template deploys unchanged in aws, aws-cn and aws-us-gov.
'use strict';

// Route 53 hosted zone ids: upper-case letters and digits (Z0123456789ABCDEFGHIJ). Accept the `/hostedzone/` prefix
// the API returns, as lib/platform/config.ts does.
const ZONE_ID = /^[A-Z0-9]{1,32}$/;
// What route53:ChangeResourceRecordSetsNormalizedRecordNames holds: lower case, no trailing dot, letters, digits,
// `-`, `_` and `.`; `*` and `?` are StringLike's wildcards.
const NAME_PATTERN = /^[a-z0-9_*?.-]+$/;

const list = (value) =>
  String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

async function parameter(resolveVariable, name) {
  return list(await resolveVariable(`self:custom.rlec.${name}`));
}

/** One hosted zone ARN per id in hostedZoneIds; every hosted zone of the account when it is empty. */
module.exports.hostedZoneArns = async ({ resolveVariable }) => {
  const ids = (await parameter(resolveVariable, 'hostedZoneIds')).map((id) => id.replace(/^\/?hostedzone\//, ''));
  for (const id of ids) {
    if (!ZONE_ID.test(id)) {
      throw new Error(`hostedZoneIds: ${JSON.stringify(id)} is not a Route 53 hosted zone id (Z0123456789ABCDEFGHIJ)`);
    }
  }
  const zones = ids.length === 0 ? ['*'] : ids;
  return zones.map((id) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:route53:::hostedzone/${id}` }));
};

/**
 * The conditions on route53:ChangeResourceRecordSets. The three keys are multivalued (one value per change of the
 * batch), hence ForAllValues; the Null test makes each key required, since ForAllValues holds for a missing key.
 */
module.exports.changeConditions = async ({ resolveVariable }) => {
  const names = await parameter(resolveVariable, 'recordNames');
  for (const name of names) {
    if (!NAME_PATTERN.test(name) || name.endsWith('.')) {
      throw new Error(
        `recordNames: ${JSON.stringify(name)} must be lower case, without a trailing dot, and hold only a-z 0-9 - _ . * ?`,
      );
    }
  }
  const keys = ['RecordTypes', 'Actions', ...(names.length === 0 ? [] : ['NormalizedRecordNames'])].map(
    (key) => `route53:ChangeResourceRecordSets${key}`,
  );
  return {
    Null: Object.fromEntries(keys.map((key) => [key, 'false'])),
    'ForAllValues:StringEquals': {
      // The glue (A), the delegation (NS) and the ownership record (TXT): nothing else is ever written.
      'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'NS', 'TXT'],
      // Compare-and-swap: exact DELETEs and CREATEs. UPSERT overwrites whatever is there and is never sent.
      'route53:ChangeResourceRecordSetsActions': ['CREATE', 'DELETE'],
    },
    ...(names.length === 0
      ? {}
      : { 'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': names } }),
  };
};

/** The alarms' actions: the alarmTopicArn parameter, or none (the alarms then only change state in CloudWatch). */
module.exports.alarmActions = async ({ resolveVariable }) => parameter(resolveVariable, 'alarmTopicArn');
