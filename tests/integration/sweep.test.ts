/**
 * The scheduled sweep against the emulator: it needs no event, finds every cluster (tagged in EC2 or owned in
 * Route 53), repairs hand edits to records it owns, cleans up clusters whose nodes are gone, and refuses clusters
 * whose names hold records it did not create.
 */
import { describe, expect, it } from 'vitest';
import { sweep } from '../../lib/controller/sweep.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { route53Error } from '../../tools/emulator/route53-errors.js';
import { change, changeBatch } from '../../tools/world/route53-helpers.js';
import { delegation, type SlotEntry } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const C1 = 'c1.example.com';
const C2 = 'c2.example.com';
const nodeAIp = '10.0.0.11';
const nodeBIp = '10.0.0.12';

/** A glue record typed by hand at the name rlec-dns would give c2's first node. */
const handMadeGlue = change('CREATE', `ns1.${C2}`, 'A', 300, ['192.0.2.50']);
const handMadeGlueLine = `ns1.${C2}. A 300 192.0.2.50`;

const setup = useWorld();

const current = async () => (await setup.world.records(setup.zoneId)).sort();

/**
 * Two running members of c1, published by a first sweep; telemetry and call counts are cleared afterwards.
 * Returns the members in slot order and the records the sweep wrote.
 */
async function sweptCluster(): Promise<{ members: [SlotEntry, SlotEntry]; published: string[] }> {
  const a = await setup.world.launch({ cluster: C1, privateIp: nodeAIp });
  const b = await setup.world.launch({ cluster: C1, privateIp: nodeBIp });
  await sweep(setup.world.deps());
  const ipOf = new Map([
    [a, nodeAIp],
    [b, nodeBIp],
  ]);
  const [s1, s2] = [a, b].sort() as [string, string];
  const members: [SlotEntry, SlotEntry] = [
    [1, s1, ipOf.get(s1) ?? ''],
    [2, s2, ipOf.get(s2) ?? ''],
  ];
  const published = await current();
  expect(published).toEqual(delegation(C1, members));
  setup.world.telemetry.clear();
  setup.world.emulator.proxy.resetCounts();
  return { members, published };
}

describe('the sweep, for clusters it owns', () => {
  it('publishes running tagged nodes whose events were missed', async () => {
    // Prepare
    const nodeA = await setup.world.launch({ cluster: C1, privateIp: nodeAIp });

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get(C1)?.status).toBe('changed');
    expect(await current()).toEqual(delegation(C1, [[1, nodeA, nodeAIp]]));
  });

  it('repairs a glue record edited by hand to another TTL and value', async () => {
    // Prepare
    const { members, published } = await sweptCluster();
    const [, , ip1] = members[0];
    await changeBatch(setup.world.route53, setup.zoneId, [
      change('DELETE', `ns1.${C1}`, 'A', 60, [ip1]),
      change('CREATE', `ns1.${C1}`, 'A', 300, ['192.0.2.99']),
    ]);

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get(C1)?.status).toBe('changed');
    expect(await current()).toEqual(published);
  });

  it('recreates a glue record deleted by hand', async () => {
    // Prepare
    const { members, published } = await sweptCluster();
    const [, , ip2] = members[1];
    await changeBatch(setup.world.route53, setup.zoneId, [change('DELETE', `ns2.${C1}`, 'A', 60, [ip2])]);

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get(C1)?.status).toBe('changed');
    expect(await current()).toEqual(published);
  });

  it('restores the NS record after a hand edit', async () => {
    // Prepare
    const { published } = await sweptCluster();
    const nameServers = [`ns1.${C1}.`, `ns2.${C1}.`];
    await changeBatch(setup.world.route53, setup.zoneId, [
      change('DELETE', C1, 'NS', 60, nameServers),
      change('CREATE', C1, 'NS', 300, [`ns1.${C1}.`, 'ns-1.awsdns-01.org.']),
    ]);

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get(C1)?.status).toBe('changed');
    expect(await current()).toEqual(published);
  });

  it('removes every record of a cluster whose nodes were all terminated without events', async () => {
    // Prepare
    const { members } = await sweptCluster();
    for (const [, id] of members) await setup.world.terminate(id);

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get(C1)?.status).toBe('changed');
    expect(await current()).toEqual([]);
  });

  it('writes nothing for a cluster that is already right', async () => {
    // Prepare
    const { published } = await sweptCluster();

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get(C1)?.status).toBe('unchanged');
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(setup.world.telemetry.count(METRIC.changeBatches)).toBe(0);
    expect(await current()).toEqual(published);
  });
});

describe('the sweep, for what it must not touch', () => {
  it('refuses a cluster whose ns1 name holds a hand-made A record, and reconciles the other cluster', async () => {
    // Prepare
    await changeBatch(setup.world.route53, setup.zoneId, [handMadeGlue]);
    const nodeC2 = await setup.world.launch({ cluster: C2, privateIp: nodeBIp });
    const nodeC1 = await setup.world.launch({ cluster: C1, privateIp: nodeAIp });

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get(C2)?.status).toBe('refused');
    expect(outcomes.get(C1)?.status).toBe('changed');
    const refusal = setup.world.telemetry.lines.find((l) => l.level === 'error' && l.attributes.cluster === C2);
    expect(refusal?.message).toContain(C2);
    expect(refusal?.message).toContain(`ns1.${C2}. 300 A 192.0.2.50`);
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(1);
    expect(await setup.world.clusterRecords(setup.zoneId, C2)).toEqual([handMadeGlueLine]);
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(delegation(C1, [[1, nodeC1, nodeAIp]]));
    expect((await current()).join('\n')).not.toContain(nodeC2);
  });

  it('logs and counts an invalid tag value it finds, and publishes the valid clusters', async () => {
    // Prepare
    const badValue = 'c3..example.com';
    const badNode = await setup.world.launch({ cluster: badValue, privateIp: nodeBIp });
    const nodeA = await setup.world.launch({ cluster: C1, privateIp: nodeAIp });

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(setup.world.telemetry.count(METRIC.tagsRefused)).toBe(1);
    const refusal = setup.world.telemetry.lines.find((l) => l.level === 'error' && l.attributes.instanceId === badNode);
    expect(refusal?.message).toContain(badNode);
    expect(refusal?.message).toContain(JSON.stringify(badValue));
    expect([...outcomes.keys()]).toEqual([C1]);
    expect(await current()).toEqual(delegation(C1, [[1, nodeA, nodeAIp]]));
  });

  it('refuses a tag value no zone may hold, naming the instance and the value', async () => {
    // Prepare
    const apexValue = 'example.com';
    const apexNode = await setup.world.launch({ cluster: apexValue, privateIp: nodeBIp });

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get(apexValue)?.status).toBe('refused');
    const refusal = setup.world.telemetry.lines.find((l) => l.level === 'error' && l.attributes.cluster === apexValue);
    expect(refusal?.message).toContain(JSON.stringify(apexValue));
    expect(refusal?.message).toContain(apexNode);
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(1);
    expect(await current()).toEqual([]);
  });
});

describe('the sweep, when AWS refuses to list one hosted zone', () => {
  it('sweeps the other zones, refuses the clusters of that zone, and logs and counts the refusal', async () => {
    // Prepare: c1 runs in example.com; c9.example.org is owned but its node is gone (only its records find it)
    const orgZoneId = await setup.world.zone('example.org');
    const nodeC1 = await setup.world.launch({ cluster: C1, privateIp: nodeAIp });
    const nodeC9 = await setup.world.launch({ cluster: 'c9.example.org', privateIp: nodeBIp });
    await sweep(setup.world.deps());
    await setup.world.terminate(nodeC9);
    const before = await current();
    expect(before).toEqual(delegation(C1, [[1, nodeC1, nodeAIp]]));
    setup.world.telemetry.clear();
    setup.world.emulator.proxy.beforeForward = ({ action, path }) =>
      action === 'ListResourceRecordSets' && path.includes(setup.zoneId)
        ? route53Error('AccessDenied', 'not authorized to perform: route53:ListResourceRecordSets', 403)
        : undefined;

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get('c9.example.org')?.status).toBe('changed');
    expect(await setup.world.records(orgZoneId)).toEqual([]);
    expect(outcomes.get(C1)?.status).toBe('refused');
    setup.world.emulator.proxy.beforeForward = undefined;
    expect(await current()).toEqual(before);
    const denied = `AWS refused route53:ListResourceRecordSets on hostedzone/${setup.zoneId}: AccessDenied`;
    expect(setup.world.telemetry.messages('error')).toEqual([
      expect.stringMatching(new RegExp(`^hosted zone example\\.com\\. \\(${setup.zoneId}\\) not swept: ${denied}`)),
      expect.stringMatching(new RegExp(`^cluster ${C1} refused: ${denied}`)),
    ]);
    expect(setup.world.telemetry.count(METRIC.awsPermanentErrors)).toBe(2);
  });
});

describe('the sweep, for a cluster whose zone changed', () => {
  const C3 = 'c3.sub.example.com';
  const nodeIp = '10.0.3.11';

  /** c3 published while example.com was the only zone; then sub.example.com is created. Returns its zone id. */
  async function publishedBeforeSubZone(node: string): Promise<string> {
    await sweep(setup.world.deps());
    expect(await current()).toEqual(delegation(C3, [[1, node, nodeIp]]));
    return setup.world.zone('sub.example.com');
  }

  it('moves the records of a running cluster to the more specific zone created since', async () => {
    // Prepare
    const node = await setup.world.launch({ cluster: C3, privateIp: nodeIp });
    const subZoneId = await publishedBeforeSubZone(node);

    // Act
    const outcomes = await sweep(setup.world.deps());

    // Assess
    expect(outcomes.get(C3)?.status).toBe('changed');
    expect((await setup.world.records(subZoneId)).sort()).toEqual(delegation(C3, [[1, node, nodeIp]]));
    expect(await current()).toEqual([]);
  });

  it('removes the records it left in the former zone once the last node is gone', async () => {
    // Prepare
    const node = await setup.world.launch({ cluster: C3, privateIp: nodeIp });
    const subZoneId = await publishedBeforeSubZone(node);
    await setup.world.terminate(node);

    // Act
    await sweep(setup.world.deps());

    // Assess
    expect(await setup.world.records(subZoneId)).toEqual([]);
    expect(await current()).toEqual([]);
  });
});
