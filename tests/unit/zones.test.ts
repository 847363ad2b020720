import { ListHostedZonesCommand, type ListHostedZonesCommandOutput, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidClusterNameError, NoHostedZoneError } from '../../lib/platform/errors.js';
import { type HostedZone, pickZone, ZoneDirectory } from '../../lib/registry/zones.js';

const examplePublic: HostedZone = { id: 'Z1EXAMPLE', name: 'example.com.', private: false };
const examplePrivate: HostedZone = { id: 'Z9PRIVATE', name: 'example.com.', private: true };
const subPublic: HostedZone = { id: 'Z2SUB', name: 'sub.example.com.', private: false };
const subPrivate: HostedZone = { id: 'Z8SUBPRIV', name: 'sub.example.com.', private: true };
const exampleTwin: HostedZone = { id: 'Z3TWIN', name: 'example.com.', private: false };
const otherPublic: HostedZone = { id: 'Z4OTHER', name: 'other.org.', private: false };
const lookalikePublic: HostedZone = { id: 'Z5LOOK', name: 'ample.com.', private: false };

describe('pickZone', () => {
  it('picks the parent zone of the cluster', () => {
    // Act
    const zone = pickZone('mycluster.example.com', [otherPublic, examplePublic]);

    // Assess
    expect(zone).toBe(examplePublic);
  });

  it('picks a zone several labels up', () => {
    // Act
    const zone = pickZone('mycluster.eu.prod.example.com', [examplePublic, otherPublic]);

    // Assess
    expect(zone).toBe(examplePublic);
  });

  it('picks the longest suffix when zones are nested', () => {
    // Act
    const zone = pickZone('mycluster.sub.example.com', [examplePublic, subPublic]);

    // Assess
    expect(zone).toBe(subPublic);
  });

  it('picks the shorter zone for a cluster outside the nested one', () => {
    // Act
    const zone = pickZone('mycluster.example.com', [subPublic, examplePublic]);

    // Assess
    expect(zone).toBe(examplePublic);
  });

  it('matches whole labels only, not a zone whose name is merely a string suffix', () => {
    // Act
    const zone = pickZone('mycluster.example.com', [lookalikePublic, examplePublic]);

    // Assess
    expect(zone).toBe(examplePublic);
  });

  it('refuses a cluster at the apex of a zone', () => {
    // Act & Assess
    expect(() => pickZone('sub.example.com', [examplePublic, subPublic])).toThrow(InvalidClusterNameError);
    expect(() => pickZone('sub.example.com', [examplePublic, subPublic])).toThrow(
      /apex of hosted zone sub\.example\.com\./,
    );
  });

  it('refuses a cluster at the apex of a private zone too', () => {
    // Act & Assess
    expect(() => pickZone('sub.example.com', [examplePublic, subPrivate])).toThrow(InvalidClusterNameError);
  });

  it('refuses a cluster above the apex of a zone', () => {
    // Prepare
    const deepPublic: HostedZone = { id: 'Z6DEEP', name: 'eu.mycluster.example.com.', private: false };

    // Act & Assess
    expect(() => pickZone('mycluster.example.com', [examplePublic, deepPublic])).toThrow(InvalidClusterNameError);
    expect(() => pickZone('mycluster.example.com', [examplePublic, deepPublic])).toThrow(
      /above the apex of hosted zone eu\.mycluster\.example\.com\. \(Z6DEEP\)/,
    );
  });

  it('refuses a cluster when only a private zone holds it, saying why', () => {
    // Act & Assess
    expect(() => pickZone('mycluster.example.com', [examplePrivate])).toThrow(NoHostedZoneError);
    expect(() => pickZone('mycluster.example.com', [examplePrivate])).toThrow(/only private hosted zones match/);
  });

  it('prefers the public zone of a split horizon', () => {
    // Act
    const zone = pickZone('mycluster.example.com', [examplePrivate, examplePublic]);

    // Assess
    expect(zone).toBe(examplePublic);
  });

  it('uses the public parent when a longer private zone also matches', () => {
    // Act
    const zone = pickZone('mycluster.sub.example.com', [subPrivate, examplePublic]);

    // Assess
    expect(zone).toBe(examplePublic);
  });

  it('refuses a cluster whose zone is not in the allow-list, naming HOSTED_ZONE_IDS', () => {
    // Act & Assess
    expect(() => pickZone('mycluster.example.com', [examplePublic], ['Z4OTHER'])).toThrow(NoHostedZoneError);
    expect(() => pickZone('mycluster.example.com', [examplePublic], ['Z4OTHER'])).toThrow(
      /hosted zone example\.com\. \(Z1EXAMPLE\) is not in HOSTED_ZONE_IDS/,
    );
  });

  it('does not fall back to a shorter allowed zone when the nearest zone is not allowed', () => {
    // Act & Assess
    expect(() => pickZone('mycluster.sub.example.com', [examplePublic, subPublic], ['Z1EXAMPLE'])).toThrow(
      /sub\.example\.com\. \(Z2SUB\) is not in HOSTED_ZONE_IDS/,
    );
  });

  it('accepts a zone in the allow-list', () => {
    // Act
    const zone = pickZone('mycluster.example.com', [examplePublic, otherPublic], ['Z4OTHER', 'Z1EXAMPLE']);

    // Assess
    expect(zone).toBe(examplePublic);
  });

  it('refuses two public zones of the same name as ambiguous', () => {
    // Act & Assess
    expect(() => pickZone('mycluster.example.com', [examplePublic, exampleTwin])).toThrow(NoHostedZoneError);
    expect(() => pickZone('mycluster.example.com', [examplePublic, exampleTwin])).toThrow(
      /several public hosted zones are named example\.com\. \(Z1EXAMPLE, Z3TWIN\); set HOSTED_ZONE_IDS/,
    );
  });

  it('lets the allow-list choose between two public zones of the same name', () => {
    // Act
    const zone = pickZone('mycluster.example.com', [examplePublic, exampleTwin], ['Z3TWIN']);

    // Assess
    expect(zone).toBe(exampleTwin);
  });

  it('refuses a cluster no zone is a parent of', () => {
    // Act & Assess
    expect(() => pickZone('mycluster.example.net', [examplePublic, otherPublic])).toThrow(NoHostedZoneError);
    expect(() => pickZone('mycluster.example.net', [examplePublic, otherPublic])).toThrow(
      /no hosted zone in the account is a parent of it/,
    );
  });

  it('refuses any cluster when the account has no zones', () => {
    // Act & Assess
    expect(() => pickZone('mycluster.example.com', [])).toThrow(NoHostedZoneError);
  });
});

describe('ZoneDirectory', () => {
  const route53 = mockClient(Route53Client);

  const onePage: ListHostedZonesCommandOutput = {
    $metadata: {},
    HostedZones: [
      { Id: '/hostedzone/Z1EXAMPLE', Name: 'Example.COM.', CallerReference: 'a', Config: { PrivateZone: false } },
      { Id: '/hostedzone/Z9PRIVATE', Name: 'example.com.', CallerReference: 'b', Config: { PrivateZone: true } },
    ],
    IsTruncated: false,
    Marker: '',
    MaxItems: 100,
  };

  /** A clock the test moves by hand. */
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  beforeEach(() => {
    route53.reset();
  });

  it('lists zones with bare ids, canonical names and their privacy', async () => {
    // Prepare
    route53.on(ListHostedZonesCommand).resolves(onePage);
    const zones = new ZoneDirectory({ route53: new Route53Client({}), cacheSeconds: 60 });

    // Act
    const all = await zones.all();

    // Assess
    expect(all).toEqual([
      { id: 'Z1EXAMPLE', name: 'example.com.', private: false },
      { id: 'Z9PRIVATE', name: 'example.com.', private: true },
    ]);
  });

  it('lists the zones once within cacheSeconds', async () => {
    // Prepare
    route53.on(ListHostedZonesCommand).resolves(onePage);
    const time = clock();
    const zones = new ZoneDirectory({ route53: new Route53Client({}), cacheSeconds: 60, now: time.now });

    // Act
    await zones.all();
    time.advance(30_000);
    await zones.zoneFor('mycluster.example.com');
    time.advance(30_000);
    await zones.writable();

    // Assess
    expect(route53).toHaveReceivedCommandTimes(ListHostedZonesCommand, 1);
  });

  it('lists the zones again once cacheSeconds have passed', async () => {
    // Prepare
    route53.on(ListHostedZonesCommand).resolves(onePage);
    const time = clock();
    const zones = new ZoneDirectory({ route53: new Route53Client({}), cacheSeconds: 60, now: time.now });

    // Act
    await zones.all();
    time.advance(60_001);
    await zones.all();

    // Assess
    expect(route53).toHaveReceivedCommandTimes(ListHostedZonesCommand, 2);
  });

  it('shares one listing between concurrent callers', async () => {
    // Prepare
    route53.on(ListHostedZonesCommand).resolves(onePage);
    const zones = new ZoneDirectory({ route53: new Route53Client({}), cacheSeconds: 60 });

    // Act
    await Promise.all([zones.all(), zones.all(), zones.zoneFor('mycluster.example.com')]);

    // Assess
    expect(route53).toHaveReceivedCommandTimes(ListHostedZonesCommand, 1);
  });

  it('pages through the listing with Marker and NextMarker', async () => {
    // Prepare
    route53
      .on(ListHostedZonesCommand)
      .resolvesOnce({
        HostedZones: [{ Id: '/hostedzone/Z1EXAMPLE', Name: 'example.com.', CallerReference: 'a' }],
        IsTruncated: true,
        NextMarker: 'Z2SUB',
      })
      .resolvesOnce({
        HostedZones: [{ Id: '/hostedzone/Z2SUB', Name: 'sub.example.com.', CallerReference: 'b' }],
        IsTruncated: false,
        Marker: 'Z2SUB',
      });
    const zones = new ZoneDirectory({ route53: new Route53Client({}), cacheSeconds: 60 });

    // Act
    const all = await zones.all();

    // Assess
    expect(all.map((z) => z.id)).toEqual(['Z1EXAMPLE', 'Z2SUB']);
    expect(route53).toHaveReceivedCommandTimes(ListHostedZonesCommand, 2);
    expect(route53).toHaveReceivedNthCommandWith(ListHostedZonesCommand, 2, { Marker: 'Z2SUB' });
  });

  it('finds a zone that only the second page holds', async () => {
    // Prepare
    route53
      .on(ListHostedZonesCommand)
      .resolvesOnce({
        HostedZones: [{ Id: '/hostedzone/Z4OTHER', Name: 'other.org.', CallerReference: 'a' }],
        IsTruncated: true,
        NextMarker: 'Z1EXAMPLE',
      })
      .resolvesOnce({
        HostedZones: [{ Id: '/hostedzone/Z1EXAMPLE', Name: 'example.com.', CallerReference: 'b' }],
        IsTruncated: false,
      });
    const zones = new ZoneDirectory({ route53: new Route53Client({}), cacheSeconds: 60 });

    // Act
    const zone = await zones.zoneFor('mycluster.example.com');

    // Assess
    expect(zone).toEqual({ id: 'Z1EXAMPLE', name: 'example.com.', private: false });
  });

  it('does not cache a failed listing', async () => {
    // Prepare
    const throttling = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} });
    route53.on(ListHostedZonesCommand).rejectsOnce(throttling).resolves(onePage);
    const time = clock();
    const zones = new ZoneDirectory({ route53: new Route53Client({}), cacheSeconds: 60, now: time.now });

    // Act
    const first = zones.all();
    await expect(first).rejects.toThrow('Rate exceeded');
    const second = await zones.all();

    // Assess
    expect(second).toHaveLength(2);
    expect(route53).toHaveReceivedCommandTimes(ListHostedZonesCommand, 2);
  });

  it('writes only public zones, and only those in the allow-list', async () => {
    // Prepare
    route53.on(ListHostedZonesCommand).resolves({
      HostedZones: [
        { Id: '/hostedzone/Z1EXAMPLE', Name: 'example.com.', CallerReference: 'a' },
        { Id: '/hostedzone/Z9PRIVATE', Name: 'example.com.', CallerReference: 'b', Config: { PrivateZone: true } },
        { Id: '/hostedzone/Z4OTHER', Name: 'other.org.', CallerReference: 'c' },
      ],
      IsTruncated: false,
    });
    const zones = new ZoneDirectory({
      route53: new Route53Client({}),
      cacheSeconds: 60,
      allowedZoneIds: ['Z1EXAMPLE', 'Z9PRIVATE'],
    });

    // Act
    const writable = await zones.writable();

    // Assess
    expect(writable).toEqual([{ id: 'Z1EXAMPLE', name: 'example.com.', private: false }]);
  });

  it('applies the allow-list when finding a zone', async () => {
    // Prepare
    route53.on(ListHostedZonesCommand).resolves(onePage);
    const zones = new ZoneDirectory({ route53: new Route53Client({}), cacheSeconds: 60, allowedZoneIds: ['Z4OTHER'] });

    // Act & Assess
    await expect(zones.zoneFor('mycluster.example.com')).rejects.toThrow(NoHostedZoneError);
  });
});
