/**
 * An invocation running out of time starts no new cluster: the clusters left are deferred (not a failure), so their
 * events come back, instead of being cut off half-way by Lambda's timeout.
 *
 * The invocation's clock is a fake one that moves only when work is done (a slow Route 53 write spends the time), so
 * the tests say what happens at a given moment, not how often the loop asks the time.
 */
import { describe, expect, it } from 'vitest';
import { MIN_TIME_LEFT_MS } from '../../lib/controller/deps.js';
import { processEvents } from '../../lib/controller/process-events.js';
import { sweep } from '../../lib/controller/sweep.js';
import { DeferredError } from '../../lib/platform/errors.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { useWorld } from '../support/use-world.js';

const C1 = 'c1.example.com';
/** In a zone of its own: one zone's changes go in one request, and the deadline falls between two requests. */
const C2 = 'c2.example.org';

const setup = useWorld();

/**
 * An invocation's clock: `budgetMs` at the start, less `writeMs` for every ChangeResourceRecordSets Route 53 receives
 * (counted at the proxy, before the write is applied).
 */
function invocationClock(budgetMs: number, writeMs: number): () => number {
  let spent = 0;
  setup.world.emulator.proxy.beforeForward = (ctx) => {
    if (ctx.action === 'ChangeResourceRecordSets') spent += writeMs;
    return undefined;
  };
  return () => budgetMs - spent;
}

/** The hosted zone of each cluster. */
const zoneOf = new Map<string, string>();

/** Two clusters of one instance each, in two zones, and their launch events (`a` for c1, `b` for c2). */
async function twoClusters() {
  zoneOf.set(C1, setup.zoneId);
  zoneOf.set(C2, await setup.world.zone('example.org'));
  const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
  const b = await setup.world.launch({ cluster: C2, privateIp: '10.0.0.12' });
  const events = [
    { id: 'a', body: setup.world.stateEvent(a, 'running') },
    { id: 'b', body: setup.world.stateEvent(b, 'running') },
  ];
  return {
    events,
    eventOf: new Map([
      [C1, 'a'],
      [C2, 'b'],
    ]),
  };
}

const recordsOf = (cluster: string) => setup.world.clusterRecords(zoneOf.get(cluster) ?? setup.zoneId, cluster);

describe('an invocation short of time', () => {
  it('reconciles the clusters it has time for and defers the rest, whose events come back and are reconciled', async () => {
    // Prepare: the first zone's write takes the invocation from 15 s left to below the minimum
    const { events, eventOf } = await twoClusters();
    const timeLeftMs = invocationClock(MIN_TIME_LEFT_MS + 5_000, 6_000);

    // Act
    const result = await processEvents(setup.world.deps({}, { timeLeftMs }), events);

    // Assess: one zone's cluster written, the other's deferred (its request not started), its event named for retry
    const changed = [...result.outcomes.values()].filter((o) => o.status === 'changed').map((o) => o.cluster);
    const deferred = [...result.outcomes.values()].filter(
      (o) => o.status === 'deferred' && o.error instanceof DeferredError,
    );
    expect(changed).toHaveLength(1);
    expect(deferred).toHaveLength(1);
    const done = changed[0] ?? '';
    const left = deferred[0]?.cluster ?? '';
    expect(new Set([done, left])).toEqual(new Set([C1, C2]));
    expect(result.retry).toEqual([eventOf.get(left)]);
    expect(await recordsOf(done)).not.toEqual([]);
    expect(await recordsOf(left)).toEqual([]);
    expect(setup.world.telemetry.messages('warn')).toContain(
      'no time left to check the written clusters again; the next event or the sweep will',
    );

    // Act: the platform delivers the retried event again, to an invocation with time
    const again = await processEvents(
      setup.world.deps({}, { timeLeftMs: () => 60_000 }),
      events.filter((e) => result.retry.includes(e.id)),
    );

    // Assess
    expect(again.retry).toEqual([]);
    expect(again.outcomes.get(left)?.status).toBe('changed');
    expect(await recordsOf(left)).not.toEqual([]);
  });

  it('starts no cluster and writes nothing when the invocation begins short of time, and every event comes back', async () => {
    // Prepare
    const { events } = await twoClusters();
    const timeLeftMs = invocationClock(MIN_TIME_LEFT_MS - 1, 0);

    // Act
    const result = await processEvents(setup.world.deps({}, { timeLeftMs }), events);

    // Assess
    for (const cluster of [C1, C2]) {
      const outcome = result.outcomes.get(cluster);
      expect(outcome?.status === 'deferred' && outcome.error).toBeInstanceOf(DeferredError);
    }
    expect(result.retry).toEqual(['a', 'b']);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect([...(await recordsOf(C1)), ...(await recordsOf(C2))]).toEqual([]);
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
    const { events } = await twoClusters();
    const timeLeftMs = invocationClock(60_000, 6_000);

    // Act
    const result = await processEvents(setup.world.deps({}, { timeLeftMs }), events);

    // Assess
    expect(result.retry).toEqual([]);
    expect(result.outcomes.get(C1)?.status).toBe('changed');
    expect(result.outcomes.get(C2)?.status).toBe('changed');
  });
});
