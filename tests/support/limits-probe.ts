/**
 * Measures, without lib/plan/limits.ts's check, how large a cluster can get and still be changed: its records are
 * planned as lib/plan/plan.ts plans them (the same slots, the same records), cut into requests by the real splitter
 * (lib/provider/batches.ts, which gives up when a step cannot fit), and applied with Route 53's rules. For the limits' unit
 * test and `npx tsx scripts/measure-limits.ts`.
 */

import { MAX_RECORD_SET_VALUES } from '../../lib/plan/limits.js';
import { assignSlots, desiredRecords } from '../../lib/plan/plan.js';
import { type Change, keyOf, type Member, type RecordSet, sameRecord } from '../../lib/plan/records.js';
import { fits, ROUTE53_LIMITS, splitChanges } from '../../lib/provider/batches.js';
import { parseOwnership } from '../../lib/registry/ownership.js';
import { applyStrictly } from '../../tools/emulator/apply-strictly.js';
import { deploymentOf } from '../../tools/world/deployment.js';

const OWNER = 'rlec-dns-prod';

/** A valid cluster name of exactly `length` characters under example.com, in labels of at most 63 characters. */
export function nameOfLength(length: number): string {
  const suffix = 'example.com';
  let left = length - suffix.length;
  const labels: string[] = [];
  while (left > 1) {
    // Each label takes its length and a dot; never leave a single character, which no label can fill.
    let label = Math.min(63, left - 1);
    if (left - label - 1 === 1) label -= 1;
    labels.push('c'.repeat(label));
    left -= label + 1;
  }
  const name = [...labels, suffix].join('.');
  if (name.length !== length) throw new Error(`cannot build a name of ${length} characters (got ${name.length})`);
  return name;
}

/** Member `i`, with a full-length instance id (17 hex digits) and an address. */
export const member = (i: number): Member => ({
  instanceId: `i-${i.toString(16).padStart(17, '0')}`,
  address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
});
/** Member `i` with dual-stack glue: its IPv4 address and the longest form of an IPv6 address. */
export const dualMember = (i: number): Member => ({
  ...member(i),
  ipv6: `fd00:${['ffff', 'ffff', 'ffff', 'ffff', 'ffff'].join(':')}:${i.toString(16).padStart(4, '0')}`,
});

type MakeMember = (i: number) => Member;

const members = (from: number, to: number, make: MakeMember = member): Member[] =>
  Array.from({ length: to - from + 1 }, (_, i) => make(from + i));

/** planCluster's changes without its limit check: DELETEs of what differs, then CREATEs of what is wanted. */
function changesTo(cluster: string, current: readonly RecordSet[], wanted: readonly Member[]) {
  const owner = current.find((r) => r.type === 'TXT');
  const slots = (owner === undefined ? undefined : parseOwnership(owner)?.slots) ?? new Map<string, number>();
  const desired = desiredRecords(cluster, assignSlots(wanted, slots), deploymentOf(OWNER), 60);
  const has = (records: readonly RecordSet[], r: RecordSet) =>
    records.some((o) => keyOf(o) === keyOf(r) && sameRecord(o, r));
  const changes: Change[] = [
    ...current.filter((r) => !has(desired, r)).map((record) => ({ action: 'DELETE' as const, record })),
    ...desired.filter((r) => !has(current, r)).map((record) => ({ action: 'CREATE' as const, record })),
  ];
  return { changes, desired };
}

interface Applied {
  readonly state: RecordSet[];
  /** Requests the change took. */
  readonly requests: number;
}

/** Applies the change to `wanted`, as the provider sends it; undefined when Route 53 or the splitter refuses it. */
function applyTo(cluster: string, current: readonly RecordSet[], wanted: readonly Member[]): Applied | undefined {
  const { changes, desired } = changesTo(cluster, current, wanted);
  if (desired.some((r) => r.values.length > MAX_RECORD_SET_VALUES)) return undefined; // Route 53: InvalidChangeBatch
  let requests: Change[][];
  try {
    requests = splitChanges(changes);
  } catch {
    return undefined;
  }
  const state = requests.reduce<RecordSet[]>((records, request) => applyStrictly(records, request), [...current]);
  return { state, requests: requests.length };
}

/** The changes a cluster of `n` members must survive: members leaving, joining, replaced, one or many at once. */
function changesOf(n: number, make: MakeMember): { from: Member[]; to: Member[] }[] {
  const half = Math.max(1, Math.floor(n / 2));
  return [
    { from: members(1, n, make), to: members(2, n, make) }, // ns1 leaves: the NS record keeps its longest names
    { from: members(1, n, make), to: members(1, n - 1, make) },
    { from: members(1, n - 1, make), to: members(1, n, make) }, // one joins
    { from: members(1, n, make), to: members(1, half, make) }, // half leave at once
    { from: members(1, n, make), to: members(n + 1, 2 * n, make) }, // every member replaced at once
  ];
}

/**
 * True when a cluster of `n` members (made by `make`: IPv4 glue unless told) can be created and then changed in every
 * way {@link changesOf} lists.
 */
export function changeable(cluster: string, n: number, make: MakeMember = member): boolean {
  if (applyTo(cluster, [], members(1, n, make)) === undefined) return false;
  return changesOf(n, make).every(({ from, to }) => {
    const start = applyTo(cluster, [], from);
    return start !== undefined && applyTo(cluster, start.state, to) !== undefined;
  });
}

/** True when the splitter (without lib/plan/limits.ts) would write a new cluster of `n` members. */
export const creatable = (cluster: string, n: number): boolean => applyTo(cluster, [], members(1, n)) !== undefined;

/** The largest n in 1…400 for which `test` holds (it holds for every smaller n: the sizes only grow). */
function largest(test: (n: number) => boolean): number {
  let low = 0;
  let high = MAX_RECORD_SET_VALUES + 1;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (test(mid)) low = mid;
    else high = mid;
  }
  return low;
}

export interface LimitFigures {
  readonly length: number;
  /** The largest new cluster the splitter alone would write (the planner before lib/plan/limits.ts). */
  readonly creatable: number;
  /** The largest cluster that can be created and still changed in every way. */
  readonly changeable: number;
  /** The largest cluster whose creation, and a member joining it, each take one request (one atomic batch). */
  readonly oneRequest: number;
}

/** The figures for a cluster name of this length. */
export function measure(length: number): LimitFigures {
  const cluster = nameOfLength(length);
  const oneRequest = largest((n) => {
    const created = applyTo(cluster, [], members(1, n - 1));
    const joined = created && applyTo(cluster, created.state, members(1, n));
    const whole = changesTo(cluster, [], members(1, n)).changes;
    return joined?.requests === 1 && fits(whole, ROUTE53_LIMITS);
  });
  return {
    length,
    creatable: largest((n) => creatable(cluster, n)),
    changeable: largest((n) => changeable(cluster, n)),
    oneRequest,
  };
}
