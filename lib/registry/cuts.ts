/**
 * Zone cuts: a delegation is served only if no delegation above it cuts it off. A resolver that meets an NS record
 * at `sub.example.com` is sent to those servers for every name below it, so NS and glue written below that cut are
 * never seen. The same holds for a cluster written below another cluster (`a.c1.example.com` under `c1`), and for a
 * cluster whose name is one of another cluster's own names (an instance tagged `ns4.c1.example.com`).
 *
 * | where the other delegation is                               | when checked                 | outcome            |
 * |-------------------------------------------------------------|------------------------------|--------------------|
 * | a cluster this deployment's EC2 names, above this one        | before the first write       | this one refused   |
 * | an NS record in the zone at a name between apex and cluster  | before the first write; sweep | this one refused   |
 * | an NS record below the cluster's name                        | before the first write       | this one refused   |
 *
 * "Before the first write" means: the cluster has no NS record at its name yet. A cluster that already works is not
 * refused because a newer one appears below it: the newer one is (the older one keeps working). The Route 53 part
 * costs one small read (one record) per name between the zone apex and the cluster, none for `c1.example.com` in
 * `example.com`.
 */
import { ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { canonicalName, fqdn, isWithin } from '../plan/names.js';
import { describeRecord, type RecordSet } from '../plan/records.js';
import { HiddenDelegationError } from '../platform/errors.js';
import { toRecordSet } from './route53.js';
import type { HostedZone } from './zones.js';

/** The names strictly between the zone's apex and the cluster: `b.example.com` for `c.b.example.com` in example.com. */
export function namesBetween(zone: HostedZone, cluster: string): string[] {
  const labels = fqdn(cluster).split('.').slice(0, -1);
  const apexLabels = zone.name.split('.').length - 1;
  const names: string[] = [];
  for (let i = 1; labels.length - i > apexLabels; i += 1) names.push(`${labels.slice(i).join('.')}.`);
  return names;
}

/** The NS records at the names between the zone apex and the cluster (one one-record listing per name). */
export async function delegationsAbove(
  route53: Route53Client,
  zone: HostedZone,
  cluster: string,
): Promise<RecordSet[]> {
  const found: RecordSet[] = [];
  for (const name of namesBetween(zone, cluster)) {
    const page = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zone.id,
        StartRecordName: name,
        StartRecordType: 'NS',
        MaxItems: 1,
      }),
    );
    const first = page.ResourceRecordSets?.[0];
    if (first === undefined) continue;
    const record = toRecordSet(first);
    if (record.name === canonicalName(name) && record.type === 'NS') found.push(record);
  }
  return found;
}

export interface CutInput {
  readonly cluster: string;
  /** The cluster's hosted zone: only clusters below its apex can cut this one off. */
  readonly zone: HostedZone;
  /** The cluster's record sets (at and below its name), as read. */
  readonly current: readonly RecordSet[];
  /** NS records found at the names between the zone apex and the cluster. */
  readonly above: readonly RecordSet[];
  /** Every other cluster this deployment knows of now (EC2 tags), with the instances that name it. */
  readonly clusters: ReadonlyMap<string, readonly string[]>;
  /** True when the cluster has no delegation yet (its first write is about to happen). */
  readonly creating: boolean;
}

/**
 * Pure: throws when the cluster's delegation would not be served, naming the delegation that hides it.
 *
 * @throws HiddenDelegationError
 */
export function checkCuts(input: CutInput): void {
  const { cluster } = input;
  const cut = input.above[0];
  if (cut !== undefined) {
    throw new HiddenDelegationError(
      cluster,
      `it lies below the delegation ${describeRecord(cut)}: resolvers are sent to those servers for every name below ${cut.name}`,
    );
  }
  if (!input.creating) return;
  const inZone = (other: string) => fqdn(other).endsWith(`.${input.zone.name}`);
  const parent = [...input.clusters.keys()].find(
    (other) => other !== cluster && inZone(other) && isWithin(other, fqdn(cluster)),
  );
  if (parent !== undefined) {
    const tagged = input.clusters.get(parent) ?? [];
    throw new HiddenDelegationError(
      cluster,
      `it lies below cluster ${parent}${tagged.length > 0 ? ` (tagged on ${tagged.join(', ')})` : ''}, whose delegation would hide it` +
        `${/^(ns[0-9]+|_rlec-dns)\./.test(cluster) ? `; ${cluster} is one of ${parent}'s own names` : ''}`,
    );
  }
  const below = input.current.find((r) => r.type === 'NS' && r.name !== fqdn(cluster));
  if (below !== undefined) {
    throw new HiddenDelegationError(
      cluster,
      `its delegation would hide the delegation ${describeRecord(below)} below it, which is served today`,
    );
  }
}

/** True when a plan writes the cluster's delegation for the first time: it creates the NS record and deletes none. */
export function createsDelegation(cluster: string, changes: readonly { action: string; record: RecordSet }[]): boolean {
  const atName = changes.filter((c) => c.record.name === fqdn(cluster) && c.record.type === 'NS');
  return atName.some((c) => c.action === 'CREATE') && !atName.some((c) => c.action === 'DELETE');
}

/**
 * Reads what the check needs from Route 53 (the names above the cluster, only when there are any) and checks.
 *
 * @throws HiddenDelegationError when the delegation would not be served.
 */
export async function assertServed(
  route53: Route53Client,
  zone: HostedZone,
  input: Omit<CutInput, 'above' | 'zone'>,
): Promise<void> {
  checkCuts({ ...input, zone, above: [] });
  checkCuts({ ...input, zone, above: await delegationsAbove(route53, zone, input.cluster) });
}
