/**
 * One entry point for every caller: what `rlec-dns plan` shows is exactly what the next sweep writes, also when a
 * more specific hosted zone appeared since the cluster was published (its records move, and what was left in the
 * former zone goes); and `rlec-dns sync` does all of it, so `plan` afterwards is in step and the former zone empty.
 */
import { describe, expect, it } from 'vitest';
import { writesOf } from '../../lib/controller/outcomes.js';
import { sweep } from '../../lib/controller/sweep.js';
import { delegation } from '../support/delegation.js';
import { runCli, useCliWorld } from './support/cli.js';

const setup = useCliWorld();
const C3 = 'c3.sub.example.com';
const nodeIp = '10.0.3.31';

interface Write {
  zone: { id: string };
  changes: { action: string; name: string; type: string; ttl: number; values: string[] }[];
}

/** A write as a comparable line: zone, action and record. */
const lines = (writes: readonly Write[]) =>
  writes
    .flatMap((w) => w.changes.map((c) => `${w.zone.id} ${c.action} ${c.name} ${c.type} ${c.ttl} ${c.values.join(' ')}`))
    .sort();

/** c3 published in example.com by a sweep, then the zone sub.example.com created; returns the sub-zone's id. */
async function publishedBeforeSubZone(): Promise<{ node: string; subZoneId: string }> {
  const node = await setup.world.launch({ cluster: C3, privateIp: nodeIp });
  await sweep(setup.world.deps());
  expect(await setup.world.clusterRecords(setup.zoneId, C3)).toEqual(delegation(C3, [[1, node, nodeIp]]));
  return { node, subZoneId: await setup.world.zone('sub.example.com') };
}

describe('plan and the next sweep', () => {
  it('agree change for change when the cluster moves to a more specific zone', async () => {
    // Prepare
    const { subZoneId } = await publishedBeforeSubZone();

    // Act
    const plan = await runCli(['plan', '--json']);
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(plan.code).toBe(2);
    const planned = (JSON.parse(plan.stdout) as { clusters: { cluster: string; writes: Write[] }[] }).clusters;
    const swept = [...outcomes.values()]
      .flatMap((o) => writesOf(o))
      .map((w) => ({
        zone: { id: w.zone.id },
        changes: w.changes.map((c) => ({ action: c.action, ...c.record, values: [...c.record.values] })),
      }));
    expect(lines(planned.flatMap((c) => c.writes))).toEqual(lines(swept));
    // The plan names both zones: the new one gets the delegation, the former one loses NS, TXT and A.
    const zones = new Set(planned.flatMap((c) => c.writes.map((w) => w.zone.id)));
    expect(zones).toEqual(new Set([subZoneId, setup.zoneId]));
    expect(lines(planned.flatMap((c) => c.writes)).filter((l) => l.startsWith(`${setup.zoneId} DELETE`))).toHaveLength(
      3,
    );
  });

  it('sync moves the cluster, after which plan is in step and the former zone holds nothing of it', async () => {
    // Prepare
    const { node, subZoneId } = await publishedBeforeSubZone();

    // Act
    const sync = await runCli(['sync', '--no-wait']);
    const plan = await runCli(['plan']);

    // Assess
    expect(sync.code).toBe(0);
    expect(plan.code).toBe(0);
    expect(await setup.world.clusterRecords(setup.zoneId, C3)).toEqual([]);
    expect((await setup.world.records(subZoneId)).sort()).toEqual(delegation(C3, [[1, node, nodeIp]]));
  });

  it('plan --cluster shows the former zone’s clean-up too, as the event path now does it', async () => {
    // Prepare
    await publishedBeforeSubZone();

    // Act
    const plan = await runCli(['plan', '--json', '--cluster', C3]);

    // Assess
    const [cluster] = (JSON.parse(plan.stdout) as { clusters: { writes: Write[] }[] }).clusters;
    expect(new Set(cluster?.writes.map((w) => w.zone.id))).toContain(setup.zoneId);
  });
});
