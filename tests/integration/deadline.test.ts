/**
 * An invocation running out of time starts no new cluster: the clusters left are deferred (not a failure), so their
 * events come back, instead of being cut off half-way by Lambda's timeout.
 */
import { describe, expect, it } from 'vitest';
import { MIN_TIME_LEFT_MS } from '../../lib/controller/deps.js';
import { processEvents } from '../../lib/controller/process-events.js';
import { sweep } from '../../lib/controller/sweep.js';
import { DeferredError } from '../../lib/platform/errors.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();

describe('an invocation short of time', () => {
  it('reconciles the clusters it has time for and defers the rest, whose events come back', async () => {
    // Prepare: time enough for both reads and the first cluster's write (three checks), then too little
    const a = await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    const b = await setup.world.launch({ cluster: 'c2.example.com', privateIp: '10.0.0.12' });
    let checks = 0;
    const timeLeftMs = () => (++checks <= 3 ? 60_000 : MIN_TIME_LEFT_MS - 1);
    // Act
    const result = await processEvents(setup.world.deps({}, { timeLeftMs }), [
      { id: 'a', body: setup.world.stateEvent(a, 'running') },
      { id: 'b', body: setup.world.stateEvent(b, 'running') },
    ]);
    // Assess
    const [first, second] = [result.outcomes.get('c1.example.com'), result.outcomes.get('c2.example.com')];
    expect(first?.status).toBe('changed');
    expect(second?.status).toBe('deferred');
    expect(second?.status === 'deferred' && second.error).toBeInstanceOf(DeferredError);
    expect(result.retry).toEqual(['b']);
    expect(setup.world.telemetry.count(METRIC.clustersDeferred)).toBe(1);
    expect(setup.world.telemetry.count(METRIC.clustersFailed)).toBe(0);
    expect(setup.world.telemetry.messages('error')).toEqual([]);
    expect(setup.world.telemetry.messages('warn')).toContain(
      'cluster deferred: the invocation is short of time; its events will be retried',
    );
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(1);
    expect(setup.world.telemetry.messages('warn')).toContain(
      'no time left to check the written clusters again; the next event or the sweep will',
    );
  });

  it('defers the clusters a sweep has no time for, without counting them as failed', async () => {
    // Prepare: time for the sweep's reads, then too little
    await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    let checks = 0;
    const timeLeftMs = () => (++checks <= 1 ? 60_000 : MIN_TIME_LEFT_MS - 1);
    // Act
    const outcomes = await sweep(setup.world.deps({}, { timeLeftMs }));
    // Assess
    expect(outcomes.get('c1.example.com')?.status).toBe('deferred');
    expect(setup.world.telemetry.count(METRIC.clustersDeferred)).toBe(1);
    expect(setup.world.telemetry.messages('error')).toEqual([]);
    expect(setup.world.telemetry.lines.find((l) => l.message === 'sweep done')?.attributes).toMatchObject({
      deferred: 1,
      failed: 0,
    });
  });

  it('changes nothing about a run with time to spare', async () => {
    // Prepare
    const a = await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    // Act
    const result = await processEvents(setup.world.deps({}, { timeLeftMs: () => 60_000 }), [
      { id: 'a', body: setup.world.stateEvent(a, 'running') },
    ]);
    // Assess
    expect(result.retry).toEqual([]);
    expect(result.outcomes.get('c1.example.com')?.status).toBe('changed');
  });
});
