/**
 * The second look (lib/source/late.ts): the instances of `running` events that the batch's tagged EC2 read did not
 * show are looked for again in the read that follows the run's writes, or by id when the run writes nothing. "EC2
 * shows it late" is made real: the batch's first DescribeInstances is answered as EC2 stood before the instance got
 * its tag (tests/support/faults.ts's answerBefore).
 */
import { describe, expect, it } from 'vitest';
import { MIN_TIME_LEFT_MS } from '../../lib/controller/deps.js';
import { processEvents } from '../../lib/controller/process-events.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { CLUSTER_TAG } from '../../tools/world/world.js';
import { delegation } from '../support/delegation.js';
import { answerBefore } from '../support/faults.js';
import { useWorld } from '../support/use-world.js';

const C1 = 'c1.example.com';
const C2 = 'c2.example.com';

const setup = useWorld();

const send = (events: Record<string, unknown>[], deps = setup.world.deps()) =>
  processEvents(
    deps,
    events.map((body, i) => ({ id: `e${i}`, body })),
  );

const describes = () => setup.world.emulator.proxy.count('DescribeInstances');

describe('an instance the batch’s EC2 read did not show, in a run that writes', () => {
  it('publishes the cluster the read after the writes shows it in, in the same run, at no extra EC2 read', async () => {
    // Prepare: a new member of c1, and an instance whose tag (c2) EC2 shows only after the batch's first read
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    const late = await setup.world.launch({ privateIp: '10.0.0.21' });
    const lagged = answerBefore(setup.world, 'DescribeInstances', () => setup.world.tag(late, CLUSTER_TAG, C2));
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await send([setup.world.stateEvent(a, 'running'), setup.world.stateEvent(late, 'running')]);

    // Assess
    expect(lagged()).toBe(1);
    expect(result.retry).toEqual([]);
    expect(result.outcomes.get(C2)?.status).toBe('changed');
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(delegation(C1, [[1, a, '10.0.0.11']]));
    expect(await setup.world.clusterRecords(setup.zoneId, C2)).toEqual(delegation(C2, [[1, late, '10.0.0.21']]));
    // The batch's read, the read after c1's write (the second look), the read after c2's write: none besides those
    expect(describes()).toBe(3);
    expect(setup.world.telemetry.messages('info')).toContain(
      'clusters found in the second look at instances EC2 showed late',
    );
  });

  it('adds a late member to a cluster the run has just written, in the next round', async () => {
    // Prepare
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    const late = await setup.world.launch({ privateIp: '10.0.0.12' });
    answerBefore(setup.world, 'DescribeInstances', () => setup.world.tag(late, CLUSTER_TAG, C1));

    // Act
    const result = await send([setup.world.stateEvent(a, 'running'), setup.world.stateEvent(late, 'running')]);

    // Assess
    expect(result.retry).toEqual([]);
    // Round 1 wrote c1 with a (slot 1); the read after it showed the late member, added in round 2
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(
      delegation(C1, [
        [1, a, '10.0.0.11'],
        [2, late, '10.0.0.12'],
      ]),
    );
  });

  it('adds a late member to a cluster of the batch the run found unchanged', async () => {
    // Prepare: c1 published with a; a batch that writes c2 and names a (unchanged) and the late c1 member
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    await send([setup.world.stateEvent(a, 'running')]);
    const b = await setup.world.launch({ cluster: C2, privateIp: '10.0.0.21' });
    const late = await setup.world.launch({ privateIp: '10.0.0.12' });
    answerBefore(setup.world, 'DescribeInstances', () => setup.world.tag(late, CLUSTER_TAG, C1));

    // Act
    const result = await send([
      setup.world.stateEvent(a, 'running'),
      setup.world.stateEvent(b, 'running'),
      setup.world.stateEvent(late, 'running'),
    ]);

    // Assess
    expect(result.retry).toEqual([]);
    expect(result.outcomes.get(C1)?.status).toBe('changed');
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(
      delegation(C1, [
        [1, a, '10.0.0.11'],
        [2, late, '10.0.0.12'],
      ]),
    );
    expect(await setup.world.clusterRecords(setup.zoneId, C2)).toEqual(delegation(C2, [[1, b, '10.0.0.21']]));
  });

  it('drops, without a retry or a third EC2 read, the running event of an instance without the cluster tag', async () => {
    // Prepare
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    const untagged = await setup.world.launch({ privateIp: '10.0.0.99' });
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await send([
      setup.world.stateEvent(untagged, 'pending'),
      setup.world.stateEvent(untagged, 'running'),
      setup.world.stateEvent(a, 'running'),
    ]);

    // Assess
    expect(result.retry).toEqual([]);
    expect(describes()).toBe(2);
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(delegation(C1, [[1, a, '10.0.0.11']]));
    expect(setup.world.telemetry.messages('debug')).toContain(
      'instance without the cluster tag per EC2; nothing to do',
    );
  });

  it('reports a refused tag value seen in the second look once, and retries nothing', async () => {
    // Prepare
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    const late = await setup.world.launch({ privateIp: '10.0.0.12' });
    answerBefore(setup.world, 'DescribeInstances', () => setup.world.tag(late, CLUSTER_TAG, 'not a name!'));

    // Act
    const result = await send([
      setup.world.stateEvent(a, 'running'),
      setup.world.stateEvent(late, 'running'),
      setup.world.stateEvent(late, 'running'),
    ]);

    // Assess
    expect(result.retry).toEqual([]);
    expect(setup.world.telemetry.metrics.filter((m) => m.name === METRIC.tagsRefused)).toHaveLength(1);
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual(delegation(C1, [[1, a, '10.0.0.11']]));
  });
});

describe('an instance the batch’s EC2 read did not show, in a run that writes nothing', () => {
  it('reads it by id: an untagged instance costs one read more, no Route 53 call and no retry', async () => {
    // Prepare
    const untagged = await setup.world.launch({ privateIp: '10.0.0.99' });
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await send([setup.world.stateEvent(untagged, 'running')]);

    // Assess
    expect(result.retry).toEqual([]);
    expect(describes()).toBe(2);
    expect(setup.world.emulator.proxy.count('ListResourceRecordSets')).toBe(0);
  });

  it('publishes the cluster the read by id shows it in, reading the fleet again', async () => {
    // Prepare
    const late = await setup.world.launch({ privateIp: '10.0.0.21' });
    answerBefore(setup.world, 'DescribeInstances', () => setup.world.tag(late, CLUSTER_TAG, C2));
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await send([setup.world.stateEvent(late, 'running')]);

    // Assess: the tagged read, the read by id, the fleet again (it missed the instance), the read after the write
    expect(result.retry).toEqual([]);
    expect(describes()).toBe(4);
    expect(await setup.world.clusterRecords(setup.zoneId, C2)).toEqual(delegation(C2, [[1, late, '10.0.0.21']]));
  });

  it('retries the event of an instance EC2 does not show at all', async () => {
    // Act
    const result = await send([setup.world.stateEvent('i-0aaaabbbbccccdddd', 'running')]);

    // Assess
    expect(result.retry).toEqual(['e0']);
  });
});

describe('an invocation that ends before the second look', () => {
  it('retries the unseen instance’s event, and the retried event publishes it', async () => {
    // Prepare: time for c1's write, then too little for the read after it
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    const late = await setup.world.launch({ privateIp: '10.0.0.21' });
    answerBefore(setup.world, 'DescribeInstances', () => setup.world.tag(late, CLUSTER_TAG, C2));
    let writes = 0;
    const forward = setup.world.emulator.proxy.beforeForward;
    setup.world.emulator.proxy.beforeForward = (ctx) => {
      if (ctx.action === 'ChangeResourceRecordSets') writes += 1;
      return forward?.(ctx);
    };
    const timeLeftMs = () => (writes === 0 ? 60_000 : MIN_TIME_LEFT_MS - 1);
    const events = [setup.world.stateEvent(a, 'running'), setup.world.stateEvent(late, 'running')];

    // Act
    const result = await send(events, setup.world.deps({}, { timeLeftMs }));

    // Assess
    expect(result.retry).toEqual(['e1']);
    expect(await setup.world.clusterRecords(setup.zoneId, C2)).toEqual([]);

    // Act: the retried event, in an invocation with time
    const again = await processEvents(setup.world.deps(), [{ id: 'e1', body: events[1] }]);

    // Assess
    expect(again.retry).toEqual([]);
    expect(await setup.world.clusterRecords(setup.zoneId, C2)).toEqual(delegation(C2, [[1, late, '10.0.0.21']]));
  });

  it('retries the events of instances it had no time to look for again, when the run wrote nothing', async () => {
    // Prepare
    const untagged = await setup.world.launch({ privateIp: '10.0.0.99' });
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await send(
      [setup.world.stateEvent(untagged, 'running')],
      setup.world.deps({}, { timeLeftMs: () => MIN_TIME_LEFT_MS - 1 }),
    );

    // Assess: the batch's read only, no read by id
    expect(result.retry).toEqual(['e0']);
    expect(describes()).toBe(1);
    expect(setup.world.telemetry.messages('warn')).toContain(
      'no time left to look again for instances EC2 did not show; their events come back',
    );
  });
});
