/**
 * The hostile-input corpus (corpus.ts) against the emulator: each input gets a clear log line and a metric, nothing
 * outside its own cluster changes, and the other clusters of the batch proceed. Outcomes are recorded for the
 * table in docs/reliability.md.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { processEvents } from '../../lib/controller/process-events.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { change, changeBatch } from '../../tools/world/route53-helpers.js';
import { delegation } from '../support/delegation.js';
import { Reliability } from '../support/faults.js';
import { useWorld } from '../support/use-world.js';
import { hostileTagValues, ignoredEvents, malformedEvents } from './corpus.js';

const GOOD = 'good.example.com';
const goodIp = '10.0.3.3';
const nodeIp = '10.0.3.9';
const handMade = change('CREATE', 'www.example.com', 'A', 300, ['192.0.2.1']);

const reliability = new Reliability('hostile');
const setup = useWorld();
let orgZoneId: string;

afterAll(async () => {
  await reliability.save();
});
beforeEach(async () => {
  orgZoneId = await setup.world.zone('example.org');
  await changeBatch(setup.world.route53, setup.zoneId, [handMade]);
});

const errorsAbout = (key: string, value: string) =>
  setup.world.telemetry.lines.filter((l) => l.level === 'error' && l.attributes[key] === value);

describe('hostile tag values', () => {
  it('refuses, or publishes within its own names only, each value of the corpus, and serves the valid cluster', async () => {
    // Prepare
    const cases: { label: string; value: string; id: string; expect: (typeof hostileTagValues)[number]['expect'] }[] =
      [];
    for (const c of hostileTagValues)
      cases.push({ ...c, id: await setup.world.launch({ cluster: c.value, privateIp: nodeIp }) });
    const good = await setup.world.launch({ cluster: GOOD, privateIp: goodIp });
    const items = [...cases.map((c) => c.id), good].map((id) => ({ id, body: setup.world.stateEvent(id, 'running') }));
    const started = Date.now();

    // Act
    const result = await processEvents(setup.world.deps(), items);

    // Assess
    const ms = Date.now() - started;
    expect(result.retry).toEqual([]);
    const published = cases.flatMap((c) => (c.expect.verdict === 'published' ? [[c.expect.as, c.id] as const] : []));
    const expectedRecords = [
      'www.example.com. A 300 192.0.2.1',
      ...delegation(GOOD, [[1, good, goodIp]]),
      ...published.flatMap(([cluster, id]) => delegation(cluster, [[1, id, nodeIp]])),
    ].sort();
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(expectedRecords);
    expect(await setup.world.records(orgZoneId)).toEqual([]);
    for (const c of cases) {
      if (c.expect.verdict === 'tag-refused') {
        const [refusal, ...more] = errorsAbout('instanceId', c.id);
        expect(more, c.label).toEqual([]);
        expect(refusal?.message, c.label).toContain(JSON.stringify(c.value));
        expect(refusal?.message, c.label).not.toContain('\n');
        reliability.record({
          kind: 'input',
          name: `tag value: ${c.label}`,
          outcome: 'refused, nothing written',
          log: `error: ${refusal?.message ?? ''}`,
          metric: `${METRIC.tagsRefused} +1`,
          ms,
        });
      } else if (c.expect.verdict === 'cluster-refused') {
        expect(result.outcomes.get(c.value)?.status, c.label).toBe('refused');
        const [refusal] = errorsAbout('cluster', c.value);
        expect(refusal?.message, c.label).toContain(c.id);
        reliability.record({
          kind: 'input',
          name: `tag value: ${c.label}`,
          outcome: 'cluster refused, nothing written',
          log: `error: ${refusal?.message ?? ''}`,
          metric: `${METRIC.clustersRefused} +1`,
          ms,
        });
      } else {
        expect(result.outcomes.get(c.expect.as)?.status, c.label).toBe('changed');
        reliability.record({
          kind: 'input',
          name: `tag value: ${c.label}`,
          outcome: `valid: published as ${c.expect.as}, within its own names`,
          log: 'info: cluster records changed',
          metric: `${METRIC.changeBatches} +1`,
          ms,
        });
      }
    }
    const refusedTags = cases.filter((c) => c.expect.verdict === 'tag-refused').length;
    const refusedClusters = cases.filter((c) => c.expect.verdict === 'cluster-refused').length;
    expect(setup.world.telemetry.count(METRIC.tagsRefused)).toBe(refusedTags);
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(refusedClusters);
    expect(result.outcomes.get(GOOD)?.status).toBe('changed');
  });
});

describe('hostile events', () => {
  it('logs, counts and drops each malformed event of the corpus, never retries it, and processes the good one', async () => {
    // Prepare
    const good = await setup.world.launch({ cluster: GOOD, privateIp: goodIp });
    const valid = setup.world.stateEvent(good, 'running');
    const items = malformedEvents.map((c, i) => {
      const body = c.make(valid);
      return { id: `bad-${i}`, body: typeof body === 'string' ? body : JSON.stringify(body) };
    });

    // Act
    const result = await processEvents(setup.world.deps(), [...items, { id: 'good', body: JSON.stringify(valid) }]);

    // Assess
    expect(result.retry).toEqual([]);
    expect(setup.world.telemetry.count(METRIC.malformedEvents)).toBe(malformedEvents.length);
    malformedEvents.forEach((c, i) => {
      const [logged, ...more] = errorsAbout('messageId', `bad-${i}`);
      expect(more, c.label).toEqual([]);
      expect(logged?.message, c.label).toMatch(/malformed|unexpected event source|not valid JSON/);
      reliability.record({
        kind: 'input',
        name: `event: ${c.label}`,
        outcome: 'dropped, not retried',
        log: `error: ${logged?.message ?? ''}`,
        metric: `${METRIC.malformedEvents} +1`,
        ms: 0,
      });
    });
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(
      ['www.example.com. A 300 192.0.2.1', ...delegation(GOOD, [[1, good, goodIp]])].sort(),
    );
  });

  it('counts apart, logs at debug only and drops each event of the corpus that is not for us, and processes the good one', async () => {
    // Prepare
    const good = await setup.world.launch({ cluster: GOOD, privateIp: goodIp });
    const valid = setup.world.stateEvent(good, 'running');
    const items = ignoredEvents.map((c, i) => ({ id: `other-${i}`, body: JSON.stringify(c.make(valid)) }));

    // Act
    const result = await processEvents(setup.world.deps(), [...items, { id: 'good', body: JSON.stringify(valid) }]);

    // Assess
    expect(result.retry).toEqual([]);
    expect(setup.world.telemetry.count(METRIC.eventsIgnored)).toBe(ignoredEvents.length);
    expect(setup.world.telemetry.count(METRIC.malformedEvents)).toBe(0);
    expect(setup.world.telemetry.lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    expect([...result.outcomes.keys()]).toEqual([GOOD]);
    ignoredEvents.forEach((c, i) => {
      const lines = setup.world.telemetry.lines.filter((l) => l.attributes.messageId === `other-${i}`);
      expect(
        lines.map((l) => l.level),
        c.label,
      ).toEqual(['debug']);
      expect(lines[0]?.message, c.label).toMatch(/^event not for us: /);
      reliability.record({
        kind: 'input',
        name: `event: ${c.label}`,
        outcome: 'not for us: dropped, not retried, nothing written for it',
        log: `debug: ${lines[0]?.message ?? ''}`,
        metric: `${METRIC.eventsIgnored} +1`,
        ms: 0,
      });
    });
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(
      ['www.example.com. A 300 192.0.2.1', ...delegation(GOOD, [[1, good, goodIp]])].sort(),
    );
  });

  it('writes once for an event replayed within a batch and writes nothing when the batch is replayed', async () => {
    // Prepare
    const good = await setup.world.launch({ cluster: GOOD, privateIp: goodIp });
    const event = setup.world.stateEvent(good, 'running');
    const batch = [1, 2, 3].map((n) => ({ id: `dup-${n}`, body: JSON.stringify(event) }));

    // Act
    const first = await processEvents(setup.world.deps(), batch);
    setup.world.emulator.proxy.resetCounts();
    const replay = await processEvents(setup.world.deps(), batch);

    // Assess
    expect([...first.retry, ...replay.retry]).toEqual([]);
    expect(setup.world.telemetry.count(METRIC.changeBatches)).toBe(1);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(replay.outcomes.get(GOOD)?.status).toBe('unchanged');
    reliability.record({
      kind: 'input',
      name: 'event: replayed duplicates (3 in a batch, then the batch again)',
      outcome: 'one change batch in all; the replay read and wrote nothing',
      log: 'info: cluster records changed (once)',
      metric: `${METRIC.changeBatches}=1`,
      ms: 0,
    });
  });

  it('changes nothing for a terminated instance already gone from EC2 that no cluster lists', async () => {
    // Prepare
    const gone = 'i-0123456789abcdef0';
    const good = await setup.world.launch({ cluster: GOOD, privateIp: goodIp });
    await processEvents(setup.world.deps(), [{ id: 'g', body: setup.world.stateEvent(good, 'running') }]);
    const before = (await setup.world.records(setup.zoneId)).sort();
    setup.world.telemetry.clear();
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await processEvents(setup.world.deps(), [
      { id: 'gone', body: setup.world.stateEvent(gone, 'terminated') },
    ]);

    // Assess
    expect(result.retry).toEqual([]);
    expect(result.outcomes.size).toBe(0);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual(before);
    expect(setup.world.telemetry.metrics).toEqual([{ name: METRIC.instancesUnknown, value: 1 }]);
    expect(setup.world.telemetry.lines).toContainEqual(
      expect.objectContaining({ level: 'info', attributes: expect.objectContaining({ instanceId: gone }) }),
    );
    reliability.record({
      kind: 'input',
      name: 'event: a terminated instance already gone from EC2, in no ownership record',
      outcome: 'ownership records searched, no cluster found, nothing written, not retried',
      log: 'info: instance unknown to EC2 and to every ownership record; nothing to do',
      metric: 'InstancesUnknown +1',
      ms: 0,
    });
  });

  it('handles a batch of 10,000 events in one pass, with one write for the zone of both clusters', async () => {
    // Prepare: 20 instances in 2 clusters, 500 events each (as a storm of duplicates would bring)
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(
        await setup.world.launch({ cluster: i % 2 === 0 ? GOOD : 'other.example.com', privateIp: `10.0.4.${i + 1}` }),
      );
    }
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      id: `m${i}`,
      body: JSON.stringify(setup.world.stateEvent(ids[i % ids.length] ?? '', 'running')),
    }));
    setup.world.emulator.proxy.resetCounts();
    const started = Date.now();

    // Act
    const result = await processEvents(setup.world.deps(), items);

    // Assess
    const ms = Date.now() - started;
    expect(result.retry).toEqual([]);
    expect(result.outcomes.get(GOOD)?.status).toBe('changed');
    expect(result.outcomes.get('other.example.com')?.status).toBe('changed');
    // Both clusters are in example.com: one request carries both compare-and-swaps; one log line per cluster.
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(1);
    expect(setup.world.telemetry.count(METRIC.changeBatches)).toBe(1);
    expect(setup.world.telemetry.messages('info').filter((m) => m === 'cluster records changed')).toHaveLength(2);
    expect(ms).toBeLessThan(20_000);
    reliability.record({
      kind: 'input',
      name: 'event: a batch of 10,000 (20 instances, 2 clusters)',
      outcome: `one pass, ${setup.world.emulator.proxy.count('DescribeInstances')} DescribeInstances, 1 change batch for the zone, nothing retried`,
      log: 'info: cluster records changed (×2)',
      metric: `${METRIC.changeBatches}=1`,
      ms,
    });
  });
});
