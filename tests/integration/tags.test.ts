/**
 * Tags drive membership: adding, removing and changing the cluster tag, and the address-type tag, through the event
 * loop against the emulator with the real SDK clients.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { processEvents } from '../../lib/controller/process-events.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { CLUSTER_TAG } from '../../tools/world/world.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const ADDRESS_TYPE_TAG = 'rlec:address-type';
const C1 = 'c1.example.com';
const C2 = 'c2.example.com';
const nodeAIp = '10.0.0.11';
const nodeBIp = '10.0.0.12';

const setup = useWorld();

const send = (...events: Record<string, unknown>[]) =>
  processEvents(
    setup.world.deps(),
    events.map((body, i) => ({ id: `e${i}`, body })),
  );

/** Launches running members of a cluster and publishes them; returns their ids in launch order. */
async function publishedNodes(cluster: string, ips: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const privateIp of ips) ids.push(await setup.world.launch({ cluster, privateIp }));
  await send(...ids.map((id) => setup.world.stateEvent(id, 'running')));
  return ids;
}

/** The zone's records besides its apex, sorted. */
const current = async () => (await setup.world.records(setup.zoneId)).sort();

async function publicIpOf(instanceId: string): Promise<string> {
  const out = await setup.world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const ip = out.Reservations?.[0]?.Instances?.[0]?.PublicIpAddress;
  if (ip === undefined) throw new Error(`the emulator gave ${instanceId} no public address`);
  return ip;
}

describe('the cluster tag', () => {
  it('joins a running untagged instance to the cluster its new tag names', async () => {
    // Prepare
    const nodeA = await setup.world.launch({ privateIp: nodeAIp });
    await setup.world.tag(nodeA, CLUSTER_TAG, C1);

    // Act
    const result = await send(setup.world.tagEvent(nodeA, [CLUSTER_TAG], { [CLUSTER_TAG]: C1 }));

    // Assess
    expect(result.retry).toEqual([]);
    expect(await current()).toEqual(delegation(C1, [[1, nodeA, nodeAIp]]));
  });

  it('takes an instance out of its cluster when the tag is removed, found through the ownership record', async () => {
    // Prepare
    const [nodeA, nodeB] = (await publishedNodes(C1, [nodeAIp, nodeBIp])) as [string, string];
    const slotOf = new Map([...[nodeA, nodeB].sort()].map((id, i) => [id, i + 1]));
    await setup.world.untag(nodeB, CLUSTER_TAG);

    // Act: the event carries the tags after the change, so it no longer names the cluster
    const result = await send(setup.world.tagEvent(nodeB, [CLUSTER_TAG], { Name: 'redis-b' }));

    // Assess
    expect(result.retry).toEqual([]);
    expect(await current()).toEqual(delegation(C1, [[slotOf.get(nodeA) ?? 0, nodeA, nodeAIp]]));
  });

  it('removes every record of the cluster when its only member is untagged', async () => {
    // Prepare
    const [nodeA] = (await publishedNodes(C1, [nodeAIp])) as [string];
    await setup.world.untag(nodeA, CLUSTER_TAG);

    // Act
    await send(setup.world.tagEvent(nodeA, [CLUSTER_TAG], {}));

    // Assess
    expect(await current()).toEqual([]);
  });

  it('moves an instance from c1 to c2 with a single tag-change event', async () => {
    // Prepare
    const [nodeA, nodeB] = (await publishedNodes(C1, [nodeAIp, nodeBIp])) as [string, string];
    const slotOf = new Map([...[nodeA, nodeB].sort()].map((id, i) => [id, i + 1]));
    await setup.world.tag(nodeB, CLUSTER_TAG, C2);

    // Act
    const result = await send(setup.world.tagEvent(nodeB, [CLUSTER_TAG], { [CLUSTER_TAG]: C2 }));

    // Assess
    expect(result.retry).toEqual([]);
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(
      delegation(C1, [[slotOf.get(nodeA) ?? 0, nodeA, nodeAIp]]),
    );
    expect(await setup.world.clusterRecords(setup.zoneId, C2)).toEqual(delegation(C2, [[1, nodeB, nodeBIp]]));
  });

  it('takes an instance out of c1 when its tag changes to an invalid value, and reports the refusal once', async () => {
    // Prepare
    const [nodeA, nodeB] = (await publishedNodes(C1, [nodeAIp, nodeBIp])) as [string, string];
    const slotOf = new Map([...[nodeA, nodeB].sort()].map((id, i) => [id, i + 1]));
    const badValue = 'c1..example.com';
    await setup.world.tag(nodeB, CLUSTER_TAG, badValue);

    // Act
    const result = await send(setup.world.tagEvent(nodeB, [CLUSTER_TAG], { [CLUSTER_TAG]: badValue }));

    // Assess
    expect(result.retry).toEqual([]);
    const refusals = setup.world.telemetry.lines.filter(
      (l) => l.level === 'error' && l.attributes.instanceId === nodeB,
    );
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.message).toContain(JSON.stringify(badValue));
    expect(setup.world.telemetry.count(METRIC.tagsRefused)).toBe(1);
    expect(await current()).toEqual(delegation(C1, [[slotOf.get(nodeA) ?? 0, nodeA, nodeAIp]]));
  });

  it('retries a tag-change event for an instance EC2 does not show yet', async () => {
    // Prepare: an id the emulator never launched, as DescribeInstances answers before it catches up
    const notYetVisible = 'i-0f9e8d7c6b5a40312';

    // Act
    const result = await send(setup.world.tagEvent(notYetVisible, [CLUSTER_TAG], { [CLUSTER_TAG]: C1 }));

    // Assess
    expect(result.retry).toEqual(['e0']);
    expect(await current()).toEqual([]);
  });

  it('joins the normalised cluster for a value with upper case and a trailing dot', async () => {
    // Prepare
    const [nodeA] = (await publishedNodes(C1, [nodeAIp])) as [string];
    const nodeB = await setup.world.launch({ privateIp: nodeBIp });
    const shouted = 'C1.Example.COM.';
    await setup.world.tag(nodeB, CLUSTER_TAG, shouted);

    // Act
    const result = await send(setup.world.tagEvent(nodeB, [CLUSTER_TAG], { [CLUSTER_TAG]: shouted }));

    // Assess: the existing member keeps ns1; the newcomer takes the next number
    expect(result.retry).toEqual([]);
    expect(await current()).toEqual(
      delegation(C1, [
        [1, nodeA, nodeAIp],
        [2, nodeB, nodeBIp],
      ]),
    );
  });
});

describe('the address-type tag', () => {
  it('republishes a member with its public address when the tag changes to public', async () => {
    // Prepare
    const [nodeA] = (await publishedNodes(C1, [nodeAIp])) as [string];
    const publicIp = await publicIpOf(nodeA);
    await setup.world.tag(nodeA, ADDRESS_TYPE_TAG, 'public');

    // Act
    const result = await send(
      setup.world.tagEvent(nodeA, [ADDRESS_TYPE_TAG], { [CLUSTER_TAG]: C1, [ADDRESS_TYPE_TAG]: 'public' }),
    );

    // Assess
    expect(result.retry).toEqual([]);
    expect(publicIp).not.toBe(nodeAIp);
    expect(await current()).toEqual(delegation(C1, [[1, nodeA, publicIp]]));
  });
});

describe('events that concern no cluster', () => {
  it('changes nothing and asks Route 53 nothing for a change of an unrelated tag key', async () => {
    // Prepare
    const [nodeA] = (await publishedNodes(C1, [nodeAIp])) as [string];
    const settled = await current();
    await setup.world.tag(nodeA, 'Name', 'redis-a');
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await send(setup.world.tagEvent(nodeA, ['Name'], { [CLUSTER_TAG]: C1, Name: 'redis-a' }));

    // Assess
    expect(result.retry).toEqual([]);
    expect(setup.world.emulator.proxy.count('ListHostedZones')).toBe(0);
    expect(setup.world.emulator.proxy.count('ListResourceRecordSets')).toBe(0);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(Object.keys(setup.world.emulator.proxy.counts())).toEqual(['DescribeInstances']);
    expect(await current()).toEqual(settled);
  });

  it('asks Route 53 nothing for a state change of an untagged instance', async () => {
    // Prepare
    const untagged = await setup.world.launch({ privateIp: nodeAIp, tags: { Name: 'web' } });
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await send(setup.world.stateEvent(untagged, 'running'), setup.world.stateEvent(untagged, 'stopped'));

    // Assess
    expect(result.retry).toEqual([]);
    expect(Object.keys(setup.world.emulator.proxy.counts())).toEqual(['DescribeInstances']);
    expect(await current()).toEqual([]);
  });
});
