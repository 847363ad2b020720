/**
 * The ownership record (after external-dns's TXT registry): one TXT record set at `_rlec-dns.<cluster>.` that says who
 * created the cluster's records and which instance holds which slot.
 *
 * ```
 * _rlec-dns.c1.example.com. 60 IN TXT "heritage=rlec-dns,owner=rlec-dns-prod"
 * _rlec-dns.c1.example.com. 60 IN TXT "ns1=i-0a1b2c3d4e5f60718"
 * _rlec-dns.c1.example.com. 60 IN TXT "ns2=i-0f9e8d7c6b5a40312"
 * ```
 *
 * Why a record of its own: the glue records hold only addresses, so they cannot say which instance a slot belongs to
 * (an address can change on stop/start, and numbers must be stable while a member runs); and a record only we write
 * lets two deployments (different owner ids) share a zone without ever touching each other's clusters. It is
 * rewritten in the same atomic batch as every membership change, so it never disagrees with the glue records.
 */
import type { RecordSet, SlottedMember } from './records.js';

const HERITAGE = 'heritage=rlec-dns';

export interface Ownership {
  readonly owner: string;
  /** instance id → slot number */
  readonly slots: ReadonlyMap<string, number>;
}

const unquote = (value: string): string => value.replace(/^"(.*)"$/s, '$1');

/**
 * Reads an ownership record. Returns undefined when the TXT record was not written by rlec-dns at all (someone
 * else's record that happens to sit at our name).
 */
export function parseOwnership(record: RecordSet): Ownership | undefined {
  if (record.type !== 'TXT') return undefined;
  const strings = record.values.map(unquote);
  const header = strings.find((s) => s.startsWith(`${HERITAGE},owner=`));
  if (header === undefined) return undefined;
  const slots = new Map<string, number>();
  const taken = new Set<number>();
  for (const entry of strings) {
    const match = /^ns([1-9][0-9]{0,3})=(i-[0-9a-f]+)$/.exec(entry);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const slot = Number(match[1]);
    // A hand-edited record could repeat an instance or a slot: the first entry wins, so parsing never fails.
    if (slots.has(match[2]) || taken.has(slot)) continue;
    slots.set(match[2], slot);
    taken.add(slot);
  }
  return { owner: header.slice(`${HERITAGE},owner=`.length), slots };
}

/** The TXT values (quoted, as Route 53 wants them) of an ownership record for these members. */
export function ownershipValues(owner: string, members: readonly SlottedMember[]): string[] {
  const entries = [...members].sort((a, b) => a.slot - b.slot).map((m) => `"ns${m.slot}=${m.instanceId}"`);
  return [`"${HERITAGE},owner=${owner}"`, ...entries];
}
