// The Route 53 statements of a role that keeps delegations, shared by the two templates that grant them: the
// functions' own role (serverless.yml, scripts/template-values.cjs) when the zones are in the same account, and the
// DNS account's role the functions assume (dns-account/serverless.yml, dns-account/template-values.cjs). One copy of
// the least privilege, and of the checks on the parameters that shape it: a bad value fails `sls package`, naming the
// parameter. Plain functions of the parameter values; the templates' template-values.cjs resolve the values.
'use strict';

// Route 53 hosted zone ids: upper-case letters and digits (Z0123456789ABCDEFGHIJ). Accept the `/hostedzone/` prefix
// the API returns, as lib/config.ts does.
const ZONE_ID = /^[A-Z0-9]{1,32}$/;
// What route53:ChangeResourceRecordSetsNormalizedRecordNames holds: lower case, no trailing dot, letters, digits,
// `-`, `_` and `.`; `*` and `?` are StringLike's wildcards.
const NAME_PATTERN = /^[a-z0-9_*?.-]+$/;
// Every record type rlec-dns writes: the glue (A, and AAAA for IPv6 glue), the delegation (NS), the ownership record
// (TXT). A role may be allowed fewer, never others.
const RECORD_TYPES = ['A', 'AAAA', 'NS', 'TXT'];
const DEFAULT_RECORD_TYPES = ['A', 'NS', 'TXT'];

/** `'a, b,,c'` → `['a', 'b', 'c']`. */
const list = (value) =>
  String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

// The partition stays a CloudFormation pseudo parameter, so a template deploys unchanged in aws, aws-cn, aws-us-gov.
const sub = (arn) => ({ 'Fn::Sub': arn });

/** The hostedZoneIds parameter's zone ids, checked; [] when it is empty. */
function zoneIds(value) {
  const ids = list(value).map((id) => id.replace(/^\/?hostedzone\//, ''));
  for (const id of ids) {
    if (!ZONE_ID.test(id)) {
      throw new Error(`hostedZoneIds: ${JSON.stringify(id)} is not a Route 53 hosted zone id (Z0123456789ABCDEFGHIJ)`);
    }
  }
  return ids;
}

/** The recordNames parameter's patterns, checked; [] when it is empty. */
function recordNames(value) {
  const names = list(value);
  for (const name of names) {
    if (!NAME_PATTERN.test(name) || name.endsWith('.')) {
      throw new Error(
        `recordNames: ${JSON.stringify(name)} must be lower case, without a trailing dot, and hold only a-z 0-9 - _ . * ?`,
      );
    }
  }
  return names;
}

/** The recordTypes parameter's types, checked; A, NS and TXT when it is empty. */
function recordTypes(value) {
  const types = list(value);
  for (const type of types) {
    if (!RECORD_TYPES.includes(type)) {
      throw new Error(`recordTypes: ${JSON.stringify(type)} is not one of ${RECORD_TYPES.join(', ')}`);
    }
  }
  return types.length === 0 ? DEFAULT_RECORD_TYPES : RECORD_TYPES.filter((type) => types.includes(type));
}

/** One hosted zone ARN per id; every hosted zone of the account (hostedzone/*) when there is none. */
const zoneArns = (ids) =>
  (ids.length === 0 ? ['*'] : ids).map((id) => sub(`arn:\${AWS::Partition}:route53:::hostedzone/${id}`));

/**
 * The conditions on route53:ChangeResourceRecordSets. The three keys are multivalued (one value per change of the
 * batch), hence ForAllValues; the Null test makes each key required, since ForAllValues holds for a missing key.
 */
function changeConditions(names, types) {
  const keys = ['RecordTypes', 'Actions', ...(names.length === 0 ? [] : ['NormalizedRecordNames'])].map(
    (key) => `route53:ChangeResourceRecordSets${key}`,
  );
  return {
    Null: Object.fromEntries(keys.map((key) => [key, 'false'])),
    'ForAllValues:StringEquals': {
      'route53:ChangeResourceRecordSetsRecordTypes': types,
      // Compare-and-swap: exact DELETEs and CREATEs. UPSERT overwrites whatever is there and is never sent.
      'route53:ChangeResourceRecordSetsActions': ['CREATE', 'DELETE'],
    },
    ...(names.length === 0
      ? {}
      : { 'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': names } }),
  };
}

/**
 * The Route 53 statements: list the zones; read and change records in the given zones only (every zone of the
 * account when none is given), and within them only the given record types, by exact CREATE and DELETE, at names
 * matching the patterns when given; follow the changes. `getHostedZone` adds route53:GetHostedZone on the same zones.
 *
 * @param {{ hostedZoneIds?: string, recordNames?: string, recordTypes?: string, getHostedZone?: boolean }} values
 */
function route53Statements(values) {
  const zones = zoneArns(zoneIds(values.hostedZoneIds));
  const names = recordNames(values.recordNames);
  const types = recordTypes(values.recordTypes);
  return [
    // ListHostedZones has no resource-level permissions.
    { Effect: 'Allow', Action: ['route53:ListHostedZones'], Resource: '*' },
    { Effect: 'Allow', Action: ['route53:ListResourceRecordSets'], Resource: zones },
    ...(values.getHostedZone ? [{ Effect: 'Allow', Action: ['route53:GetHostedZone'], Resource: zones }] : []),
    {
      Effect: 'Allow',
      Action: ['route53:ChangeResourceRecordSets'],
      Resource: zones,
      Condition: changeConditions(names, types),
    },
    { Effect: 'Allow', Action: ['route53:GetChange'], Resource: sub(`arn:\${AWS::Partition}:route53:::change/*`) },
  ];
}

module.exports = { list, route53Statements, RECORD_TYPES };
