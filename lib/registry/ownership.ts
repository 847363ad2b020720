/**
 * The ownership record (after external-dns's TXT registry): one TXT record set at `_rlec-dns.<cluster>.` that says
 * which deployment created the cluster's records, where that deployment runs, and which instance holds which slot.
 *
 * ```
 * _rlec-dns.c1.example.com. 60 IN TXT "heritage=rlec-dns,owner=rlec-dns-prod-111111111111-eu-west-1,account=111111111111,region=eu-west-1"
 * _rlec-dns.c1.example.com. 60 IN TXT "ns1=i-0a1b2c3d4e5f60718"
 * _rlec-dns.c1.example.com. 60 IN TXT "ns2=i-0f9e8d7c6b5a40312"
 * ```
 *
 * Why a record of its own: the glue records hold only addresses, so they cannot say which instance a slot belongs to
 * (an address can change on stop/start, and numbers must be stable while a member runs); and a record only we write
 * lets deployments share a zone without ever touching each other's clusters. It is rewritten in the same atomic
 * batch as every membership change, so it never disagrees with the glue records.
 *
 * Why the account and the region: Route 53 is global, EC2 is not. A deployment sees only its own account's and
 * Region's instances, so it can never decide about a cluster whose members live elsewhere: a sweep in us-east-1
 * would see "no members" and delete a cluster that eu-west-1 serves. A cluster is bound to the account and Region
 * that created it, and no other deployment changes it, whatever the owner ids say.
 *
 * | record's header                             | claim       | what this deployment does                          |
 * |---------------------------------------------|-------------|----------------------------------------------------|
 * | our owner, our account, our region          | `ours`      | plans it                                           |
 * | any owner, another account or region        | `elsewhere` | leaves it alone, reports "owned elsewhere"         |
 * | earlier form (no account/region), owner one | `legacy`    | ours when our EC2 shows one of its instances (then |
 * | of ours                                     |             | rewritten in the bound form); else `elsewhere`     |
 * | another owner, our account and region       | `foreign`   | refuses the cluster if it has members here         |
 * | not written by rlec-dns                     | `foreign`   | refuses the cluster if it has members here         |
 */
import type { RecordSet, SlottedMember } from '../plan/records.js';

const HERITAGE = 'heritage=rlec-dns';

/** Who this deployment is: what it writes into the ownership record, and what it recognises as its own. */
export interface Deployment {
  readonly ownerId: string;
  /** The AWS account the deployment's EC2 view belongs to (12 digits). */
  readonly account: string;
  readonly region: string;
  /** Owner ids this deployment wrote in the earlier form, without account and region (recognised, then rewritten). */
  readonly legacyOwnerIds: readonly string[];
}

export interface Ownership {
  readonly owner: string;
  /** Undefined in records of the earlier form, which named only the owner. */
  readonly account?: string | undefined;
  readonly region?: string | undefined;
  /** instance id → slot number */
  readonly slots: ReadonlyMap<string, number>;
}

export type Claim =
  | { readonly kind: 'ours' | 'legacy' | 'foreign' }
  | {
      readonly kind: 'elsewhere';
      readonly owner: string;
      readonly account?: string | undefined;
      readonly region?: string | undefined;
    };

const unquote = (value: string): string => value.replace(/^"(.*)"$/s, '$1');

function parseHeader(header: string): Pick<Ownership, 'owner' | 'account' | 'region'> | undefined {
  const fields = new Map<string, string>();
  for (const part of header.slice(`${HERITAGE},`.length).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at), part.slice(at + 1));
  }
  const owner = fields.get('owner');
  if (owner === undefined || owner === '') return undefined;
  return { owner, account: fields.get('account'), region: fields.get('region') };
}

/**
 * Reads an ownership record. Returns undefined when the TXT record was not written by rlec-dns at all (someone
 * else's record that happens to sit at our name).
 */
export function parseOwnership(record: RecordSet): Ownership | undefined {
  if (record.type !== 'TXT') return undefined;
  const strings = record.values.map(unquote);
  const header = strings.find((s) => s.startsWith(`${HERITAGE},owner=`));
  const who = header === undefined ? undefined : parseHeader(header);
  if (who === undefined) return undefined;
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
  return { ...who, slots };
}

/** The cluster's ownership record among its record sets, parsed; undefined when there is none of rlec-dns's. */
export function ownershipIn(ownerRecordName: string, records: readonly RecordSet[]): Ownership | undefined {
  const record = records.find((r) => r.name === ownerRecordName && r.type === 'TXT');
  return record === undefined ? undefined : parseOwnership(record);
}

/**
 * Whose the cluster is, from its ownership record (see the table in the module's comment). A `legacy` claim is
 * settled by {@link settleLegacy}, which needs to know what EC2 shows.
 */
export function claimOf(ownership: Ownership | undefined, me: Deployment): Claim {
  if (ownership === undefined) return { kind: 'foreign' };
  const { owner, account, region } = ownership;
  if (account === undefined && region === undefined) {
    return owner === me.ownerId || me.legacyOwnerIds.includes(owner) ? { kind: 'legacy' } : { kind: 'foreign' };
  }
  if (account !== me.account || region !== me.region) return { kind: 'elsewhere', owner, account, region };
  return owner === me.ownerId ? { kind: 'ours' } : { kind: 'foreign' };
}

/**
 * A record of the earlier form names no account or region, and deployments of one stage in several Regions shared
 * its owner id. It is ours only when our EC2 shows one of the instances it lists (instance ids are unique across
 * Regions) or members of ours carry the cluster's tag; otherwise it belongs to a deployment we cannot see.
 */
export function settleLegacy(ownership: Ownership, visible: ReadonlySet<string>, hasMembers: boolean): Claim {
  if (hasMembers || [...ownership.slots.keys()].some((id) => visible.has(id))) return { kind: 'ours' };
  return { kind: 'elsewhere', owner: ownership.owner };
}

/** "owner rlec-dns-prod (account 111111111111, eu-west-1)", for log lines and the CLI. */
export function describeOwner(claim: Extract<Claim, { kind: 'elsewhere' }>): string {
  const where =
    claim.account === undefined
      ? 'earlier-format record, no account or region'
      : `account ${claim.account}, ${claim.region}`;
  return `owner ${claim.owner} (${where})`;
}

/** The header string (unquoted) this deployment writes. */
export const ownershipHeader = (me: Deployment): string =>
  `${HERITAGE},owner=${me.ownerId},account=${me.account},region=${me.region}`;

/** One slot entry (unquoted): `ns3=i-0a1b2c3d`. */
export const slotEntry = (slot: number, instanceId: string): string => `ns${slot}=${instanceId}`;

/** True for a TXT value (quoted, as Route 53 holds it) that is an ownership header. */
export const isOwnershipHeader = (value: string): boolean => unquote(value).startsWith(`${HERITAGE},`);

/** The TXT values (quoted, as Route 53 wants them) of an ownership record for these members. */
export function ownershipValues(me: Deployment, members: readonly SlottedMember[]): string[] {
  const entries = [...members].sort((a, b) => a.slot - b.slot).map((m) => `"${slotEntry(m.slot, m.instanceId)}"`);
  return [`"${ownershipHeader(me)}"`, ...entries];
}
