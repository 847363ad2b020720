/**
 * A cluster's members as one of its zones publishes them: the zone's kind decides the addresses (a private zone: the
 * private IPv4 address; a public zone: ADDRESS_TYPE's, or the instance's own tag), ADDRESS_FAMILY the glue types.
 * An instance that lacks an address this zone needs is not among them, never published with half its glue; the
 * fleet's problems already name it (lib/source/instances.ts), logged and counted once per run. Pure.
 */
import type { Member } from '../plan/records.js';
import type { HostedZone } from '../registry/zones.js';
import type { Fleet } from './instances.js';

/**
 * The members of `cluster` to publish in `zone`, in instance-id order.
 *
 * @example membersFor(fleet, 'c1.example.com', privateZone) // [{ instanceId: 'i-0a…', address: '10.0.1.17' }]
 */
export function membersFor(fleet: Fleet, cluster: string, zone: HostedZone): readonly Member[] {
  return (fleet.clusters.get(cluster) ?? []).flatMap((candidate) => {
    const member = zone.private ? candidate.private : candidate.public;
    return member === undefined ? [] : [member];
  });
}
