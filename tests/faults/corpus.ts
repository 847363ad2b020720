/**
 * Hostile input kept in the tests, beyond what tests/integration/safety.test.ts already covers (apex, wildcard, empty
 * label, leading hyphen, 64-character label, 254-character name, space, slash, underscore, non-ASCII, empty value,
 * a name in no zone, a zone outside HOSTED_ZONE_IDS, malformed JSON, a missing detail, a bad instance id, and the
 * three kinds of records in the way).
 */

/** What must become of a tag value. */
export type TagVerdict =
  /** Refused by the tag parser: TagsRefused, an error line naming instance and value, nothing written. */
  | { readonly verdict: 'tag-refused' }
  /** A valid name no usable zone may hold: ClustersRefused, nothing written. */
  | { readonly verdict: 'cluster-refused' }
  /** A valid name: published as this cluster. */
  | { readonly verdict: 'published'; readonly as: string };

export interface TagCase {
  readonly label: string;
  readonly value: string;
  readonly expect: TagVerdict;
}

export const hostileTagValues: readonly TagCase[] = [
  {
    label: 'IDN in punycode (a valid LDH name)',
    value: 'xn--bcher-kva.example.com',
    expect: { verdict: 'published', as: 'xn--bcher-kva.example.com' },
  },
  { label: 'upper case', value: 'UPPER.Example.COM', expect: { verdict: 'published', as: 'upper.example.com' } },
  { label: 'a trailing dot', value: 'dotted.example.com.', expect: { verdict: 'published', as: 'dotted.example.com' } },
  { label: 'a control character (BEL)', value: 'bell\u0007.example.com', expect: { verdict: 'tag-refused' } },
  { label: 'a NUL byte', value: 'nul\u0000.example.com', expect: { verdict: 'tag-refused' } },
  {
    label: 'a newline (log injection)',
    value: 'c9.example.com\nERROR forged line',
    expect: { verdict: 'tag-refused' },
  },
  { label: 'another hosted zone’s name', value: 'example.org', expect: { verdict: 'cluster-refused' } },
  { label: 'a name above every zone', value: 'org', expect: { verdict: 'tag-refused' } },
];

/** An EventBridge event altered to be wrong in one way. */
export interface EventCase {
  readonly label: string;
  /** Takes a valid state-change event for a real, tagged instance; returns the hostile body. */
  readonly make: (valid: Record<string, unknown>) => unknown;
}

const withDetail = (valid: Record<string, unknown>, detail: Record<string, unknown>) => ({
  ...valid,
  detail: { ...(valid.detail as Record<string, unknown>), ...detail },
});

/**
 * Each is malformed: MalformedEvents, an error line naming the message, never retried. Either one of our two kinds
 * (an EC2 state change, a tag change on an EC2 instance) with a field missing or wrong, or no EventBridge event at
 * all. A missing source stays here: every EventBridge event names its source, so without one there is no telling
 * whose event it is, and something upstream is broken.
 */
export const malformedEvents: readonly EventCase[] = [
  { label: 'an unknown state (rebooting)', make: (v) => withDetail(v, { state: 'rebooting' }) },
  { label: 'a state of the wrong type (a number)', make: (v) => withDetail(v, { state: 16 }) },
  {
    label: 'a missing instance-id',
    make: (v) => ({ ...v, detail: { state: (v.detail as { state: string }).state } }),
  },
  { label: 'a missing source', make: ({ source: _source, ...rest }) => rest },
  { label: 'a missing detail-type under aws.ec2', make: ({ 'detail-type': _type, ...rest }) => rest },
  { label: 'a JSON array instead of an event', make: (v) => JSON.stringify([v]) },
  { label: 'JSON null', make: () => 'null' },
  { label: 'a time that is not a date', make: (v) => ({ ...v, time: 'yesterday' }) },
];

/** A tag change carrying the cluster tag, on a resource that is not an EC2 instance. */
const tagChangeOn = (v: Record<string, unknown>, service: string, type: string, arn: string) => ({
  ...v,
  source: 'aws.tag',
  'detail-type': 'Tag Change on Resource',
  resources: [arn],
  detail: {
    'changed-tag-keys': ['rlec:cluster'],
    service,
    'resource-type': type,
    tags: { 'rlec:cluster': 'ignored.example.com' },
  },
});

/**
 * Each is well formed but not for us (another source, another EC2 event, a tag change on something that is not an
 * instance): EventsIgnored, a debug line, no error, never retried, nothing read or written for it.
 */
export const ignoredEvents: readonly EventCase[] = [
  {
    label: 'another EC2 event (a Spot interruption warning)',
    make: (v) => ({ ...v, 'detail-type': 'EC2 Spot Instance Interruption Warning' }),
  },
  {
    label: 'an event from another source (Auto Scaling)',
    make: (v) => ({ ...v, source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful' }),
  },
  {
    label: 'a scheduled event (the sweep’s tick, sent to the wrong function)',
    make: (v) => ({ ...v, source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }),
  },
  {
    label: 'a tag change on an EBS volume, with the cluster tag',
    make: (v) => tagChangeOn(v, 'ec2', 'volume', 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0'),
  },
  {
    label: 'a tag change on an RDS database, with the cluster tag',
    make: (v) => tagChangeOn(v, 'rds', 'db', 'arn:aws:rds:us-east-1:123456789012:db:orders'),
  },
];
