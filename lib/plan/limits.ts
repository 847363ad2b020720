/**
 * Route 53's size limits, checked on a cluster's desired records before anything is written. Pure: no SDK.
 *
 * - A record set holds at most 400 values: the NS record holds one per member, the ownership TXT one per member plus
 *   its header, so a cluster has at most 399 members.
 * - A request holds at most 1,000 values and 32,000 characters of values (lib/provider/batches.ts). A plan too large for one
 *   request is split, but each record set's DELETE and CREATE must stay together, so the NS record's compare-and-swap
 *   (the old record's exact DELETE and the new one's CREATE) must fit in one request, and so must the ownership
 *   record's swap with one slot's glue change, its A and its AAAA together (every split step carries it; a name's
 *   changes travel together). IPv6 glue values are the longest (up to 39 characters). The NS values are full names
 *   (`ns12.<cluster>.`): with a long cluster name, the NS swap is what runs out first.
 *
 * A cluster whose records could be created but whose NS record could not be swapped afterwards would be written once
 * and then refused on its first change, with its departed members' glue left in place. So the check asks of the
 * desired records that each swap fits with a record as large as itself. Then a change between any two states the
 * check allows fits too (each side is at most half a request), whatever members leave and join. The price: for some
 * name lengths one member less than the largest cluster that could still be changed (scripts/measure-limits.ts).
 */

import { RecordLimitError } from '../platform/errors.js';
import { fits, type RequestLimits, ROUTE53_LIMITS } from '../provider/batches.js';
import { nsName } from './names.js';
import { type Change, GLUE_TYPES, type RecordSet } from './records.js';

/** Route 53's limit on the values of one record set. */
export const MAX_RECORD_SET_VALUES = 400;

/** The longest ownership entry: `"ns399=i-0123456789abcdef0"` (17 hex digits: today's instance ids). */
const LONGEST_ENTRY = (slot: number) => `"ns${slot}=i-${'f'.repeat(17)}"`;

const swap = (record: RecordSet): Change[] => [
  { action: 'DELETE', record },
  { action: 'CREATE', record },
];

const characters = (records: readonly RecordSet[]) =>
  records.reduce((n, r) => n + r.values.reduce((m, v) => m + v.length, 0), 0);

/** The glue of the slot whose records are the largest (its A and AAAA, which share a name and are swapped together). */
function largestSlotGlue(desired: readonly RecordSet[]): RecordSet[] {
  const bySlot = new Map<string, RecordSet[]>();
  for (const r of desired.filter((d) => GLUE_TYPES.includes(d.type)))
    bySlot.set(r.name, [...(bySlot.get(r.name) ?? []), r]);
  let largest: RecordSet[] = [];
  for (const glue of bySlot.values()) if (characters(glue) > characters(largest)) largest = glue;
  return largest;
}

/** The longest value of each glue type: what the most members are counted with. */
const LONGEST_GLUE: Readonly<Record<string, string>> = {
  A: '255.255.255.255',
  AAAA: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
};

const size = (changes: readonly Change[]) => {
  const values = changes.reduce((n, c) => n + c.record.values.length, 0);
  const characters = changes.reduce((n, c) => n + c.record.values.reduce((m, v) => m + v.length, 0), 0);
  return `${values.toLocaleString('en-US')} values, ${characters.toLocaleString('en-US')} characters`;
};

/**
 * The most members a cluster of this name can have, its records created and still changeable: slots 1…n, the
 * ownership record with this header and the longest instance ids, and each slot's glue of these types (A; AAAA for
 * IPv6; both for dual stack) with the longest addresses.
 *
 * @example maxMembers('c1.example.com') // 399
 */
export function maxMembers(
  cluster: string,
  header = '"heritage=rlec-dns,owner=rlec-dns-prod"',
  limits: RequestLimits = ROUTE53_LIMITS,
  glueTypes: readonly string[] = ['A'],
): number {
  const ns: string[] = [];
  const owner = [header];
  const glue = glueTypes.flatMap((type) =>
    swap({ name: nsName(cluster, 1), type, ttl: 60, values: [LONGEST_GLUE[type] ?? ''] }),
  );
  for (let n = 1; n < MAX_RECORD_SET_VALUES; n += 1) {
    ns.push(nsName(cluster, n));
    owner.push(LONGEST_ENTRY(n));
    const nsRecord = { name: `${cluster}.`, type: 'NS', ttl: 60, values: ns };
    const ownerRecord = { name: `_rlec-dns.${cluster}.`, type: 'TXT', ttl: 60, values: owner };
    if (!fits(swap(nsRecord), limits) || !fits([...swap(ownerRecord), ...glue], limits)) return n - 1;
  }
  return MAX_RECORD_SET_VALUES - 1;
}

/**
 * Refuses records Route 53 would not take, or that could not be changed afterwards (see the module's comment).
 *
 * @throws RecordLimitError naming the record, its size and the limit, and the most members the cluster may have.
 */
export function checkRecordLimits(
  cluster: string,
  desired: readonly RecordSet[],
  limits: RequestLimits = ROUTE53_LIMITS,
): void {
  const ns = desired.find((r) => r.type === 'NS');
  const owner = desired.find((r) => r.type === 'TXT');
  const glue = largestSlotGlue(desired);
  const glueTypes = [...new Set(desired.filter((r) => GLUE_TYPES.includes(r.type)).map((r) => r.type))];
  const members = ns?.values.length ?? 0;
  const most = () =>
    `at most ${maxMembers(cluster, owner?.values[0], limits, glueTypes.length === 0 ? ['A'] : glueTypes)} members fit for this cluster name`;
  for (const record of [ns, owner]) {
    if (record === undefined || record.values.length <= MAX_RECORD_SET_VALUES) continue;
    throw new RecordLimitError(
      cluster,
      `${members} members need ${record.values.length} values in ${record.type} ${record.name}, and Route 53 ` +
        `allows at most ${MAX_RECORD_SET_VALUES} values in one record set; ${most()}`,
    );
  }
  const swaps: [RecordSet | undefined, Change[]][] = [
    [ns, ns === undefined ? [] : swap(ns)],
    [owner, owner === undefined ? [] : [...swap(owner), ...glue.flatMap(swap)]],
  ];
  for (const [record, changes] of swaps) {
    if (record === undefined || fits(changes, limits)) continue;
    throw new RecordLimitError(
      cluster,
      `with ${members} members, ${record.type} ${record.name} could be created but never changed: its ` +
        `compare-and-swap needs ${size(changes)} in one request, over Route 53's limits of ` +
        `${limits.values.toLocaleString('en-US')} values and ${limits.characters.toLocaleString('en-US')} ` +
        `characters per request; ${most()}`,
    );
  }
}
