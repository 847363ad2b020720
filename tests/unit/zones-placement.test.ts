/** Where a cluster is published with ZONE_TYPE: placeCluster (pure) and ZoneDirectory.zonesFor / writable. */
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidClusterNameError, NoHostedZoneError } from '../../lib/platform/errors.js';
import { type HostedZone, placeCluster, ZoneDirectory } from '../../lib/registry/zones.js';

const examplePublic: HostedZone = { id: 'Z1EXAMPLE', name: 'example.com.', private: false };
const examplePrivate: HostedZone = { id: 'Z9PRIVATE', name: 'example.com.', private: true };
/** A second private zone of the same name, for another set of VPCs. */
const examplePrivateTwin: HostedZone = { id: 'Z7PRIVATE', name: 'example.com.', private: true };
const subPrivate: HostedZone = { id: 'Z8SUBPRIV', name: 'sub.example.com.', private: true };
const otherPrivate: HostedZone = { id: 'Z6OTHER', name: 'other.org.', private: true };

const cluster = 'mycluster.example.com';
const subCluster = 'mycluster.sub.example.com';

describe('placeCluster', () => {
  it('publishes in the longest matching public zone only with ZONE_TYPE=public', () => {
    // Act
    const placed = placeCluster(cluster, [examplePrivate, examplePublic], { zoneType: 'public' });

    // Assess
    expect(placed).toEqual({ zones: [examplePublic], missing: [] });
  });

  it('publishes in the longest matching private zone with ZONE_TYPE=private, leaving the public one', () => {
    // Act
    const placed = placeCluster(subCluster, [examplePublic, examplePrivate, subPrivate], { zoneType: 'private' });

    // Assess
    expect(placed.zones).toEqual([subPrivate]);
  });

  it('publishes in the public and the private zone of the same name with ZONE_TYPE=both (split view)', () => {
    // Act
    const placed = placeCluster(cluster, [examplePrivate, examplePublic], { zoneType: 'both' });

    // Assess
    expect(placed).toEqual({ zones: [examplePublic, examplePrivate], missing: [] });
  });

  it('picks the longest match on each side apart with ZONE_TYPE=both', () => {
    // Act
    const placed = placeCluster(subCluster, [examplePublic, subPrivate, examplePrivate], { zoneType: 'both' });

    // Assess
    expect(placed.zones).toEqual([examplePublic, subPrivate]);
  });

  it('publishes in every private zone of the longest name, one per set of VPCs', () => {
    // Act
    const placed = placeCluster(cluster, [examplePrivate, examplePrivateTwin], { zoneType: 'private' });

    // Assess
    expect(placed.zones.map((z) => z.id)).toEqual(['Z7PRIVATE', 'Z9PRIVATE']);
  });

  it('lets HOSTED_ZONE_IDS pick among same-named private zones', () => {
    // Act
    const placed = placeCluster(cluster, [examplePrivate, examplePrivateTwin], {
      zoneType: 'private',
      allowed: ['Z9PRIVATE'],
    });

    // Assess
    expect(placed.zones).toEqual([examplePrivate]);
  });

  it('refuses ZONE_TYPE=private when no private zone matches, naming the public ones', () => {
    // Act & Assess
    expect(() => placeCluster(cluster, [examplePublic, otherPrivate], { zoneType: 'private' })).toThrow(
      new NoHostedZoneError(
        cluster,
        'no private hosted zone is a parent of it, only public ones (example.com.); set ZONE_TYPE=public or both to publish there',
      ),
    );
  });

  it('refuses ZONE_TYPE=private when the private zone is not in HOSTED_ZONE_IDS', () => {
    // Act & Assess
    expect(() => placeCluster(cluster, [examplePrivate], { zoneType: 'private', allowed: ['Z1EXAMPLE'] })).toThrow(
      'its private hosted zone example.com. (Z9PRIVATE) is not in HOSTED_ZONE_IDS',
    );
  });

  it('publishes on the side that has a zone with ZONE_TYPE=both, and returns the missing side', () => {
    // Act
    const placed = placeCluster(cluster, [examplePublic], { zoneType: 'both' });

    // Assess
    expect(placed.zones).toEqual([examplePublic]);
    expect(placed.missing).toHaveLength(1);
    expect(placed.missing[0]).toBeInstanceOf(NoHostedZoneError);
    expect(placed.missing[0]?.message).toBe(
      `no usable hosted zone for cluster ${cluster}: no private hosted zone is a parent of it; published on the other side of ZONE_TYPE=both only`,
    );
  });

  it('treats a side outside HOSTED_ZONE_IDS as missing with ZONE_TYPE=both', () => {
    // Act
    const placed = placeCluster(cluster, [examplePublic, examplePrivate], { zoneType: 'both', allowed: ['Z9PRIVATE'] });

    // Assess
    expect(placed.zones).toEqual([examplePrivate]);
    expect(placed.missing[0]?.message).toContain(
      'its public hosted zone example.com. (Z1EXAMPLE) is not in HOSTED_ZONE_IDS',
    );
  });

  it('refuses ZONE_TYPE=both when neither side has a zone, naming both reasons', () => {
    // Act & Assess
    expect(() => placeCluster(cluster, [otherPrivate], { zoneType: 'both' })).toThrow(
      'no public hosted zone in the account is a parent of it; and no private hosted zone in the account is a parent of it',
    );
  });

  it('still refuses twin public zones with ZONE_TYPE=both, publishing the private side', () => {
    // Prepare
    const twin: HostedZone = { ...examplePublic, id: 'Z3TWIN' };

    // Act
    const placed = placeCluster(cluster, [examplePublic, twin, examplePrivate], { zoneType: 'both' });

    // Assess
    expect(placed.zones).toEqual([examplePrivate]);
    expect(placed.missing[0]?.message).toContain('several public hosted zones are named example.com.');
  });

  it('refuses a cluster at the apex of a private zone whatever ZONE_TYPE', () => {
    // Act & Assess
    expect(() => placeCluster('sub.example.com', [examplePrivate, subPrivate], { zoneType: 'private' })).toThrow(
      InvalidClusterNameError,
    );
  });
});

describe('ZoneDirectory with ZONE_TYPE', () => {
  const route53 = mockClient(Route53Client);
  const listing = {
    HostedZones: [
      { Id: '/hostedzone/Z1EXAMPLE', Name: 'example.com.', CallerReference: 'a' },
      { Id: '/hostedzone/Z9PRIVATE', Name: 'example.com.', CallerReference: 'b', Config: { PrivateZone: true } },
      { Id: '/hostedzone/Z2SUB', Name: 'sub.example.com.', CallerReference: 'c' },
    ],
    IsTruncated: false,
  };
  const directory = (options: Partial<ConstructorParameters<typeof ZoneDirectory>[0]> = {}) =>
    new ZoneDirectory({ route53: new Route53Client({}), cacheSeconds: 60, ...options });

  beforeEach(() => {
    route53.reset();
    route53.on(ListHostedZonesCommand).resolves(listing);
  });

  it.each([
    { zoneType: 'public', ids: ['Z1EXAMPLE', 'Z2SUB'] },
    { zoneType: 'private', ids: ['Z9PRIVATE'] },
    { zoneType: 'both', ids: ['Z1EXAMPLE', 'Z9PRIVATE', 'Z2SUB'] },
  ] as const)('writes the zones of ZONE_TYPE=$zoneType', async ({ zoneType, ids }) => {
    // Act
    const writable = await directory({ zoneType }).writable();

    // Assess
    expect(writable.map((z) => z.id)).toEqual(ids);
  });

  it('writes only the allowed zones of the configured kinds', async () => {
    // Act
    const writable = await directory({ zoneType: 'both', allowedZoneIds: ['Z9PRIVATE', 'Z2SUB'] }).writable();

    // Assess
    expect(writable.map((z) => z.id)).toEqual(['Z9PRIVATE', 'Z2SUB']);
  });

  it('finds both zones of a split view', async () => {
    // Act
    const zones = await directory({ zoneType: 'both' }).zonesFor(cluster);

    // Assess
    expect(zones.map((z) => z.id)).toEqual(['Z1EXAMPLE', 'Z9PRIVATE']);
  });

  it('tells onMissingSide of the side of a split view that has no zone', async () => {
    // Prepare
    route53.on(ListHostedZonesCommand).resolves({ ...listing, HostedZones: listing.HostedZones.slice(2) });
    const missing: NoHostedZoneError[] = [];

    // Act
    const zones = await directory({ zoneType: 'both', onMissingSide: (e) => missing.push(e) }).zonesFor(subCluster);

    // Assess
    expect(zones.map((z) => z.id)).toEqual(['Z2SUB']);
    expect(missing.map((e) => e.cluster)).toEqual([subCluster]);
  });

  it('keeps zoneFor for ZONE_TYPE=public: the one public zone', async () => {
    // Act
    const zone = await directory().zoneFor(subCluster);

    // Assess
    expect(zone.id).toBe('Z2SUB');
  });

  it('refuses in zonesFor when ZONE_TYPE=private finds no private zone', async () => {
    // Act & Assess
    await expect(directory({ zoneType: 'private' }).zonesFor('c1.other.org')).rejects.toThrow(NoHostedZoneError);
  });
});
