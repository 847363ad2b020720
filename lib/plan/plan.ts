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
 * "Ours" means: the ownership record binds the cluster to this deployment (owner id, account and Region; see
 * ownership.ts for records of the earlier form), and the record set is the cluster's NS, the ownership TXT itself, or
 * the A or AAAA record of a slot the ownership record lists, each a plain record (no alias, no routing policy). Everything
 * else at a managed name is foreign. Desired records over Route 53's size limits refuse the cluster too
 * (lib/plan/limits.ts). Names below the cluster that we never write (`node1.<cluster>`) are left alone.
 *
 * A cluster bound to another account or Region is "owned elsewhere": the plan is empty and says so, whatever this
 * deployment's EC2 shows (it cannot see that cluster's members), and nothing is refused.
 *
 * Slots: a member listed in the ownership record keeps its number; a new member takes the lowest free number;
 * nobody is renumbered. A slot's A and AAAA glue share its name (`ns<N>.<cluster>.`) and its slot entry: the family
 * changes nothing of the ownership, and each record set is swapped exactly like the A record. A member that brings
 * neither address is left out (lib/source/members.ts reports the instance, rather than half its glue). With no members, desired is empty: every record we made goes, and the zone is as it was.
 */
import { ForeignRecordsError } from '../platform/errors.js';
import {
  type Claim,
  claimOf,
  type Deployment,
  type Ownership,
  ownershipIn,
  ownershipValues,
  settleLegacy,
} from '../registry/ownership.js';
import { checkRecordLimits } from './limits.js';
import { fqdn, nsName, ownerName, slotOf } from './names.js';
import {
  type Change,
  GLUE_TYPES,
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
  readonly deployment: Deployment;
  /** Instances this deployment's EC2 shows, in any state: they settle records of the earlier, unbound form. */
  readonly visible?: ReadonlySet<string>;
  readonly ttl: number;
}

export interface Plan {
  readonly cluster: string;
  /** DELETEs first, then CREATEs: valid in one atomic Route 53 batch. Empty when Route 53 is already right. */
  readonly changes: readonly Change[];
  /** What the cluster's records are once the changes are applied. */
  readonly desired: readonly RecordSet[];
  readonly members: readonly SlottedMember[];
  /** Set when the cluster is bound to another deployment: then nothing is planned. */
  readonly elsewhere?: Extract<Claim, { kind: 'elsewhere' }>;
}

/** True for names whose records this project may write for the cluster. */
function isManagedName(cluster: string, name: string): boolean {
  return name === fqdn(cluster) || name === ownerName(cluster) || slotOf(cluster, name) !== undefined;
}

/** The ownership record when it binds the cluster to this deployment, or the deployment it is bound to. */
function readOwnership(input: PlanInput): Ownership | Extract<Claim, { kind: 'elsewhere' }> | undefined {
  const ownership = ownershipIn(ownerName(input.cluster), input.current);
  let claim = claimOf(ownership, input.deployment);
  if (claim.kind === 'legacy' && ownership !== undefined) {
    claim = settleLegacy(ownership, input.visible ?? new Set(), input.members.length > 0);
  }
  if (claim.kind === 'elsewhere') return claim;
  return claim.kind === 'ours' ? ownership : undefined;
}

function isOurs(cluster: string, ownership: Ownership | undefined, record: RecordSet): boolean {
  // An alias (registry.ts marks its value `ALIAS …`) is never ours, whatever its type: we write plain records only.
  if (ownership === undefined || record.values.some((v) => v.startsWith('ALIAS '))) return false;
  if (record.name === fqdn(cluster)) return record.type === 'NS';
  if (record.name === ownerName(cluster)) return record.type === 'TXT';
  const slot = slotOf(cluster, record.name);
  return GLUE_TYPES.includes(record.type) && slot !== undefined && [...ownership.slots.values()].includes(slot);
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
export function desiredRecords(
  cluster: string,
  members: readonly SlottedMember[],
  me: Deployment,
  ttl: number,
): RecordSet[] {
  if (members.length === 0) return [];
  const glue: RecordSet[] = members.flatMap((m) => [
    ...(m.address === undefined ? [] : [{ name: nsName(cluster, m.slot), type: 'A', ttl, values: [m.address] }]),
    ...(m.ipv6 === undefined ? [] : [{ name: nsName(cluster, m.slot), type: 'AAAA', ttl, values: [m.ipv6] }]),
  ]);
  return [
    { name: fqdn(cluster), type: 'NS', ttl, values: members.map((m) => nsName(cluster, m.slot)) },
    { name: ownerName(cluster), type: 'TXT', ttl, values: ownershipValues(me, members) },
    ...glue,
  ];
}

/**
 * Plans one cluster.
 *
 * @throws ForeignRecordsError when a managed name holds a record this deployment did not create.
 * @throws RecordLimitError when the records would exceed Route 53's limits, now or at their next change.
 * @example
 * const deployment = { ownerId: 'prod', account: '111111111111', region: 'eu-west-1', legacyOwnerIds: [] };
 * planCluster({ cluster: 'c1.example.com', current: [], members: [{ instanceId: 'i-1', address: '10.0.0.1' }],
 *   deployment, ttl: 60 }).changes.map((c) => c.action) // ['CREATE', 'CREATE', 'CREATE']
 */
export function planCluster(input: PlanInput): Plan {
  const { cluster } = input;
  const read = readOwnership(input);
  const managed = input.current.filter((r) => isManagedName(cluster, r.name));
  if (read !== undefined && 'kind' in read)
    return { cluster, changes: [], desired: managed, members: [], elsewhere: read };
  const ownership = read;
  const foreign = managed.filter((r) => !isOurs(cluster, ownership, r));
  if (foreign.length > 0) throw new ForeignRecordsError(cluster, foreign);

  const servable = input.members.filter((m) => m.address !== undefined || m.ipv6 !== undefined);
  const members = assignSlots(servable, ownership?.slots ?? new Map());
  const desired = desiredRecords(cluster, members, input.deployment, input.ttl);
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
