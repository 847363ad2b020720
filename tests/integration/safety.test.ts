/**
 * What rlec-dns must never do, against the emulator with the real SDK clients: touch a record it did not create,
 * touch another deployment's cluster, write anything for a hostile tag value or a private zone, or let one bad
 * event or cluster stop the others in its batch.
 */
import { CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateHostedZoneCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import type { ReconcilerDeps } from '../../lib/controller/deps.js';
import { processEvents } from '../../lib/controller/process-events.js';
import { sweep } from '../../lib/controller/sweep.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { aliasChange, change, changeBatch, listAll, weightedChange } from '../../tools/world/route53-helpers.js';
import { Wiretap } from '../support/concurrency.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const C1 = 'c1.example.com';
const C2 = 'c2.example.com';
const nodeIp = '10.0.0.11';
const goodNodeIp = '10.0.0.21';

const setup = useWorld();

const send = (deps: ReconcilerDeps, ...events: Record<string, unknown>[]) =>
  processEvents(
    deps,
    events.map((body, i) => ({ id: `e${i}`, body })),
  );

/** Every record set at or below a cluster's name exactly as Route 53 returns it, for byte-for-byte comparison. */
async function rawRecords(zone: string, cluster: string): Promise<ResourceRecordSet[]> {
  const within = (name = '') => name === `${cluster}.` || name.endsWith(`.${cluster}.`);
  return (await listAll(setup.world.route53, zone)).filter((set) => within(set.Name));
}

const errorsAbout = (cluster: string) =>
  setup.world.telemetry.lines.filter((l) => l.level === 'error' && l.attributes.cluster === cluster);

/** A public-zone delegation someone else made for c1 (e.g. to an Amazon-hosted subzone). */
const foreignNsRecord = change('CREATE', C1, 'NS', 300, ['ns-7.awsdns-07.com.', 'ns-8.awsdns-08.co.uk.']);
/** A glue record made by hand at the name rlec-dns would give c1's first node. */
const handMadeGlue = change('CREATE', `ns1.${C1}`, 'A', 300, ['192.0.2.50']);

interface ForeignCase {
  readonly label: string;
  /** Puts the foreign record in place; returns it as the refusal must name it. */
  readonly prepare: () => Promise<string>;
}

/** Publishes c1 with one node of ours (slot 1), then puts `replacement` in place of its glue, as someone might. */
async function replaceOurGlue(replacement: (zoneId: string) => ReturnType<typeof change>): Promise<void> {
  const ourNode = await setup.world.launch({ cluster: C1, privateIp: '10.0.9.8' });
  await send(setup.world.deps(), setup.world.stateEvent(ourNode, 'running'));
  await changeBatch(setup.world.route53, setup.zoneId, [
    change('CREATE', 'www.example.com', 'A', 300, ['192.0.2.80']),
    change('DELETE', `ns1.${C1}`, 'A', 60, ['10.0.9.8']),
    replacement(setup.zoneId),
  ]);
}

const foreignCases: ForeignCase[] = [
  {
    label: 'an NS record at the cluster name managed by someone else',
    prepare: async () => {
      await changeBatch(setup.world.route53, setup.zoneId, [foreignNsRecord]);
      return `${C1}. 300 NS ns-7.awsdns-07.com. ns-8.awsdns-08.co.uk.`;
    },
  },
  {
    label: 'an A record at ns1.<cluster> made by hand',
    prepare: async () => {
      await changeBatch(setup.world.route53, setup.zoneId, [handMadeGlue]);
      return `ns1.${C1}. 300 A 192.0.2.50`;
    },
  },
  {
    label: 'an ownership record of another owner id',
    prepare: async () => {
      const theirNode = await setup.world.launch({ cluster: C1, privateIp: '10.0.9.9' });
      await send(setup.world.deps({ OWNER_ID: 'other' }), setup.world.stateEvent(theirNode, 'running'));
      return `_rlec-dns.${C1}. 60 TXT "heritage=rlec-dns,owner=other,account=123456789012,region=us-east-1" "ns1=${theirNode}"`;
    },
  },
  {
    label: 'an alias record at a slot our ownership record lists (never sent as a DELETE)',
    prepare: async () => {
      await replaceOurGlue((zoneId) => aliasChange('CREATE', `ns1.${C1}`, zoneId, 'www.example.com'));
      // moto returns the alias target without its trailing dot (Route 53 keeps it)
      return `ns1.${C1}. 0 A ALIAS www.example.com`;
    },
  },
  {
    label: 'a weighted record at a slot our ownership record lists',
    prepare: async () => {
      await replaceOurGlue(() => weightedChange('CREATE', `ns1.${C1}`, 'blue', ['192.0.2.81']));
      return `ns1.${C1}. 60 A (set blue) 192.0.2.81`;
    },
  },
];

describe('foreign records at a cluster’s names', () => {
  for (const { label, prepare } of foreignCases) {
    it(`refuses a cluster with ${label}, leaves it as it was, and reconciles the other cluster`, async () => {
      // Prepare
      const foreignRecord = await prepare();
      const before = await rawRecords(setup.zoneId, C1);
      setup.world.telemetry.clear();
      const wiretap = new Wiretap();
      wiretap.install(setup.world);
      const nodeC1 = await setup.world.launch({ cluster: C1, privateIp: nodeIp });
      const nodeC2 = await setup.world.launch({ cluster: C2, privateIp: goodNodeIp });

      // Act
      const result = await send(
        setup.world.deps(),
        setup.world.stateEvent(nodeC1, 'running'),
        setup.world.stateEvent(nodeC2, 'running'),
      );

      // Assess
      expect(result.retry).toEqual([]);
      expect(result.outcomes.get(C1)?.status).toBe('refused');
      const [refusal] = errorsAbout(C1);
      expect(refusal?.message).toContain(C1);
      expect(refusal?.message).toContain(foreignRecord);
      expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(1);
      expect(await rawRecords(setup.zoneId, C1)).toEqual(before);
      expect(wiretap.project(C1)).toEqual([]);
      expect(await setup.world.clusterRecords(setup.zoneId, C2)).toEqual(delegation(C2, [[1, nodeC2, goodNodeIp]]));
    });
  }

  it('refuses a cluster named like another cluster’s name server, and leaves that cluster as it was', async () => {
    // Prepare
    const nodeC1 = await setup.world.launch({ cluster: C1, privateIp: nodeIp });
    await send(setup.world.deps(), setup.world.stateEvent(nodeC1, 'running'));
    const before = await rawRecords(setup.zoneId, C1);
    const nestedName = `ns1.${C1}`;
    const squatter = await setup.world.launch({ cluster: nestedName, privateIp: goodNodeIp });

    // Act
    const result = await send(setup.world.deps(), setup.world.stateEvent(squatter, 'running'));

    // Assess
    expect(result.outcomes.get(nestedName)?.status).toBe('refused');
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(1);
    expect(await rawRecords(setup.zoneId, C1)).toEqual(before);
  });
});

describe('two deployments in one zone', () => {
  const teamATag = 'rlec:cluster';
  const teamBTag = 'team-b:cluster';
  const clusterA = 'ca.example.com';
  const clusterB = 'cb.example.com';

  it('never touch each other’s clusters, through events or sweeps', async () => {
    // Prepare
    const teamA = setup.world.deps({ OWNER_ID: 'team-a', CLUSTER_TAG_KEY: teamATag });
    const teamB = setup.world.deps({ OWNER_ID: 'team-b', CLUSTER_TAG_KEY: teamBTag });
    const nodeA = await setup.world.launch({ tags: { [teamATag]: clusterA }, privateIp: nodeIp });
    const nodeB = await setup.world.launch({ tags: { [teamBTag]: clusterB }, privateIp: goodNodeIp });
    const launched = [setup.world.stateEvent(nodeA, 'running'), setup.world.stateEvent(nodeB, 'running')];
    await send(teamA, ...launched);
    await send(teamB, ...launched);
    const bothPublished = [
      ...delegation(clusterA, [[1, nodeA, nodeIp]], 'team-a'),
      ...delegation(clusterB, [[1, nodeB, goodNodeIp]], 'team-b'),
    ].sort();
    const clusterBBefore = await rawRecords(setup.zoneId, clusterB);

    // Act: A's node goes; B hears of it first and sweeps, then A does
    await setup.world.terminate(nodeA);
    const terminated = setup.world.stateEvent(nodeA, 'terminated');
    await send(teamB, terminated);
    const teamBSweep = await sweep(teamB);
    const afterTeamB = (await setup.world.records(setup.zoneId)).sort();
    await send(teamA, terminated);
    await sweep(teamA);

    // Assess
    expect(afterTeamB).toEqual(bothPublished);
    expect([...teamBSweep.keys()]).toEqual([clusterB]);
    expect(await setup.world.clusterRecords(setup.zoneId, clusterA)).toEqual([]);
    expect(await rawRecords(setup.zoneId, clusterB)).toEqual(clusterBBefore);
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(0);
  });

  it('refuses, and leaves alone, a cluster that another deployment with the same tag key owns', async () => {
    // Prepare
    const teamA = setup.world.deps({ OWNER_ID: 'team-a' });
    const teamB = setup.world.deps({ OWNER_ID: 'team-b' });
    const nodeA = await setup.world.launch({ cluster: C1, privateIp: nodeIp });
    await send(teamA, setup.world.stateEvent(nodeA, 'running'));
    const before = await rawRecords(setup.zoneId, C1);
    setup.world.emulator.proxy.resetCounts();

    // Act
    const viaEvent = await send(teamB, setup.world.stateEvent(nodeA, 'running'));
    const viaSweep = await sweep(teamB);

    // Assess
    expect(viaEvent.outcomes.get(C1)?.status).toBe('refused');
    expect(viaSweep.get(C1)?.status).toBe('refused');
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(await rawRecords(setup.zoneId, C1)).toEqual(before);
  });
});

interface HostileCase {
  readonly label: string;
  readonly value: string;
}

/** A name of valid labels, 63 + 1 + 63 + 1 + 63 + 1 + 50 + 12 = 254 characters: one more than DNS allows. */
const name254 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}.example.com`;
/** 244 characters: a valid name, but `_rlec-dns.<cluster>` would be 254. */
const name244 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(40)}.example.com`;

/** Values the tag parser refuses (TagsRefused). */
const refusedAtParse: HostileCase[] = [
  { label: 'a top-level domain', value: 'com' },
  { label: 'a wildcard', value: '*.example.com' },
  { label: 'an empty label', value: 'a..example.com' },
  { label: 'a leading hyphen', value: '-bad.example.com' },
  { label: 'a 64-character label', value: `${'a'.repeat(64)}.example.com` },
  { label: 'a 254-character name', value: name254 },
  { label: 'a 244-character name, with no room left for its ownership record', value: name244 },
  { label: 'a space', value: 'my cluster.example.com' },
  { label: 'a slash', value: 'c1/blue.example.com' },
  { label: 'an underscore', value: 'c_1.example.com' },
  { label: 'a non-ASCII name', value: 'bücher.example.com' },
  { label: 'an empty value', value: '' },
];

/** Valid names that no usable zone can hold (ClustersRefused). */
const refusedForZone: HostileCase[] = [
  { label: 'the apex of a zone', value: 'example.com' },
  { label: 'a name in no hosted zone', value: 'c1.example.net' },
];

/** Launches one instance tagged with each value and one of the valid cluster C2; returns them and their events. */
async function launchBesideValid(values: readonly { label: string; value: string }[]) {
  const hostile: { label: string; value: string; id: string }[] = [];
  for (const { label, value } of values) {
    hostile.push({ label, value, id: await setup.world.launch({ cluster: value, privateIp: nodeIp }) });
  }
  const good = await setup.world.launch({ cluster: C2, privateIp: goodNodeIp });
  const events = [
    ...hostile.map((h) => setup.world.stateEvent(h.id, 'running')),
    setup.world.stateEvent(good, 'running'),
  ];
  return { hostile, good, events };
}

describe('hostile tag values', () => {
  // Every hostile value goes in one batch beside a valid cluster: each must be refused on its own, and the batch
  // must still serve the valid cluster.
  it('refuses each value the parser rejects, naming instance and value, and serves the valid cluster', async () => {
    // Prepare
    const { hostile, good, events } = await launchBesideValid(refusedAtParse);

    // Act
    const result = await send(setup.world.deps(), ...events);

    // Assess
    expect(result.retry).toEqual([]);
    for (const { label, value, id } of hostile) {
      const refusals = setup.world.telemetry.lines.filter((l) => l.level === 'error' && l.attributes.instanceId === id);
      expect(refusals, label).toHaveLength(1);
      expect(refusals[0]?.message, label).toContain(id);
      expect(refusals[0]?.message, label).toContain(JSON.stringify(value));
    }
    expect(setup.world.telemetry.count(METRIC.tagsRefused)).toBe(refusedAtParse.length);
    expect([...result.outcomes.keys()]).toEqual([C2]);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(1);
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(delegation(C2, [[1, good, goodNodeIp]]));
  });

  it('refuses each valid name that no zone may hold, naming instance and value, and serves the valid cluster', async () => {
    // Prepare
    const { hostile, good, events } = await launchBesideValid(refusedForZone);

    // Act
    const result = await send(setup.world.deps(), ...events);

    // Assess
    expect(result.retry).toEqual([]);
    for (const { label, value, id } of hostile) {
      expect(result.outcomes.get(value)?.status, label).toBe('refused');
      const [refusal] = errorsAbout(value);
      expect(refusal?.message, label).toContain(value);
      expect(refusal?.message, label).toContain(id);
    }
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(refusedForZone.length);
    expect(result.outcomes.get(C2)?.status).toBe('changed');
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(1);
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(delegation(C2, [[1, good, goodNodeIp]]));
  });

  it('refuses a cluster whose zone is outside HOSTED_ZONE_IDS, naming the instance, and serves the allowed zone', async () => {
    // Prepare
    const otherZoneId = await setup.world.zone('example.org');
    const outside = 'c9.example.org';
    const hostile = await setup.world.launch({ cluster: outside, privateIp: nodeIp });
    const good = await setup.world.launch({ cluster: C2, privateIp: goodNodeIp });
    const deps = setup.world.deps({ HOSTED_ZONE_IDS: setup.zoneId });

    // Act
    const result = await send(
      deps,
      setup.world.stateEvent(hostile, 'running'),
      setup.world.stateEvent(good, 'running'),
    );

    // Assess
    expect(result.retry).toEqual([]);
    expect(result.outcomes.get(outside)?.status).toBe('refused');
    const [refusal] = errorsAbout(outside);
    expect(refusal?.message).toContain(outside);
    expect(refusal?.message).toContain(hostile);
    expect(refusal?.message).toContain('HOSTED_ZONE_IDS');
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(1);
    expect(await setup.world.records(otherZoneId)).toEqual([]);
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(delegation(C2, [[1, good, goodNodeIp]]));
  });
});

describe('malformed events', () => {
  it('logs, counts and drops each malformed event of a batch, and processes the good one', async () => {
    // Prepare
    const good = await setup.world.launch({ cluster: C1, privateIp: nodeIp });
    const { detail: _detail, ...withoutDetail } = setup.world.stateEvent(good, 'running');
    const malformed = {
      invalidJson: '{"source": "aws.ec2", "detail": ',
      missingDetail: JSON.stringify(withoutDetail),
      // No source at all: not an EventBridge event (one from another source is not for us: tests/faults/hostile).
      missingSource: JSON.stringify({ ...setup.world.stateEvent(good, 'running'), source: undefined }),
      badInstanceId: JSON.stringify(setup.world.stateEvent('i-NOT-AN-ID', 'running')),
    };
    const items = [
      ...Object.entries(malformed).map(([id, body]) => ({ id, body })),
      { id: 'good', body: JSON.stringify(setup.world.stateEvent(good, 'running')) },
    ];

    // Act
    const result = await processEvents(setup.world.deps(), items);

    // Assess
    expect(result.retry).toEqual([]);
    expect(setup.world.telemetry.count(METRIC.malformedEvents)).toBe(4);
    const logged = setup.world.telemetry.lines.filter((l) => l.level === 'error').map((l) => l.attributes.messageId);
    expect(logged.sort()).toEqual(Object.keys(malformed).sort());
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(delegation(C1, [[1, good, nodeIp]]));
  });
});

describe('private hosted zones', () => {
  async function privateZone(name: string): Promise<string> {
    const { Vpc } = await setup.world.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const { HostedZone } = await setup.world.route53.send(
      new CreateHostedZoneCommand({
        Name: name,
        CallerReference: `private-${name}-${Math.random()}`,
        HostedZoneConfig: { PrivateZone: true },
        VPC: { VPCRegion: 'us-east-1', VPCId: Vpc?.VpcId },
      }),
    );
    if (HostedZone?.Id === undefined) throw new Error('CreateHostedZone returned no Id');
    return HostedZone.Id.replace('/hostedzone/', '');
  }

  it('refuses a cluster whose only zone is private, saying why', async () => {
    // Prepare: no public zone at all, only a private one
    await setup.world.reset();
    const privateZoneId = await privateZone('example.com');
    const node = await setup.world.launch({ cluster: C1, privateIp: nodeIp });

    // Act
    const result = await send(setup.world.deps(), setup.world.stateEvent(node, 'running'));

    // Assess
    expect(result.retry).toEqual([]);
    expect(result.outcomes.get(C1)?.status).toBe('refused');
    const [refusal] = errorsAbout(C1);
    expect(refusal?.message).toContain('only private hosted zones match');
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(1);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(await setup.world.records(privateZoneId)).toEqual([]);
  });

  it('uses the public zone of a split-horizon pair', async () => {
    // Prepare: the public example.com from beforeEach, and a private one of the same name
    const privateZoneId = await privateZone('example.com');
    const node = await setup.world.launch({ cluster: C1, privateIp: nodeIp });

    // Act
    const result = await send(setup.world.deps(), setup.world.stateEvent(node, 'running'));

    // Assess
    expect(result.retry).toEqual([]);
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(delegation(C1, [[1, node, nodeIp]]));
    expect(await setup.world.records(privateZoneId)).toEqual([]);
  });
});
