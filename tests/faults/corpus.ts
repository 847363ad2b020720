/**
 * Hostile input kept in the tests, beyond what tests/integration/safety.test.ts already covers (apex, wildcard, empty
 * label, leading hyphen, 64-character label, 254-character name, space, slash, underscore, non-ASCII, empty value,
 * a name in no zone, a zone outside HOSTED_ZONE_IDS, malformed JSON, a missing detail, an unknown source, a bad
 * instance id, and the three kinds of records in the way).
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

/** Each is malformed: MalformedEvents, an error line naming the message, never retried. */
export const malformedEvents: readonly EventCase[] = [
  { label: 'an unknown state (rebooting)', make: (v) => withDetail(v, { state: 'rebooting' }) },
  { label: 'a state of the wrong type (a number)', make: (v) => withDetail(v, { state: 16 }) },
  {
    label: 'a missing instance-id',
    make: (v) => ({ ...v, detail: { state: (v.detail as { state: string }).state } }),
  },
  {
    label: 'an unknown detail-type under aws.ec2',
    make: (v) => ({ ...v, 'detail-type': 'EC2 Spot Instance Interruption Warning' }),
  },
  { label: 'a missing source', make: ({ source: _source, ...rest }) => rest },
  { label: 'a JSON array instead of an event', make: (v) => JSON.stringify([v]) },
  { label: 'JSON null', make: () => 'null' },
  { label: 'a time that is not a date', make: (v) => ({ ...v, time: 'yesterday' }) },
];
