/**
 * Delegations DNS would hide (issue 9 §2, §3), against the emulator: a cluster below another delegation (ours or
 * someone else's) is refused before anything is written, naming the delegation that hides it; a cluster created
 * above a working one is refused, and the working one keeps following EC2; a tag holding another cluster's own name
 * (`ns4.c1.example.com`) never freezes that cluster.
 */
import { describe, expect, it } from 'vitest';
import { clusterStatus } from '../../cli/status-view.js';
import type { ReconcilerDeps } from '../../lib/controller/deps.js';
import { processEvents } from '../../lib/controller/process-events.js';
import { sweep } from '../../lib/controller/sweep.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { change, changeBatch } from '../../tools/world/route53-helpers.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const C1 = 'c1.example.com';
const NESTED = 'a.c1.example.com';
const UNDER_SUB = 'c2.sub.example.com';
/** Someone else's delegation of sub.example.com, to another provider. */
const subDelegation = change('CREATE', 'sub.example.com', 'NS', 300, ['ns1.other-dns.example.net.']);

const setup = useWorld();

const send = (deps: ReconcilerDeps, ...events: Record<string, unknown>[]) =>
  processEvents(
    deps,
    events.map((body, i) => ({ id: `e${i}`, body })),
  );

const refusalOf = (cluster: string) =>
  setup.world.telemetry.lines.find((l) => l.level === 'error' && l.attributes.cluster === cluster)?.message ?? '';

const ips = new Map<string, string>();
const ipOfFirst = (id: string) => ips.get(id) ?? '';

/** c1 with two members, published. Returns the member ids in slot order. */
async function publishedC1(): Promise<[string, string]> {
  const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
  const b = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.12' });
  ips.set(a, '10.0.0.11');
  ips.set(b, '10.0.0.12');
  await send(setup.world.deps(), setup.world.stateEvent(a, 'running'), setup.world.stateEvent(b, 'running'));
  setup.world.telemetry.clear();
  return [a, b].sort() as [string, string];
}

describe('a cluster below another delegation', () => {
  it('is refused when it lies below a cluster of ours, naming that delegation, and nothing is written', async () => {
    // Prepare
    await publishedC1();
    const before = await setup.world.records(setup.zoneId);
    const node = await setup.world.launch({ cluster: NESTED, privateIp: '10.0.5.1' });

    // Act
    const result = await send(setup.world.deps(), setup.world.stateEvent(node, 'running'));

    // Assess
    expect(result.outcomes.get(NESTED)?.status).toBe('refused');
    expect(result.retry).toEqual([]);
    expect(refusalOf(NESTED)).toContain(`it lies below cluster ${C1}`);
    expect(await setup.world.records(setup.zoneId)).toEqual(before);
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(1);
  });

  it('is refused when the zone delegates a name above it elsewhere, naming that NS record, at one read per name', async () => {
    // Prepare
    await changeBatch(setup.world.route53, setup.zoneId, [subDelegation]);
    const before = await setup.world.records(setup.zoneId);
    const node = await setup.world.launch({ cluster: UNDER_SUB, privateIp: '10.0.6.1' });
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await send(setup.world.deps(), setup.world.stateEvent(node, 'running'));
    const listings = setup.world.emulator.proxy.count('ListResourceRecordSets');

    // Assess
    expect(result.outcomes.get(UNDER_SUB)?.status).toBe('refused');
    expect(refusalOf(UNDER_SUB)).toContain(
      'it lies below the delegation sub.example.com. 300 NS ns1.other-dns.example.net.',
    );
    expect(await setup.world.records(setup.zoneId)).toEqual(before);
    // One read of the cluster's own names, one one-record read for sub.example.com.
    expect(listings).toBe(2);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
  });

  it('is published when nothing above it is delegated, after one read per name between the apex and it', async () => {
    // Prepare
    const node = await setup.world.launch({ cluster: UNDER_SUB, privateIp: '10.0.6.1' });
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await send(setup.world.deps(), setup.world.stateEvent(node, 'running'));
    const listings = setup.world.emulator.proxy.count('ListResourceRecordSets');

    // Assess
    expect(result.outcomes.get(UNDER_SUB)?.status).toBe('changed');
    expect(await setup.world.clusterRecords(setup.zoneId, UNDER_SUB)).toEqual(
      delegation(UNDER_SUB, [[1, node, '10.0.6.1']]),
    );
    expect(listings).toBe(2);
  });

  it('costs no ancestor read for a cluster directly below the zone apex', async () => {
    // Prepare
    const node = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    setup.world.emulator.proxy.resetCounts();

    // Act
    await send(setup.world.deps(), setup.world.stateEvent(node, 'running'));

    // Assess
    expect(setup.world.emulator.proxy.count('ListResourceRecordSets')).toBe(1);
  });

  it('is refused by the sweep, changing nothing, when the hiding delegation appears after it was published', async () => {
    // Prepare
    const node = await setup.world.launch({ cluster: UNDER_SUB, privateIp: '10.0.6.1' });
    await sweep(setup.world.deps());
    await changeBatch(setup.world.route53, setup.zoneId, [subDelegation]);
    const before = await setup.world.records(setup.zoneId);
    await setup.world.launch({ cluster: UNDER_SUB, privateIp: '10.0.6.2' });

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get(UNDER_SUB)?.status).toBe('refused');
    expect(refusalOf(UNDER_SUB)).toContain('sub.example.com.');
    expect(await setup.world.records(setup.zoneId)).toEqual(before);
    expect(before.join('\n')).toContain(node);
  });

  it('is shown refused by status, naming the delegation', async () => {
    // Prepare
    await changeBatch(setup.world.route53, setup.zoneId, [subDelegation]);
    await setup.world.launch({ cluster: UNDER_SUB, privateIp: '10.0.6.1' });

    // Act
    const report = await clusterStatus(setup.world.deps(), [UNDER_SUB]);

    // Assess
    expect(report.clusters[0]?.state).toBe('refused');
    expect(String(report.clusters[0]?.error)).toContain('sub.example.com.');
  });
});

describe('a cluster created above a working one', () => {
  it('is refused, and the working one below keeps following EC2', async () => {
    // Prepare: a.c1 works; then someone tags an instance with c1
    const launched = [
      await setup.world.launch({ cluster: NESTED, privateIp: '10.0.5.1' }),
      await setup.world.launch({ cluster: NESTED, privateIp: '10.0.5.2' }),
    ];
    // Slots go in instance-id order: `first` holds ns1, `second` ns2.
    const [first, second] = [...launched].sort() as [string, string];
    const firstIp = first === launched[0] ? '10.0.5.1' : '10.0.5.2';
    await send(setup.world.deps(), setup.world.stateEvent(first, 'running'), setup.world.stateEvent(second, 'running'));
    const upper = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    setup.world.telemetry.clear();

    // Act
    const result = await send(setup.world.deps(), setup.world.stateEvent(upper, 'running'));
    await setup.world.terminate(second);
    await send(setup.world.deps(), setup.world.stateEvent(second, 'terminated'));

    // Assess
    expect(result.outcomes.get(C1)?.status).toBe('refused');
    expect(refusalOf(C1)).toContain(`would hide the delegation ${NESTED}.`);
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(
      delegation(NESTED, [[1, first, firstIp]]).sort(),
    );
  });
});

describe("a cluster named after another cluster's own names", () => {
  it('is refused (ns4.c1 is one of c1’s glue names) and c1 keeps following EC2', async () => {
    // Prepare
    const [a, b] = await publishedC1();
    const pasted = await setup.world.launch({ cluster: `ns4.${C1}`, privateIp: '10.0.0.99' });

    // Act
    const result = await send(setup.world.deps(), setup.world.stateEvent(pasted, 'running'));
    await setup.world.terminate(b);
    const after = await send(setup.world.deps(), setup.world.stateEvent(b, 'terminated'));

    // Assess
    expect(result.outcomes.get(`ns4.${C1}`)?.status).toBe('refused');
    expect(refusalOf(`ns4.${C1}`)).toContain(`ns4.${C1} is one of ${C1}'s own names`);
    expect(after.outcomes.get(C1)?.status).toBe('changed');
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(delegation(C1, [[1, a, ipOfFirst(a)]]));
  });

  it('is refused when it is tagged in the same batch as the cluster it lies below, which is published', async () => {
    // Prepare
    const node = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    const pasted = await setup.world.launch({ cluster: `ns4.${C1}`, privateIp: '10.0.0.99' });

    // Act: ns4.c1 sorts before c1 in the batch
    const result = await send(
      setup.world.deps(),
      setup.world.stateEvent(pasted, 'running'),
      setup.world.stateEvent(node, 'running'),
    );

    // Assess
    expect(result.outcomes.get(`ns4.${C1}`)?.status).toBe('refused');
    expect(result.outcomes.get(C1)?.status).toBe('changed');
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(delegation(C1, [[1, node, '10.0.0.11']]));
  });
});
