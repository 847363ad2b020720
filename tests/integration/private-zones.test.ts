/**
 * ZONE_TYPE and ADDRESS_FAMILY against the emulator: a cluster in a private zone with private addresses, the split
 * view (the same name in a public and a private zone, each with its own addresses), and dual-stack glue (moto gives
 * an instance an IPv6 address in a subnet with an IPv6 block).
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { ReconcilerDeps } from '../../lib/controller/deps.js';
import { processEvents } from '../../lib/controller/process-events.js';
import { runOnce } from '../../lib/controller/run-once.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const C1 = 'c1.example.com';
const nodeAIp = '10.0.0.11';

const setup = useWorld();

const send = (deps: ReconcilerDeps, ...events: Record<string, unknown>[]) =>
  processEvents(
    deps,
    events.map((body, i) => ({ id: `e${i}`, body })),
  );

/** One run over the cluster: the loop writes it in every zone zonesFor gives. */
async function publishEverywhere(deps: ReconcilerDeps, cluster: string): Promise<void> {
  await runOnce(deps, { clusters: [cluster], mode: 'apply' });
}

/** The instance's addresses as DescribeInstances gives them (moto: the IPv6 address on the primary interface). */
async function addressesOf(instanceId: string): Promise<{ privateIp: string; publicIp: string; ipv6: string }> {
  const out = await setup.world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = out.Reservations?.[0]?.Instances?.[0];
  return {
    privateIp: instance?.PrivateIpAddress ?? 'none',
    publicIp: instance?.PublicIpAddress ?? 'none',
    ipv6: instance?.NetworkInterfaces?.[0]?.Ipv6Addresses?.[0]?.Ipv6Address ?? 'none',
  };
}

describe('ZONE_TYPE=private', () => {
  it('publishes the cluster in the private zone with private addresses and leaves the public zone untouched', async () => {
    // Prepare
    const deps = setup.world.deps({ ZONE_TYPE: 'private' });
    const privateZone = await setup.world.privateZone('example.com', await setup.world.vpc());
    const nodeA = await setup.world.launch({ cluster: C1, privateIp: nodeAIp });

    // Act
    const result = await send(deps, setup.world.stateEvent(nodeA, 'running'));

    // Assess
    expect(result.retry).toEqual([]);
    expect(await setup.world.clusterRecords(privateZone, C1)).toEqual(delegation(C1, [[1, nodeA, nodeAIp]]));
    expect(await setup.world.records(setup.zoneId)).toEqual([]);
  });

  it('removes the private delegation when the last member leaves, leaving the zone as it was', async () => {
    // Prepare
    const deps = setup.world.deps({ ZONE_TYPE: 'private' });
    const privateZone = await setup.world.privateZone('example.com', await setup.world.vpc());
    const nodeA = await setup.world.launch({ cluster: C1, privateIp: nodeAIp });
    await send(deps, setup.world.stateEvent(nodeA, 'running'));

    // Act
    await setup.world.terminate(nodeA);
    await send(deps, setup.world.stateEvent(nodeA, 'terminated'));

    // Assess
    expect(await setup.world.records(privateZone)).toEqual([]);
  });

  it('publishes in every private zone of the name, one per set of VPCs', async () => {
    // Prepare
    const deps = setup.world.deps({ ZONE_TYPE: 'private' });
    const first = await setup.world.privateZone('example.com', await setup.world.vpc());
    const second = await setup.world.privateZone('example.com', await setup.world.vpc());
    const nodeA = await setup.world.launch({ cluster: C1, privateIp: nodeAIp });

    // Act
    await publishEverywhere(deps, C1);

    // Assess
    expect(await setup.world.clusterRecords(first, C1)).toEqual(delegation(C1, [[1, nodeA, nodeAIp]]));
    expect(await setup.world.clusterRecords(second, C1)).toEqual(delegation(C1, [[1, nodeA, nodeAIp]]));
  });
});

describe('ZONE_TYPE=both (split view)', () => {
  it('publishes public addresses in the public zone and private addresses in the private zone', async () => {
    // Prepare
    const deps = setup.world.deps({ ZONE_TYPE: 'both' });
    const privateZone = await setup.world.privateZone('example.com', await setup.world.vpc());
    const nodeA = await setup.world.launch({ cluster: C1, privateIp: nodeAIp });
    const { publicIp } = await addressesOf(nodeA);

    // Act
    await publishEverywhere(deps, C1);

    // Assess
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(delegation(C1, [[1, nodeA, publicIp]]));
    expect(await setup.world.clusterRecords(privateZone, C1)).toEqual(delegation(C1, [[1, nodeA, nodeAIp]]));
  });

  it('publishes in the public zone when no private zone matches, and says loudly that the private side is missing', async () => {
    // Prepare
    const deps = setup.world.deps({ ZONE_TYPE: 'both' });
    const nodeA = await setup.world.launch({ cluster: C1, privateIp: nodeAIp });
    const { publicIp } = await addressesOf(nodeA);

    // Act
    const result = await send(deps, setup.world.stateEvent(nodeA, 'running'));

    // Assess
    expect(result.retry).toEqual([]);
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(delegation(C1, [[1, nodeA, publicIp]]));
    expect(setup.world.telemetry.messages('error')).toContain(
      `no usable hosted zone for cluster ${C1}: no private hosted zone is a parent of it; published on the other side of ZONE_TYPE=both only`,
    );
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBeGreaterThan(0);
  });
});

describe('ADDRESS_FAMILY', () => {
  it('publishes A and AAAA glue at each slot with dual, and reports a member without IPv6 instead of half its glue', async () => {
    // Prepare
    const deps = setup.world.deps({ ADDRESS_FAMILY: 'dual' });
    const { subnetId } = await setup.world.dualStackSubnet();
    const nodeA = await setup.world.launch({ cluster: C1, subnetId, ipv6: true });
    const ipv4Only = await setup.world.launch({ cluster: C1 });
    const { privateIp, ipv6 } = await addressesOf(nodeA);

    // Act
    const result = await send(
      deps,
      setup.world.stateEvent(nodeA, 'running'),
      setup.world.stateEvent(ipv4Only, 'running'),
    );

    // Assess
    expect(result.retry).toEqual([]);
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(
      [...delegation(C1, [[1, nodeA, privateIp]]), `ns1.${C1}. AAAA 60 ${ipv6}`].sort(),
    );
    expect(setup.world.telemetry.messages('warn')).toContain(
      `instance ${ipv4Only} of cluster ${C1} is running but has no IPv6 address; not published`,
    );
    expect(setup.world.telemetry.count(METRIC.membersUnpublished)).toBe(1);
  });

  it('publishes AAAA glue only with ipv6', async () => {
    // Prepare
    const deps = setup.world.deps({ ADDRESS_FAMILY: 'ipv6' });
    const { subnetId } = await setup.world.dualStackSubnet();
    const nodeA = await setup.world.launch({ cluster: C1, subnetId, ipv6: true });
    const { ipv6 } = await addressesOf(nodeA);

    // Act
    await send(deps, setup.world.stateEvent(nodeA, 'running'));

    // Assess
    const glue = (await setup.world.clusterRecords(setup.zoneId, C1)).filter((l) => l.startsWith('ns1.'));
    expect(glue).toEqual([`ns1.${C1}. AAAA 60 ${ipv6}`]);
  });
});
