/**
 * Route 53's size limits on the emulator: a cluster that could be created but never changed afterwards is refused
 * before anything is written, with the limit in the message; one member fewer is published and still changes.
 */
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { processEvents } from '../../lib/controller/process-events.js';
import { maxMembers } from '../../lib/plan/limits.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { CLUSTER_TAG } from '../../tools/world/world.js';
import { nameOfLength } from '../support/limits-probe.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();

/** The longest cluster name there is (243 characters): 64 members at most. */
const longest = nameOfLength(243);

async function launchMany(count: number): Promise<string[]> {
  const out = await setup.world.ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-03cf127a',
      MinCount: count,
      MaxCount: count,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: CLUSTER_TAG, Value: longest }] }],
    }),
  );
  return (out.Instances ?? []).map((i) => i.InstanceId ?? '');
}

const event = (instanceId: string, state: string) => [
  { id: instanceId, body: setup.world.stateEvent(instanceId, state) },
];

describe('a cluster over Route 53’s size limits', () => {
  it('is refused before any write, with the limit in the message, and published once a member has left', async () => {
    // Prepare
    const allowed = maxMembers(longest, '"heritage=rlec-dns,owner=rlec-dns-test"');
    expect(allowed).toBe(64);
    const ids = await launchMany(allowed + 1);
    const [first, second] = ids as [string, string];

    // Act
    const refused = await processEvents(setup.world.deps(), event(first, 'running'));

    // Assess
    expect(refused.outcomes.get(longest)?.status).toBe('refused');
    expect(refused.retry).toEqual([]);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(await setup.world.clusterRecords(setup.zoneId, longest)).toEqual([]);
    const [message] = setup.world.telemetry.messages('error');
    expect(message).toContain(`with 65 members, NS ${longest}. could be created but never changed`);
    expect(message).toContain("over Route 53's limits of 1,000 values and 32,000 characters per request");
    expect(message).toContain('at most 64 members fit for this cluster name');
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(1);

    // Act: one member leaves, then another
    await setup.world.terminate(first);
    const published = await processEvents(setup.world.deps(), event(first, 'terminated'));
    await setup.world.terminate(second);
    const changed = await processEvents(setup.world.deps(), event(second, 'terminated'));

    // Assess
    expect(published.outcomes.get(longest)?.status).toBe('changed');
    expect(changed.outcomes.get(longest)?.status).toBe('changed');
    const ns = (await setup.world.clusterRecords(setup.zoneId, longest)).find((l) => l.startsWith(`${longest}. NS`));
    expect(ns?.split(' ').slice(3)).toHaveLength(63);
  });
});
