/**
 * A placement's members: the members of a cluster to publish in one of its zones. Today every zone of a cluster
 * publishes the same members; a cluster published in a public and a private zone will give each its own addresses.
 */
import type { Member } from '../plan/records.js';
import type { HostedZone } from '../registry/zones.js';
import type { Fleet } from './instances.js';

/** The members of `cluster` to publish in `zone`, from one EC2 snapshot. */
export function membersFor(fleet: Fleet, cluster: string, _zone: HostedZone): readonly Member[] {
  return fleet.clusters.get(cluster) ?? [];
}
