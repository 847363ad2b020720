/** What tests expect a cluster's delegation to be, as World.records lines. */
import { HERE, ownerHeader, type Where } from '../../tools/world/deployment.js';

/** A published member as tests state it: [slot, instance id, address]. */
export type SlotEntry = readonly [slot: number, instanceId: string, address: string];

/**
 * The sorted `World.records` lines a cluster with these members should have: NS, ownership TXT (bound to the test
 * account and Region unless told), one glue A per member (TTL 60). None for no members.
 */
export function delegation(
  cluster: string,
  members: readonly SlotEntry[],
  owner = 'rlec-dns-test',
  where: Where = HERE,
): string[] {
  if (members.length === 0) return [];
  const bySlot = [...members].sort((x, y) => x[0] - y[0]);
  const ns = bySlot.map(([n]) => `ns${n}.${cluster}.`).sort();
  const txt = [ownerHeader(owner, where), ...bySlot.map(([n, id]) => `"ns${n}=${id}"`)].sort();
  return [
    `${cluster}. NS 60 ${ns.join(' ')}`,
    `_rlec-dns.${cluster}. TXT 60 ${txt.join(' ')}`,
    ...bySlot.map(([n, , ip]) => `ns${n}.${cluster}. A 60 ${ip}`),
  ].sort();
}
