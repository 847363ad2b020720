/**
 * What the event path reads to find an event's clusters (issue 13): EC2 once for the batch (the tagged instances,
 * which is also the fleet the run plans with), by id only for instances that read does not show; a terminate event
 * finds its cluster there; a tag removal in a warm container finds the cluster it left from what the container saw,
 * checked against that cluster's ownership record; the scan of every ownership record of every zone stays the
 * fallback, done once per zone per invocation at most.
 */

import { describe, expect, it } from 'vitest';
import type { ReconcilerDeps } from '../../lib/controller/deps.js';
import { processEvents } from '../../lib/controller/process-events.js';
import type { RequestContext } from '../../tools/emulator/emulator.js';
import { CLUSTER_TAG } from '../../tools/world/world.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const C1 = 'c1.example.com';
const C2 = 'c2.example.com';
const ips = ['10.0.0.11', '10.0.0.12', '10.0.0.13'];
const [ipA, ipB] = ['10.0.0.11', '10.0.0.12'];

const setup = useWorld();

const send = (deps: ReconcilerDeps, ...events: Record<string, unknown>[]) =>
  processEvents(
    deps,
    events.map((body, i) => ({ id: `e${i}`, body })),
  );

/** The requests the proxy forwards, as (action, what they read), while `act` runs. */
async function requestsDuring(act: () => Promise<unknown>): Promise<RequestContext[]> {
  const seen: RequestContext[] = [];
  setup.world.emulator.proxy.beforeForward = (ctx) => {
    seen.push(ctx);
    return undefined;
  };
  try {
    await act();
  } finally {
    setup.world.emulator.proxy.beforeForward = undefined;
  }
  return seen;
}

/** A ListResourceRecordSets from the zone's first name: a page of a scan of the whole zone. */
const isScan = (ctx: RequestContext) => ctx.action === 'ListResourceRecordSets' && !ctx.query.has('name');
const describes = (requests: RequestContext[]) => requests.filter((r) => r.action === 'DescribeInstances');
const byIdReads = (requests: RequestContext[]) => describes(requests).filter((r) => r.body.includes('instance-id'));

/** Launches and publishes a cluster's members, through the given container; returns their ids. */
async function published(deps: ReconcilerDeps, cluster: string, addresses = ips): Promise<string[]> {
  const ids: string[] = [];
  for (const privateIp of addresses) ids.push(await setup.world.launch({ cluster, privateIp }));
  const result = await send(deps, ...ids.map((id) => setup.world.stateEvent(id, 'running')));
  expect(result.retry).toEqual([]);
  return ids;
}

const slotted = (ids: readonly string[], addresses: readonly string[]) =>
  ids.map((id, i) => [id, addresses[i] ?? ''] as const).sort(([a], [b]) => a.localeCompare(b));

describe('the EC2 reads of a batch', () => {
  it('reads EC2 twice for a batch of tagged instances: the tagged instances, and once more after writing', async () => {
    // Prepare
    const ids: string[] = [];
    for (const privateIp of ips) ids.push(await setup.world.launch({ cluster: C1, privateIp }));

    // Act
    const requests = await requestsDuring(() =>
      send(setup.world.deps(), ...ids.map((id) => setup.world.stateEvent(id, 'running'))),
    );

    // Assess
    expect(describes(requests)).toHaveLength(2);
    expect(byIdReads(requests)).toEqual([]);
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(
      delegation(
        C1,
        slotted(ids, ips).map(([id, ip], i) => [i + 1, id, ip] as const),
      ),
    );
  });

  it('reads by id only the stop and terminate events’ instances the tagged read did not show', async () => {
    // Prepare: a new member, an unrelated instance starting, another unrelated one terminated
    const member = await setup.world.launch({ cluster: C1, privateIp: ipA });
    const starting = await setup.world.launch({ privateIp: ipB });
    const ending = await setup.world.launch({ privateIp: '10.0.0.13' });
    await setup.world.terminate(ending);

    // Act
    const requests = await requestsDuring(() =>
      send(
        setup.world.deps(),
        setup.world.stateEvent(member, 'running'),
        setup.world.stateEvent(starting, 'running'),
        setup.world.stateEvent(ending, 'terminated'),
      ),
    );

    // Assess: the starting one gets its second look in the read after the write (tagged), not by id
    const reads = byIdReads(requests);
    expect(reads).toHaveLength(1);
    expect(reads[0]?.body).toContain(ending);
    expect(reads[0]?.body).not.toContain(starting);
    expect(reads[0]?.body).not.toContain(member);
    expect(describes(requests)).toHaveLength(3);
    expect(requests.filter(isScan)).toEqual([]);
  });

  it('finds a terminated instance’s cluster from its tags in EC2, with no ownership scan', async () => {
    // Prepare
    const deps = setup.world.deps();
    const ids = await published(deps, C1);
    const [leaving, ...staying] = ids;
    if (leaving === undefined) throw new Error('no member');
    await setup.world.terminate(leaving);

    // Act: a cold container, which has seen nothing
    const requests = await requestsDuring(() =>
      send(setup.world.deps(), setup.world.stateEvent(leaving, 'terminated')),
    );

    // Assess
    expect(requests.filter(isScan)).toEqual([]);
    expect(byIdReads(requests)).toEqual([]);
    // Slots were given in instance-id order, and the others keep theirs.
    const slots = slotted(ids, ips).map(([id, ip], i) => [i + 1, id, ip] as const);
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(
      delegation(
        C1,
        slots.filter(([, id]) => staying.includes(id)),
      ).sort(),
    );
  });
});

describe('the cluster an untagged instance left', () => {
  it('is found in a warm container from what it saw, checked in the ownership record, with no scan', async () => {
    // Prepare
    const deps = setup.world.deps();
    const ids = await published(deps, C1);
    const leaving = ids[0] ?? '';
    await setup.world.untag(leaving, CLUSTER_TAG);

    // Act
    const requests = await requestsDuring(() => send(deps, setup.world.tagEvent(leaving, [CLUSTER_TAG], {})));

    // Assess
    expect(requests.filter(isScan)).toEqual([]);
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).not.toContain(expect.stringContaining(leaving));
    expect((await setup.world.records(setup.zoneId)).join('\n')).not.toContain(leaving);
  });

  it('is found by the scan in a cold container, one scan of the zone at most', async () => {
    // Prepare
    const ids = await published(setup.world.deps(), C1);
    const leaving = ids[0] ?? '';
    await setup.world.untag(leaving, CLUSTER_TAG);

    // Act
    const requests = await requestsDuring(() =>
      send(setup.world.deps(), setup.world.tagEvent(leaving, [CLUSTER_TAG], {})),
    );

    // Assess
    expect(requests.filter(isScan)).toHaveLength(1);
    expect((await setup.world.records(setup.zoneId)).join('\n')).not.toContain(leaving);
  });

  it('falls back to the scan when the remembered cluster does not list the instance', async () => {
    // Prepare: the container saw the instance in c2 (it was tagged c2 before anything was published), but it is
    // c1's ownership record that lists it
    const deps = setup.world.deps();
    const mover = await setup.world.launch({ cluster: C2, privateIp: ipA });
    deps.seen?.rememberInstances([{ id: mover, state: 'running', tags: { [CLUSTER_TAG]: C2 } }], deps.config);
    await setup.world.tag(mover, CLUSTER_TAG, C1);
    await send(setup.world.deps(), setup.world.stateEvent(mover, 'running'));
    await setup.world.untag(mover, CLUSTER_TAG);

    // Act
    const requests = await requestsDuring(() => send(deps, setup.world.tagEvent(mover, [CLUSTER_TAG], {})));

    // Assess
    expect(requests.filter(isScan)).toHaveLength(1);
    expect(await setup.world.records(setup.zoneId)).toEqual([]);
  });
});

describe('an invocation’s ownership scans', () => {
  it('scans each zone once, and answers the look for records left in a former zone from that scan', async () => {
    // Prepare: c3 lives in sub.example.com; example.com, above it, is a zone it could have been left in
    const sub = await setup.world.zone('sub.example.com');
    const C3 = 'c3.sub.example.com';
    const ids = await published(setup.world.deps(), C3);
    const leaving = ids[0] ?? '';
    await setup.world.untag(leaving, CLUSTER_TAG);

    // Act: a cold container, so the scan is the way to the cluster the instance left
    const requests = await requestsDuring(() =>
      send(setup.world.deps(), setup.world.tagEvent(leaving, [CLUSTER_TAG], {})),
    );

    // Assess
    const scans = requests.filter(isScan).map((r) => r.path);
    expect(scans.sort()).toEqual(
      [`/2013-04-01/hostedzone/${sub}/rrset`, `/2013-04-01/hostedzone/${setup.zoneId}/rrset`].sort(),
    );
    const readsAbove = requests.filter(
      (r) => r.action === 'ListResourceRecordSets' && r.path.includes(setup.zoneId) && r.query.has('name'),
    );
    expect(readsAbove).toEqual([]);
    expect((await setup.world.records(sub)).join('\n')).not.toContain(leaving);
  });
});
