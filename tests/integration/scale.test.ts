/**
 * Size against the emulator: a zone too large for one listing page, and one batch of events for clusters in several
 * zones. A reconcile reads only its cluster's slice of a zone; only the sweep's discovery pages through all of it.
 */
import type { Change, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { processEvents } from '../../lib/controller/process-events.js';
import { sweep } from '../../lib/controller/sweep.js';
import { clients } from '../../tools/emulator/emulator.js';
import { change, changeBatch, records } from '../../tools/world/route53-helpers.js';
import { World } from '../../tools/world/world.js';
import { delegation, type SlotEntry } from '../support/delegation.js';

const C1 = 'c1.example.com';
/** A cluster whose records sort after every other name of the zone: the last listing page. */
const LAST = 'zz.example.com';
const UNRELATED = 1_500;
/** Route 53's largest listing page. */
const PAGE = 300;

/**
 * Names that sort right around c1's in Route 53's order (labels reversed, trailing dot kept: `-` and `0` sort on
 * either side of `.`), where reading one record too few or too many would show.
 */
const neighbours: Change[] = [
  change('CREATE', 'c0.example.com', 'A', 300, ['192.0.2.1']),
  change('CREATE', 'c1-b.example.com', 'NS', 300, ['ns-1.awsdns-01.org.']),
  change('CREATE', 'ns1.c10.example.com', 'A', 300, ['192.0.2.3']),
  change('CREATE', 'd1.example.com', 'A', 300, ['192.0.2.4']),
];

/** 1,500 records that are none of rlec-dns's business, half sorting before c1 and half after. */
function unrelatedRecords(): Change[] {
  const fillers = UNRELATED - neighbours.length;
  const filler = Array.from({ length: fillers }, (_, i) => {
    const name = `${i < fillers / 2 ? 'a' : 'x'}-${String(i).padStart(4, '0')}.example.com`;
    return change('CREATE', name, 'A', 300, [`198.51.100.${i % 250}`]);
  });
  return [...neighbours, ...filler];
}

let world: World;
/**
 * moto itself, behind no proxy: the tests' own reads of a large zone go here, so they cost little and leave the
 * counted calls to the code under test. moto holds the same records; only its listing order differs (sorted below).
 */
let motoRoute53: Route53Client;

beforeAll(async () => {
  world = await World.start();
  motoRoute53 = clients(world.emulator.motoUrl).route53;
});
afterAll(async () => {
  motoRoute53.destroy();
  await world.stop();
});
beforeEach(async () => {
  await world.reset();
});

const send = (...events: Record<string, unknown>[]) =>
  processEvents(
    world.deps(),
    events.map((body, i) => ({ id: `e${i}`, body })),
  );

/**
 * Adds the 1,500 unrelated records to a zone, in batches of 500. Tests publish their clusters before this, while
 * the zone is small: every Route 53 call through the proxy costs in proportion to the zone's size.
 */
async function fill(zoneId: string): Promise<void> {
  const changes = unrelatedRecords();
  for (let i = 0; i < changes.length; i += 500) await changeBatch(world.route53, zoneId, changes.slice(i, i + 500));
}

/** The zone's records (besides its apex) inside and outside a cluster's names, each sorted. */
async function split(zoneId: string, cluster: string): Promise<{ inside: string[]; outside: string[] }> {
  const lines = (await records(motoRoute53, zoneId)).sort();
  const within = (line: string) => {
    const name = line.slice(0, line.indexOf(' '));
    return name === `${cluster}.` || name.endsWith(`.${cluster}.`);
  };
  return { inside: lines.filter(within), outside: lines.filter((line) => !within(line)) };
}

describe('a zone of 1,500 records', () => {
  it('reads only the cluster’s own records, in one call, and writes them right', async () => {
    // Prepare
    const zoneId = await world.zone('example.com');
    const ids: string[] = [];
    for (const ip of ['10.0.0.11', '10.0.0.12']) ids.push(await world.launch({ cluster: C1, privateIp: ip }));
    await send(...ids.map((id) => world.stateEvent(id, 'running')));
    await fill(zoneId);
    const newcomer = await world.launch({ cluster: C1, privateIp: '10.0.0.13' });
    const { outside: othersBefore } = await split(zoneId, C1);
    world.emulator.proxy.resetCounts();

    // Act
    const result = await send(world.stateEvent(newcomer, 'running'));

    // Assess
    expect(result.retry).toEqual([]);
    expect(world.emulator.proxy.count('ListResourceRecordSets')).toBe(1);
    const ipOf = new Map([
      [ids[0], '10.0.0.11'],
      [ids[1], '10.0.0.12'],
    ]);
    const [s1, s2] = [...ids].sort() as [string, string];
    const members: SlotEntry[] = [
      [1, s1, ipOf.get(s1) ?? ''],
      [2, s2, ipOf.get(s2) ?? ''],
      [3, newcomer, '10.0.0.13'],
    ];
    const after = await split(zoneId, C1);
    expect(after.inside).toEqual(delegation(C1, members));
    expect(othersBefore).toHaveLength(UNRELATED);
    expect(after.outside).toEqual(othersBefore);
  });

  it('is paged through by the sweep’s discovery, which finds an owned cluster on the last page', async () => {
    // Prepare
    const zoneId = await world.zone('example.com');
    const gone = await world.launch({ cluster: LAST, privateIp: '10.0.0.31' });
    await send(world.stateEvent(gone, 'running'));
    await fill(zoneId);
    expect((await split(zoneId, LAST)).inside).toEqual(delegation(LAST, [[1, gone, '10.0.0.31']]));
    await world.terminate(gone);
    world.emulator.proxy.resetCounts();

    // Act
    const outcomes = await sweep(world.deps());

    // Assess
    const zoneSize = UNRELATED + 2 /* apex NS, SOA */ + 3; /* zz */
    expect(world.emulator.proxy.count('ListResourceRecordSets')).toBeGreaterThanOrEqual(Math.ceil(zoneSize / PAGE));
    expect([...outcomes.keys()]).toEqual([LAST]);
    expect(outcomes.get(LAST)?.status).toBe('changed');
    const after = await split(zoneId, LAST);
    expect(after.inside).toEqual([]);
    expect(after.outside).toHaveLength(UNRELATED);
  });
});

describe('a scale-out', () => {
  it('publishes every node whose events arrive in concurrent invocations, each with its own number', async () => {
    // Prepare
    const zoneId = await world.zone('example.com');
    const ips = ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14', '10.0.0.15'];

    // Act: each node is launched and its event handled while the others are
    const nodes = await Promise.all(
      ips.map(async (ip) => {
        const id = await world.launch({ cluster: C1, privateIp: ip });
        const result = await send(world.stateEvent(id, 'running'));
        return { id, ip, retry: result.retry };
      }),
    );

    // Assess: the slots come from the ownership record; everything else must match them
    expect(nodes.flatMap((n) => n.retry)).toEqual([]);
    const lines = (await records(motoRoute53, zoneId)).sort();
    const ownership = lines.find((line) => line.startsWith(`_rlec-dns.${C1}.`)) ?? '';
    const slotOf = new Map([...ownership.matchAll(/"ns(\d+)=(i-[0-9a-f]+)"/g)].map((m) => [m[2], Number(m[1])]));
    expect([...slotOf.values()].sort()).toEqual([1, 2, 3, 4, 5]);
    const members = nodes.map((n): SlotEntry => [slotOf.get(n.id) ?? 0, n.id, n.ip]);
    expect(lines).toEqual(delegation(C1, members));
  });
});

describe('one batch for clusters in several zones', () => {
  it('puts each cluster in the zone of its longest suffix, with one change batch per zone', async () => {
    // Prepare
    const exampleCom = await world.zone('example.com');
    const exampleOrg = await world.zone('example.org');
    const subExampleCom = await world.zone('sub.example.com');
    const layout: [cluster: string, ip: string][] = [
      ['c1.example.com', '10.0.1.11'],
      ['c1.example.com', '10.0.1.12'],
      ['c4.example.com', '10.0.4.11'],
      ['c2.example.org', '10.0.2.11'],
      ['c2.example.org', '10.0.2.12'],
      ['c3.sub.example.com', '10.0.3.11'],
    ];
    const nodes: { cluster: string; id: string; ip: string }[] = [];
    for (const [cluster, ip] of layout) nodes.push({ cluster, id: await world.launch({ cluster, privateIp: ip }), ip });
    world.emulator.proxy.resetCounts();
    const requestsTo = new Map<string, number>();
    world.emulator.proxy.beforeForward = (ctx) => {
      const zoneId = /\/hostedzone\/([^/]+)\/rrset/.exec(ctx.path)?.[1] ?? '';
      if (ctx.action === 'ChangeResourceRecordSets') requestsTo.set(zoneId, (requestsTo.get(zoneId) ?? 0) + 1);
      return undefined;
    };

    // Act
    const result = await send(...nodes.map((n) => world.stateEvent(n.id, 'running')));

    // Assess: c1 and c4 share example.com, and go in one request
    expect(result.retry).toEqual([]);
    expect(world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(3);
    expect(Object.fromEntries(requestsTo)).toEqual({ [exampleCom]: 1, [exampleOrg]: 1, [subExampleCom]: 1 });
    const expectedOf = (cluster: string) => {
      const members = nodes.filter((n) => n.cluster === cluster).sort((a, b) => a.id.localeCompare(b.id));
      return delegation(
        cluster,
        members.map((n, i): SlotEntry => [i + 1, n.id, n.ip]),
      );
    };
    const sorted = async (zoneId: string) => (await world.records(zoneId)).sort();
    expect(await sorted(exampleCom)).toEqual([...expectedOf('c1.example.com'), ...expectedOf('c4.example.com')].sort());
    expect(await sorted(exampleOrg)).toEqual(expectedOf('c2.example.org'));
    expect(await sorted(subExampleCom)).toEqual(expectedOf('c3.sub.example.com'));
  });
});
