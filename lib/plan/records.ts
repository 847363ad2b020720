/**
 * The data the plan works on: record sets, changes (CREATE and DELETE only), members and their slots, and how Route 53
 * compares record sets. Pure.
 */
/** A Route 53 record set as this project sees it: canonical name (lower case, trailing dot), simple routing only. */
export interface RecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly values: readonly string[];
}

/** One step of a change batch. Only CREATE and DELETE: together they make a compare-and-swap; UPSERT would not. */
export interface Change {
  readonly action: 'CREATE' | 'DELETE';
  readonly record: RecordSet;
}

/**
 * A running instance that should be published in one zone: its id and the addresses its glue holds there, an A
 * record, an AAAA record, or both (ADDRESS_FAMILY), at the one name of its slot. lib/source/members.ts picks them
 * for the zone; a member without either is not published.
 */
export interface Member {
  readonly instanceId: string;
  /** The IPv4 address of its A glue record; absent when no A record is published for it (ADDRESS_FAMILY=ipv6). */
  readonly address?: string | undefined;
  /** The IPv6 address of its AAAA glue record (ADDRESS_FAMILY=ipv6 or dual). */
  readonly ipv6?: string | undefined;
}

/** The glue types a slot holds. */
export const GLUE_TYPES: readonly string[] = ['A', 'AAAA'];

/** A member with its stable slot number: its glue records (A, AAAA) are both named `ns<slot>.<cluster>.`. */
export interface SlottedMember extends Member {
  readonly slot: number;
}

/** The key that identifies a record set within a zone (simple routing: one record set per name and type). */
export const keyOf = (record: { readonly name: string; readonly type: string }): string =>
  `${record.name} ${record.type}`;

/** An IPv6 address in its one canonical text form (RFC 5952: lower case, zeros compressed), as URLs serialise it. */
function canonicalIpv6(value: string): string {
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return value.toLowerCase();
  }
}

const normaliseValue = (type: string, value: string): string => {
  if (type === 'NS' || type === 'CNAME') return value.toLowerCase().replace(/\.?$/, '.');
  // EC2 and Route 53 may spell one IPv6 address differently (`2001:0DB8::1`, `2001:db8:0:0::1`): the same address.
  return type === 'AAAA' ? canonicalIpv6(value) : value;
};

/** Same TTL and the same values in any order: Route 53 treats such record sets as equal. */
export function sameRecord(a: RecordSet, b: RecordSet): boolean {
  if (a.name !== b.name || a.type !== b.type || a.ttl !== b.ttl || a.values.length !== b.values.length) return false;
  const left = a.values.map((v) => normaliseValue(a.type, v)).sort();
  const right = b.values.map((v) => normaliseValue(b.type, v)).sort();
  return left.every((value, i) => value === right[i]);
}

/** Human-readable one-liner, as in a zone file: `ns1.c1.example.com. 60 A 10.0.0.1`. */
export const describeRecord = (record: RecordSet): string =>
  `${record.name} ${record.ttl} ${record.type} ${record.values.join(' ')}`;
