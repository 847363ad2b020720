/**
 * Splitting a cluster's changes into Route 53 requests. Pure: no SDK.
 *
 * Route 53 takes at most 1,000 ResourceRecord values and 32,000 characters of values per request (an UPSERT counts
 * twice; we never send one). Nearly every plan fits in one request, and then it is sent as it is: one atomic
 * compare-and-swap. A plan that does not fit (a very large cluster, or long cluster names: every NS value is a full
 * `nsN.<cluster>.` name) is cut into several requests, ordered so that the zone is valid and safe after each one:
 *
 * | step | request holds                                               | ownership record becomes                    |
 * |------|-------------------------------------------------------------|---------------------------------------------|
 * | 1    | new and changed glue (`nsN` A records)                      | every slot, old and new (the union)         |
 * | 2    | the NS record's compare-and-swap                            | the union (unchanged)                       |
 * | 3    | glue of the slots that leave                                | the union; the last request: the final one |
 *
 * - Valid: every glue record is always listed in the ownership record, so a run that stops half-way (timeout, lost
 *   race, throttling) leaves records this deployment still recognises as its own, and the next run finishes the job.
 *   Glue created before its slot is in the ownership record would look foreign and the cluster would be refused.
 * - Safe for resolvers: the NS record names only servers whose glue exists (glue is added before the NS record
 *   points at it, and removed after the NS record stops pointing at it).
 * - Safe against other writers: every request deletes the exact ownership record it read and creates the next one,
 *   so each step is a compare-and-swap; a writer that changed the cluster meanwhile makes the step fail, and the
 *   caller re-reads and plans again. The NS step carries the ownership swap too when it fits; when it does not, it is
 *   sent alone, and its own exact DELETE (or a CREATE, which fails over an existing record) is its compare-and-swap.
 *
 * A plan that changes no ownership record (only glue addresses changed) needs no union: its requests are each glue
 * record's own DELETE-then-CREATE, in any order.
 */

import type { Change, RecordSet } from '../plan/records.js';
import { ChangeRejectedError } from '../platform/errors.js';
import { isOwnershipHeader, parseOwnership, slotEntry } from '../registry/ownership.js';

export interface RequestLimits {
  /** ResourceRecord values per request. */
  readonly values: number;
  /** Characters of values per request. */
  readonly characters: number;
}

export const ROUTE53_LIMITS: RequestLimits = { values: 1000, characters: 32_000 };

/** What a list of changes costs against the per-request limits. */
export function requestSize(changes: readonly Change[]): { values: number; characters: number } {
  let values = 0;
  let characters = 0;
  for (const { record } of changes) {
    values += record.values.length;
    for (const value of record.values) characters += value.length;
  }
  return { values, characters };
}

export const fits = (changes: readonly Change[], limits: RequestLimits): boolean => {
  const size = requestSize(changes);
  return size.values <= limits.values && size.characters <= limits.characters;
};

/** DELETEs before CREATEs: Route 53 applies a request in order, and a name's DELETE must come before its CREATE. */
const ordered = (changes: readonly Change[]): Change[] => [
  ...changes.filter((c) => c.action === 'DELETE'),
  ...changes.filter((c) => c.action === 'CREATE'),
];

/** The ownership record listing every slot of both: an entry of `after` wins over one of `before` for its slot. */
function unionOwnership(before: RecordSet | undefined, after: RecordSet | undefined): RecordSet {
  const base = (after ?? before) as RecordSet;
  const header = base.values.find(isOwnershipHeader);
  const entries = new Map<number, string>();
  for (const record of [before, after]) {
    const ownership = record === undefined ? undefined : parseOwnership(record);
    for (const [instanceId, slot] of ownership?.slots ?? []) entries.set(slot, `"${slotEntry(slot, instanceId)}"`);
  }
  const slots = [...entries.keys()].sort((a, b) => a - b);
  return { ...base, values: [...(header === undefined ? [] : [header]), ...slots.map((s) => entries.get(s) ?? '')] };
}

/** A compare-and-swap of the ownership record from one content to the next (either may be absent). */
function ownershipSwap(from: RecordSet | undefined, to: RecordSet | undefined): Change[] {
  return [
    ...(from === undefined ? [] : [{ action: 'DELETE' as const, record: from }]),
    ...(to === undefined ? [] : [{ action: 'CREATE' as const, record: to }]),
  ];
}

interface Unit {
  readonly changes: Change[];
  /** The NS record's swap, which may go without the ownership swap when both do not fit together. */
  readonly selfGuarded: boolean;
}

/** Groups changes by record name: a name's DELETE and CREATE must go in the same request. */
function unitsByName(changes: readonly Change[], selfGuarded: boolean): Unit[] {
  const byName = new Map<string, Change[]>();
  for (const change of changes) byName.set(change.record.name, [...(byName.get(change.record.name) ?? []), change]);
  return [...byName.values()].map((group) => ({ changes: ordered(group), selfGuarded }));
}

function tooLarge(what: string, limits: RequestLimits): never {
  throw new ChangeRejectedError(
    `${what} exceeds Route 53's limits of ${limits.values} values and ${limits.characters} characters per request, ` +
      'even on its own: the cluster is too large to change safely',
  );
}

/** The ownership record's contents along the way: as read, during the split (the union), and at the end. */
interface OwnershipSteps {
  readonly before: RecordSet | undefined;
  readonly union: RecordSet;
  readonly after: RecordSet | undefined;
}

const sameValues = (a: RecordSet | undefined, b: RecordSet | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.ttl === b.ttl && a.values.join('\n') === b.values.join('\n'));

/** Packs units into requests, in order, each with the ownership swap from the state the previous one left. */
function pack(units: readonly Unit[], limits: RequestLimits, ownership: OwnershipSteps | undefined): Change[][] {
  const requests: Change[][] = [];
  let state = ownership?.before;
  let current: Change[] = [];
  const guard = (to: RecordSet | undefined) => (ownership === undefined ? [] : ownershipSwap(state, to));
  const flush = (last: boolean) => {
    const to = last ? ownership?.after : ownership?.union;
    if (current.length === 0 && sameValues(state, to)) return;
    requests.push(ordered([...guard(to), ...current]));
    state = to;
    current = [];
  };
  for (const unit of units) {
    if (fits([...guard(ownership?.union), ...current, ...unit.changes], limits)) {
      current.push(...unit.changes);
      continue;
    }
    if (current.length > 0) flush(false);
    if (fits([...guard(ownership?.union), ...unit.changes], limits)) {
      current.push(...unit.changes);
    } else if (unit.selfGuarded && fits(unit.changes, limits)) {
      requests.push(ordered(unit.changes));
    } else {
      tooLarge(`the change of ${unit.changes[0]?.record.name}`, limits);
    }
  }
  flush(true);
  return requests;
}

/**
 * Cuts one cluster's changes (from planCluster) into requests within Route 53's limits, in an order that keeps the
 * zone valid and safe after each request (see the table above). A plan that fits is returned as one request,
 * unchanged.
 *
 * @throws ChangeRejectedError when even one step cannot fit in a request (a permanent error: the cluster is refused).
 * @example splitChanges(plan.changes).length // 1 for any cluster of up to about 240 members with short names
 */
export function splitChanges(changes: readonly Change[], limits: RequestLimits = ROUTE53_LIMITS): Change[][] {
  if (changes.length === 0) return [];
  if (fits(changes, limits)) return [[...changes]];

  const owner = changes.filter((c) => c.record.type === 'TXT');
  const ns = changes.filter((c) => c.record.type === 'NS');
  const glue = changes.filter((c) => c.record.type !== 'TXT' && c.record.type !== 'NS');
  const created = new Set(glue.filter((c) => c.action === 'CREATE').map((c) => c.record.name));
  const growing = glue.filter((c) => created.has(c.record.name));
  const leaving = glue.filter((c) => !created.has(c.record.name));
  const units = [...unitsByName(growing, false), ...unitsByName(ns, true), ...unitsByName(leaving, false)];

  if (owner.length === 0) {
    // Only glue addresses change: each record's DELETE-then-CREATE is its own compare-and-swap.
    return pack(units, limits, undefined);
  }
  const before = owner.find((c) => c.action === 'DELETE')?.record;
  const after = owner.find((c) => c.action === 'CREATE')?.record;
  const union = unionOwnership(before, after);
  if (!fits(ownershipSwap(union, union), limits)) tooLarge(`the ownership record ${union.name}`, limits);
  return pack(units, limits, { before, union, after });
}

/**
 * Packs the parts of several clusters (each one request's worth of one cluster, from {@link splitChanges}) into as
 * few requests as it can within the limits, never cutting a part: a part is a cluster's compare-and-swap, and
 * Route 53 applies a request whole. First fit, largest parts first (optimal packing is NP-hard; this is within a
 * request or two of it, and nearly every zone's parts fit in one). Returns the parts' indices per request, in order.
 *
 * @example packParts([c1.changes, c2.changes]) // [[0, 1]]: both clusters in one request
 */
export function packParts(parts: readonly (readonly Change[])[], limits: RequestLimits = ROUTE53_LIMITS): number[][] {
  const sizes = parts.map(requestSize);
  const largestFirst = parts.map((_, i) => i).sort((a, b) => (sizes[b]?.values ?? 0) - (sizes[a]?.values ?? 0));
  const requests: { parts: number[]; values: number; characters: number }[] = [];
  for (const i of largestFirst) {
    const size = sizes[i] ?? { values: 0, characters: 0 };
    const room = requests.find(
      (r) => r.values + size.values <= limits.values && r.characters + size.characters <= limits.characters,
    );
    if (room === undefined) requests.push({ parts: [i], ...size });
    else {
      room.parts.push(i);
      room.values += size.values;
      room.characters += size.characters;
    }
  }
  return requests.map((r) => r.parts.sort((a, b) => a - b)).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}
