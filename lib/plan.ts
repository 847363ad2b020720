/**
 * The planning core: pure, no SDK. Given what Route 53 holds for one cluster and which instances should serve it,
 * it returns the changes that make Route 53 exact, or refuses the cluster.
 *
 * Decision table, per record set at a name we manage (the cluster name, `_rlec-dns.<cluster>`, `ns<N>.<cluster>`):
 *
 * | current record set         | desired   | change                                  |
 * |----------------------------|-----------|-----------------------------------------|
 * | none                       | none      | –                                       |
 * | none                       | some      | CREATE desired                          |
 * | ours                       | none      | DELETE current (exact TTL and values)   |
 * | ours, equal to desired     | same      | –                                       |
 * | ours, differs              | some      | DELETE current, then CREATE desired     |
 * | not ours (any type, alias) | any       | refuse the whole cluster, change nothing |
 *
 * "Ours" means: the ownership record carries our owner id, and the record set is the cluster's NS, the ownership TXT
 * itself, or the A record of a slot the ownership record lists, each a plain record (no alias, no routing policy).
 * Everything else at a managed name is foreign. Desired records over Route 53's size limits refuse the cluster too
 * (lib/limits.ts).
 * Names below the cluster that we never write (`node1.<cluster>`) are left alone.
 *
 * Slots: a member listed in the ownership record keeps its number; a new member takes the lowest free number;
 * nobody is renumbered. With no members, desired is empty: every record we made goes, and the zone is as it was.
 */
import { ForeignRecordsError } from './errors.js';
import { checkRecordLimits } from './limits.js';
import { fqdn, nsName, ownerName, slotOf } from './names.js';
import { type Ownership, ownershipValues, parseOwnership } from './ownership.js';
import {
  type Change,
  describeRecord,
  keyOf,
  type Member,
  type RecordSet,
  type SlottedMember,
  sameRecord,
} from './records.js';

export interface PlanInput {
  /** Normalised cluster name, without trailing dot. */
  readonly cluster: string;
  /** Every record set Route 53 holds at or below the cluster name (others are ignored). */
  readonly current: readonly RecordSet[];
  /** Instances that should be published now. */
  readonly members: readonly Member[];
  readonly ownerId: string;
  readonly ttl: number;
}

export interface Plan {
  readonly cluster: string;
  /** DELETEs first, then CREATEs: valid in one atomic Route 53 batch. Empty when Route 53 is already right. */
  readonly changes: readonly Change[];
  /** What the cluster's records are once the changes are applied. */
  readonly desired: readonly RecordSet[];
  readonly members: readonly SlottedMember[];
}

/** True for names whose records this project may write for the cluster. */
function isManagedName(cluster: string, name: string): boolean {
  return name === fqdn(cluster) || name === ownerName(cluster) || slotOf(cluster, name) !== undefined;
}

function readOwnership(input: PlanInput): Ownership | undefined {
  const record = input.current.find((r) => r.name === ownerName(input.cluster) && r.type === 'TXT');
  const ownership = record === undefined ? undefined : parseOwnership(record);
  return ownership?.owner === input.ownerId ? ownership : undefined;
}

function isOurs(cluster: string, ownership: Ownership | undefined, record: RecordSet): boolean {
  // An alias (registry.ts marks its value `ALIAS …`) is never ours, whatever its type: we write plain records only.
  if (ownership === undefined || record.values.some((v) => v.startsWith('ALIAS '))) return false;
  if (record.name === fqdn(cluster)) return record.type === 'NS';
  if (record.name === ownerName(cluster)) return record.type === 'TXT';
  const slot = slotOf(cluster, record.name);
  return record.type === 'A' && slot !== undefined && [...ownership.slots.values()].includes(slot);
}

/** Keeps the slot of every member that has one; gives each new member the lowest free number. */
export function assignSlots(members: readonly Member[], slots: ReadonlyMap<string, number>): SlottedMember[] {
  const unique = [...new Map(members.map((m) => [m.instanceId, m])).values()];
  const kept: SlottedMember[] = [];
  const fresh: Member[] = [];
  for (const member of unique) {
    const slot = slots.get(member.instanceId);
    if (slot === undefined) fresh.push(member);
    else kept.push({ ...member, slot });
  }
  const used = new Set(kept.map((m) => m.slot));
  let next = 1;
  const added = [...fresh]
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId))
    .map((member) => {
      while (used.has(next)) next += 1;
      used.add(next);
      return { ...member, slot: next };
    });
  return [...kept, ...added].sort((a, b) => a.slot - b.slot);
}

/** The record sets a cluster with these members should have (none when it has no members). */
export function desiredRecords(cluster: string, members: readonly SlottedMember[], ownerId: string, ttl: number) {
  if (members.length === 0) return [];
  const glue = members.map((m) => ({ name: nsName(cluster, m.slot), type: 'A', ttl, values: [m.address] }));
  return [
    { name: fqdn(cluster), type: 'NS', ttl, values: members.map((m) => nsName(cluster, m.slot)) },
    { name: ownerName(cluster), type: 'TXT', ttl, values: ownershipValues(ownerId, members) },
    ...glue,
  ];
}

/**
 * Plans one cluster.
 *
 * @throws ForeignRecordsError when a managed name holds a record this deployment did not create.
 * @throws RecordLimitError when the records would exceed Route 53's limits, now or at their next change.
 * @example
 * planCluster({ cluster: 'c1.example.com', current: [], members: [{ instanceId: 'i-1', address: '10.0.0.1' }],
 *   ownerId: 'prod', ttl: 60 }).changes.map((c) => c.action) // ['CREATE', 'CREATE', 'CREATE']
 */
export function planCluster(input: PlanInput): Plan {
  const { cluster } = input;
  const ownership = readOwnership(input);
  const managed = input.current.filter((r) => isManagedName(cluster, r.name));
  const foreign = managed.filter((r) => !isOurs(cluster, ownership, r));
  if (foreign.length > 0) throw new ForeignRecordsError(cluster, foreign.map(describeRecord));

  const members = assignSlots(input.members, ownership?.slots ?? new Map());
  const desired = desiredRecords(cluster, members, input.ownerId, input.ttl);
  checkRecordLimits(cluster, desired);
  const currentByKey = new Map(managed.map((r) => [keyOf(r), r]));
  const desiredByKey = new Map(desired.map((r) => [keyOf(r), r]));

  const deletes: Change[] = [];
  const creates: Change[] = [];
  for (const [key, record] of currentByKey) {
    const wanted = desiredByKey.get(key);
    if (wanted === undefined || !sameRecord(record, wanted)) deletes.push({ action: 'DELETE', record });
  }
  for (const [key, record] of desiredByKey) {
    const existing = currentByKey.get(key);
    if (existing === undefined || !sameRecord(existing, record)) creates.push({ action: 'CREATE', record });
  }
  return { cluster, changes: [...deletes, ...creates], desired, members };
}
