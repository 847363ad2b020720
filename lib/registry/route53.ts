/**
 * The registry: what Route 53 holds for a cluster, and which clusters this deployment owns.
 *
 * Route 53 lists record sets sorted by name with labels reversed and the trailing dot kept (`com.example.c1.`), so
 * every name at or below a cluster is contiguous and starts at the cluster's own name: a listing can start there and
 * stop at the first name outside it, whatever the size of the zone.
 */
import {
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { canonicalName, isWithin, OWNER_LABEL, ownerName } from '../plan/names.js';
import type { RecordSet } from '../plan/records.js';
import { type Claim, claimOf, type Deployment, type Ownership, parseOwnership } from './ownership.js';
import type { HostedZone } from './zones.js';

/** Converts the SDK's shape. Alias and routing-policy records keep a marker so they never compare equal to ours. */
export function toRecordSet(r: ResourceRecordSet): RecordSet {
  const values = r.AliasTarget
    ? [`ALIAS ${r.AliasTarget.DNSName ?? ''}`]
    : (r.ResourceRecords ?? []).map((v) => v.Value ?? '');
  const routed = r.SetIdentifier === undefined ? '' : ` (set ${r.SetIdentifier})`;
  return { name: canonicalName(r.Name ?? ''), type: `${r.Type ?? ''}${routed}`, ttl: r.TTL ?? 0, values };
}

type Start = { name: string; type?: string | undefined; identifier?: string | undefined };

async function* pages(route53: Route53Client, zoneId: string, start?: Start): AsyncGenerator<ResourceRecordSet[]> {
  let next: Start | undefined = start;
  let first = true;
  while (first || next !== undefined) {
    first = false;
    const page: ListResourceRecordSetsCommandOutput = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: next?.name,
        StartRecordType: next?.type as never,
        StartRecordIdentifier: next?.identifier,
        MaxItems: 300,
      }),
    );
    yield page.ResourceRecordSets ?? [];
    next = page.IsTruncated
      ? { name: page.NextRecordName ?? '', type: page.NextRecordType, identifier: page.NextRecordIdentifier }
      : undefined;
  }
}

/** Every record set at or below the cluster's name, paged, stopping at the first name outside it. */
export async function readCluster(route53: Route53Client, zoneId: string, cluster: string): Promise<RecordSet[]> {
  const records: RecordSet[] = [];
  for await (const page of pages(route53, zoneId, { name: `${cluster}.` })) {
    for (const raw of page) {
      const record = toRecordSet(raw);
      if (!isWithin(cluster, record.name)) return records;
      records.push(record);
    }
  }
  return records;
}

/** One ownership record of rlec-dns's in a zone, and whose it is for this deployment. */
export interface FoundCluster {
  readonly cluster: string;
  readonly zone: HostedZone;
  readonly instanceIds: readonly string[];
  /** `ours` and `legacy` (the earlier form, settled when planned) are this deployment's to reconcile. */
  readonly claim: Claim;
}

/** Scans a whole zone (paged) for rlec-dns's ownership records, whoever wrote them. */
export async function discoverClusters(
  route53: Route53Client,
  zone: HostedZone,
  me: Deployment,
): Promise<FoundCluster[]> {
  const found: FoundCluster[] = [];
  const prefix = `${OWNER_LABEL}.`;
  for await (const page of pages(route53, zone.id)) {
    for (const raw of page) {
      const record = toRecordSet(raw);
      if (record.type !== 'TXT' || !record.name.startsWith(prefix)) continue;
      const ownership = parseOwnership(record);
      if (ownership === undefined) continue;
      const claim = claimOf(ownership, me);
      if (claim.kind === 'foreign') continue;
      const cluster = record.name.slice(prefix.length, -1);
      found.push({ cluster, zone, instanceIds: [...ownership.slots.keys()], claim });
    }
  }
  return found;
}

/** True for a cluster this deployment may reconcile (bound to it, or of the earlier form with one of its ids). */
export const isOwned = (found: FoundCluster): boolean => found.claim.kind === 'ours' || found.claim.kind === 'legacy';

/**
 * Every rlec-dns cluster in these zones that is this deployment's, or bound to another account or Region (full
 * scans, paged). Clusters of other owners in this account and Region are left out: they are not ours to report.
 */
export async function findOwned(
  route53: Route53Client,
  zones: readonly HostedZone[],
  me: Deployment,
): Promise<FoundCluster[]> {
  const found: FoundCluster[] = [];
  for (const zone of zones) found.push(...(await discoverClusters(route53, zone, me)));
  return found;
}

/**
 * The cluster's ownership record alone, in one one-record listing (`_rlec-dns.<cluster>.` TXT): what a hint about a
 * former member is checked against, without reading the cluster's other records or scanning the zone.
 */
export async function readOwnership(
  route53: Route53Client,
  zoneId: string,
  cluster: string,
): Promise<Ownership | undefined> {
  const name = ownerName(cluster);
  const page = await route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      StartRecordName: name,
      StartRecordType: 'TXT',
      MaxItems: 1,
    }),
  );
  const first = page.ResourceRecordSets?.[0];
  if (first === undefined) return undefined;
  const record = toRecordSet(first);
  return record.name === name && record.type === 'TXT' ? parseOwnership(record) : undefined;
}

/**
 * One invocation's ownership scans: each zone is scanned at most once, whoever asks (the event path's resolve step,
 * then run-once's sweep targets or its look for records left in a former zone). Made per invocation and passed
 * through, never kept: a later invocation must see the zones as they are then. A scan that fails is not kept either.
 */
export class OwnershipScans {
  readonly #scans = new Map<string, Promise<FoundCluster[]>>();
  readonly #done = new Map<string, FoundCluster[]>();

  constructor(
    private readonly route53: Route53Client,
    private readonly me: Deployment,
  ) {}

  /** The zone's rlec-dns clusters ({@link discoverClusters}), scanned now or earlier in this invocation. */
  zone(zone: HostedZone): Promise<FoundCluster[]> {
    let scan = this.#scans.get(zone.id);
    if (scan === undefined) {
      scan = discoverClusters(this.route53, zone, this.me).then(
        (found) => {
          this.#done.set(zone.id, found);
          return found;
        },
        (error: unknown) => {
          this.#scans.delete(zone.id);
          throw error;
        },
      );
      this.#scans.set(zone.id, scan);
    }
    return scan;
  }

  /** {@link findOwned} through the cache. */
  async findOwned(zones: readonly HostedZone[]): Promise<FoundCluster[]> {
    const found: FoundCluster[] = [];
    for (const zone of zones) found.push(...(await this.zone(zone)));
    return found;
  }

  /** What an earlier scan of this invocation found in the zone; undefined when it was not scanned. */
  scanned(zoneId: string): readonly FoundCluster[] | undefined {
    return this.#done.get(zoneId);
  }
}
