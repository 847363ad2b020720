/** Members per zone: the addresses each kind of zone gets (ZONE_TYPE, ADDRESS_TYPE, the tag) and ADDRESS_FAMILY. */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../lib/platform/config.js';
import type { HostedZone } from '../../lib/registry/zones.js';
import { groupMembers, type Instance, primaryIpv6 } from '../../lib/source/instances.js';
import { membersFor } from '../../lib/source/members.js';

type SourceConfig = Pick<Config, 'clusterTagKey' | 'addressType' | 'addressTypeTagKey' | 'zoneType' | 'addressFamily'>;

const cluster = 'mycluster.example.com';
const publicZone: HostedZone = { id: 'Z1EXAMPLE', name: 'example.com.', private: false };
const privateZone: HostedZone = { id: 'Z9PRIVATE', name: 'example.com.', private: true };
const splitView: SourceConfig = {
  clusterTagKey: 'rlec:cluster',
  addressTypeTagKey: 'rlec:address-type',
  zoneType: 'both',
  addressType: 'public',
  addressFamily: 'ipv4',
};

const nodeA: Instance = {
  id: 'i-0a1b2c3d4e5f60718',
  state: 'running',
  tags: { 'rlec:cluster': cluster },
  privateIp: '10.0.1.17',
  publicIp: '203.0.113.17',
  ipv6: '2001:db8::17',
};
/** No public address, no IPv6: a node in a private subnet of an IPv4-only VPC. */
const privateOnlyNode: Instance = {
  id: 'i-0b1b2c3d4e5f60718',
  state: 'running',
  tags: { 'rlec:cluster': cluster },
  privateIp: '10.0.2.23',
};

describe('membersFor', () => {
  it('gives the public zone of a split view public addresses and the private zone private ones', () => {
    // Act
    const fleet = groupMembers([nodeA], splitView);

    // Assess
    expect(membersFor(fleet, cluster, publicZone)).toEqual([{ instanceId: nodeA.id, address: '203.0.113.17' }]);
    expect(membersFor(fleet, cluster, privateZone)).toEqual([{ instanceId: nodeA.id, address: '10.0.1.17' }]);
  });

  it('gives a private zone private addresses whatever the address-type tag says', () => {
    // Prepare
    const tagged: Instance = { ...nodeA, tags: { ...nodeA.tags, 'rlec:address-type': 'public' } };

    // Act
    const fleet = groupMembers([tagged], { ...splitView, addressType: 'private' });

    // Assess
    expect(membersFor(fleet, cluster, privateZone)).toEqual([{ instanceId: nodeA.id, address: '10.0.1.17' }]);
    expect(membersFor(fleet, cluster, publicZone)).toEqual([{ instanceId: nodeA.id, address: '203.0.113.17' }]);
  });

  it('publishes a node without a public address in the private zone only, and says so', () => {
    // Act
    const fleet = groupMembers([nodeA, privateOnlyNode], splitView);

    // Assess
    expect(membersFor(fleet, cluster, publicZone).map((m) => m.instanceId)).toEqual([nodeA.id]);
    expect(membersFor(fleet, cluster, privateZone).map((m) => m.instanceId)).toEqual([nodeA.id, privateOnlyNode.id]);
    expect(fleet.problems).toEqual([
      {
        instanceId: privateOnlyNode.id,
        kind: 'no-address',
        cluster,
        message: `instance ${privateOnlyNode.id} of cluster ${cluster} is running but has no public address for its public zone; not published in its public zone`,
      },
    ]);
  });

  it('ignores the address-type tag, even an invalid one, when only private zones are written', () => {
    // Prepare
    const tagged: Instance = { ...nodeA, tags: { ...nodeA.tags, 'rlec:address-type': 'elastic' } };

    // Act
    const fleet = groupMembers([tagged], { ...splitView, zoneType: 'private', addressType: 'private' });

    // Assess
    expect(fleet.problems).toEqual([]);
    expect(membersFor(fleet, cluster, privateZone)).toEqual([{ instanceId: nodeA.id, address: '10.0.1.17' }]);
  });

  it('gives each member its A and its AAAA glue with ADDRESS_FAMILY=dual', () => {
    // Act
    const fleet = groupMembers([nodeA], { ...splitView, addressFamily: 'dual' });

    // Assess
    expect(membersFor(fleet, cluster, publicZone)).toEqual([
      { instanceId: nodeA.id, address: '203.0.113.17', ipv6: '2001:db8::17' },
    ]);
    expect(membersFor(fleet, cluster, privateZone)).toEqual([
      { instanceId: nodeA.id, address: '10.0.1.17', ipv6: '2001:db8::17' },
    ]);
  });

  it('gives each member only its AAAA glue with ADDRESS_FAMILY=ipv6', () => {
    // Act
    const fleet = groupMembers([nodeA], { ...splitView, zoneType: 'public', addressFamily: 'ipv6' });

    // Assess
    expect(membersFor(fleet, cluster, publicZone)).toEqual([{ instanceId: nodeA.id, ipv6: '2001:db8::17' }]);
  });

  it('reports a member without an IPv6 address with ADDRESS_FAMILY=dual, and publishes none of its glue', () => {
    // Act
    const fleet = groupMembers([nodeA, privateOnlyNode], {
      ...splitView,
      addressType: 'private',
      addressFamily: 'dual',
    });

    // Assess
    expect(membersFor(fleet, cluster, publicZone).map((m) => m.instanceId)).toEqual([nodeA.id]);
    expect(membersFor(fleet, cluster, privateZone).map((m) => m.instanceId)).toEqual([nodeA.id]);
    expect(fleet.problems).toEqual([
      {
        instanceId: privateOnlyNode.id,
        kind: 'no-address',
        cluster,
        message: `instance ${privateOnlyNode.id} of cluster ${cluster} is running but has no IPv6 address; not published`,
      },
    ]);
    expect(fleet.tagged.get(cluster)).toEqual([nodeA.id, privateOnlyNode.id]);
  });

  it('names every address a public-zone member lacks', () => {
    // Act
    const fleet = groupMembers([privateOnlyNode], { ...splitView, zoneType: 'public', addressFamily: 'dual' });

    // Assess
    expect(fleet.problems[0]?.message).toBe(
      `instance ${privateOnlyNode.id} of cluster ${cluster} is running but has no public address and no IPv6 address; not published`,
    );
    expect(fleet.clusters.size).toBe(0);
  });

  it('has no members for a cluster the fleet does not know', () => {
    // Act & Assess
    expect(membersFor(groupMembers([nodeA], splitView), 'other.example.com', publicZone)).toEqual([]);
  });
});

describe('primaryIpv6', () => {
  const eni = (deviceIndex: number, addresses: { Ipv6Address: string; IsPrimaryIpv6?: boolean }[]) => ({
    Attachment: { DeviceIndex: deviceIndex },
    Ipv6Addresses: addresses,
  });

  it("takes the instance's Ipv6Address when EC2 sets it", () => {
    // Act & Assess
    expect(
      primaryIpv6({ Ipv6Address: '2001:db8::1', NetworkInterfaces: [eni(0, [{ Ipv6Address: '2001:db8::2' }])] }),
    ).toBe('2001:db8::1');
  });

  it('takes the address marked primary on the primary interface', () => {
    // Act & Assess
    expect(
      primaryIpv6({
        NetworkInterfaces: [
          eni(1, [{ Ipv6Address: '2001:db8::9', IsPrimaryIpv6: true }]),
          eni(0, [{ Ipv6Address: '2001:db8::2' }, { Ipv6Address: '2001:db8::3', IsPrimaryIpv6: true }]),
        ],
      }),
    ).toBe('2001:db8::3');
  });

  it("falls back to the primary interface's first IPv6 address, as moto gives it", () => {
    // Act & Assess
    expect(primaryIpv6({ NetworkInterfaces: [eni(0, [{ Ipv6Address: '2001:db8::2', IsPrimaryIpv6: false }])] })).toBe(
      '2001:db8::2',
    );
  });

  it('has none for an instance without IPv6, or with IPv6 only on a secondary interface', () => {
    // Act & Assess
    expect(primaryIpv6({ NetworkInterfaces: [eni(0, [])] })).toBeUndefined();
    expect(primaryIpv6({ NetworkInterfaces: [eni(1, [{ Ipv6Address: '2001:db8::9' }])] })).toBeUndefined();
  });
});
