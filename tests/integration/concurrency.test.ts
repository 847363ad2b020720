/**
 * Many invocations reconciling one cluster at the same moment, against the emulator (whose proxy applies Route 53's
 * batch rules; moto alone does not). Each invocation is a Lambda container of its own: its own clients, zone cache
 * and telemetry, real sleeps with jitter. Overlap is forced where a test needs it, with a barrier in the proxy that
 * holds change batches (or reads) until they have all arrived, or by holding one invocation's batch until the next
 * invocation has read the records; every change batch the proxy receives is recorded (the project must never send an
 * UPSERT). The last part holds one writer's batch while a node flaps, the race that compare-and-swap alone
 * cannot catch.
 */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BatchResult, processEvents } from '../../lib/controller/process-events.js';
import { ConflictError } from '../../lib/platform/errors.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import type { RequestContext } from '../../tools/emulator/emulator.js';
import { listAll, recordSet, summary } from '../../tools/world/route53-helpers.js';
import {
  Barrier,
  type Container,
  container,
  containerOf,
  FAST_JITTER,
  RIVAL_COMMENT,
  rivalWrite,
  sendOn,
  total,
  Wiretap,
} from '../support/concurrency.js';
import { useWorld } from '../support/use-world.js';

const C1 = 'c1.example.com';
const C2 = 'c2.example.com';
const OWNER_HEADER = '"heritage=rlec-dns,owner=rlec-dns-test,account=123456789012,region=us-east-1"';
/** Long enough for every held batch to arrive on a slow machine; short enough to fail fast if they never do. */
const BARRIER_TIMEOUT_MS = 5_000;

let wiretap: Wiretap;
let containers: Container[];

const setup = useWorld();
beforeEach(async () => {
  containers = [];
  wiretap = new Wiretap();
  wiretap.install(setup.world);
});
afterEach(() => {
  for (const c of containers) c.destroy();
});

/** A new Lambda container, destroyed after the test. */
function lambda(retry = FAST_JITTER): Container {
  const c = container(setup.world, retry);
  containers.push(c);
  return c;
}

/** One invocation per event, all started at the same moment, each in its own container. */
function invokeConcurrently(events: readonly Record<string, unknown>[], retry = FAST_JITTER) {
  const started = events.map((body, i) => ({ c: lambda(retry), item: { id: `e${i}`, body } }));
  return Promise.all(started.map(({ c, item }) => processEvents(c.deps, [item])));
}

/** One invocation, in the world's own container, for all the events in order: the sequential reference. */
const invokeSequentially = (events: readonly Record<string, unknown>[]) =>
  processEvents(
    setup.world.deps(),
    events.map((body, i) => ({ id: `s${i}`, body })),
  );

const retried = (results: readonly BatchResult[]) => results.flatMap((r) => r.retry);

type Node = readonly [slot: number, instanceId: string, address: string];

/** The record sets a cluster with these nodes has, as the project writes them. */
function delegationSets(cluster: string, nodes: readonly Node[]): ResourceRecordSet[] {
  if (nodes.length === 0) return [];
  const bySlot = [...nodes].sort((x, y) => x[0] - y[0]);
  return [
    recordSet(
      `${cluster}.`,
      'NS',
      60,
      bySlot.map(([n]) => `ns${n}.${cluster}.`),
    ),
    recordSet(`_rlec-dns.${cluster}.`, 'TXT', 60, [OWNER_HEADER, ...bySlot.map(([n, id]) => `"ns${n}=${id}"`)]),
    ...bySlot.map(([n, , ip]) => recordSet(`ns${n}.${cluster}.`, 'A', 60, [ip])),
  ];
}

/** Records as the zone listing shows them, sorted, for comparison with {@link current}. */
const lines = (sets: readonly ResourceRecordSet[]): string[] => summary(sets).sort();

/** What a compare-and-swap writer sends to go from one delegation to another: DELETE the old, CREATE the new. */
function swap(from: readonly ResourceRecordSet[], to: readonly ResourceRecordSet[]): Change[] {
  const same = (a: ResourceRecordSet) => (b: ResourceRecordSet) => JSON.stringify(a) === JSON.stringify(b);
  return [
    ...from.filter((r) => !to.some(same(r))).map((r): Change => ({ Action: 'DELETE', ResourceRecordSet: r })),
    ...to.filter((r) => !from.some(same(r))).map((r): Change => ({ Action: 'CREATE', ResourceRecordSet: r })),
  ];
}

const current = async () => (await setup.world.records(setup.zoneId)).sort();

/** Launches tagged instances with these addresses; returns their ids in the same order. */
async function launchAll(cluster: string, addresses: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const privateIp of addresses) ids.push(await setup.world.launch({ cluster, privateIp }));
  return ids;
}

/** Nodes numbered 1..n in instance-id order, as a first reconcile numbers them. */
function numbered(ids: readonly string[], addressOf: ReadonlyMap<string, string>): Node[] {
  return [...ids].sort().map((id, i) => [i + 1, id, addressOf.get(id) ?? ''] as const);
}

const zip = (ids: readonly string[], addresses: readonly string[]) =>
  new Map(ids.map((id, i) => [id, addresses[i] ?? '']));

const addresses = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}.${i + 1}`);

/** True for the project's change batches about the cluster (not the rival writer's). */
const isProjectBatchFor = (ctx: RequestContext, cluster: string) =>
  ctx.action === 'ChangeResourceRecordSets' &&
  !ctx.body.includes(`<Comment>${RIVAL_COMMENT}</Comment>`) &&
  ctx.body.toLowerCase().includes(`${cluster}.</name>`);

/**
 * Holds the project's change batches for the cluster at the proxy until `size` have arrived, so that they were all
 * planned before any of them is applied: overlap is certain, not left to timing.
 */
function holdBatches(cluster: string, size: number): Barrier {
  const barrier = new Barrier(size, BARRIER_TIMEOUT_MS);
  wiretap.next = async (ctx) => {
    if (isProjectBatchFor(ctx, cluster)) await barrier.arrive();
    return undefined;
  };
  return barrier;
}

/**
 * Holds each container's first ListResourceRecordSets at the proxy until `size` containers have sent one, so that
 * all of them were in flight, reading, at the same moment.
 */
function holdFirstReads(size: number): Barrier {
  const barrier = new Barrier(size, BARRIER_TIMEOUT_MS);
  const reading = new Set<string>();
  wiretap.next = async (ctx) => {
    const label = containerOf(ctx);
    if (ctx.action !== 'ListResourceRecordSets' || label === undefined || reading.has(label)) return undefined;
    reading.add(label);
    await barrier.arrive();
    return undefined;
  };
  return barrier;
}

/** Resolves true when `promise` settles within `ms`, false when it does not. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

function signal(): { readonly fired: Promise<void>; readonly fire: () => void } {
  let fire: () => void = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fired, fire };
}

/** True for a read of the cluster's records (the listing that starts at the cluster's name). */
const isReadOf = (ctx: RequestContext, cluster: string) =>
  ctx.action === 'ListResourceRecordSets' && (ctx.query.get('name') ?? '').toLowerCase().startsWith(cluster);

/**
 * Runs each step (an instance change, returning its event) followed at once by its own invocation, in its own
 * container, with neighbours racing for certain: invocation i's first change batch is held at the proxy until
 * invocation i + 1, started after step i + 1, has read the cluster's records (and been answered). So each invocation
 * plans on records its predecessor has not written yet, and from a fleet its predecessor did not see. Step i also
 * waits for invocation i - 2 to finish, so that no invocation that is free to write (only i - 1 is held) reads EC2
 * after step i before invocation i has read Route 53: each invocation finds its own step still to publish.
 * `overlapped[i]` says whether invocation i + 1 read while invocation i's batch was held.
 */
async function interleaved(
  steps: readonly (() => Promise<Record<string, unknown>>)[],
): Promise<{ results: BatchResult[]; overlapped: boolean[] }> {
  const labels: string[] = [];
  const sent = steps.map(() => signal());
  const read = steps.map(() => signal());
  const overlapped = steps.slice(1).map(() => false);
  const batched = new Set<number>();
  const reading = new Set<number>();
  wiretap.next = async (ctx) => {
    const i = labels.indexOf(containerOf(ctx) ?? '');
    if (i < 0) return undefined; // Not an invocation of the chain.
    if (isReadOf(ctx, C1) && !reading.has(i)) {
      reading.add(i);
      const answer = await sendOn(setup.world, ctx);
      read[i]?.fire();
      return answer;
    }
    // Only the invocation's first batch is held; later ones (after a conflict, or a check after writing) go on.
    if (!isProjectBatchFor(ctx, C1) || batched.has(i)) return undefined;
    batched.add(i);
    sent[i]?.fire();
    const next = read[i + 1];
    if (next !== undefined) overlapped[i] = await within(next.fired, BARRIER_TIMEOUT_MS);
    return undefined;
  };
  const invocations: Promise<BatchResult>[] = [];
  for (const [i, step] of steps.entries()) {
    await within(invocations[i - 2] ?? Promise.resolve(), BARRIER_TIMEOUT_MS);
    const body = await step();
    const c = lambda();
    labels.push(c.label);
    const invocation = processEvents(c.deps, [{ id: `e${i}`, body }]);
    invocations.push(invocation);
    await within(Promise.race([sent[i]?.fired, invocation]), BARRIER_TIMEOUT_MS);
  }
  return { results: await Promise.all(invocations), overlapped };
}

/**
 * Runs `meanwhile` while the project's first change batch is held at the proxy (planned and sent, not yet applied),
 * then lets that batch through: a slow writer, made deterministic.
 */
function whileFirstBatchIsHeld(meanwhile: () => Promise<void>): { readonly held: () => boolean } {
  let held = false;
  wiretap.next = async (ctx) => {
    if (held || ctx.action !== 'ChangeResourceRecordSets') return undefined;
    held = true;
    await meanwhile();
    return undefined;
  };
  return { held: () => held };
}

describe('concurrent invocations on one cluster', () => {
  it('publishes every node of a ten-node scale-out whose ten invocations race, and loses none', async () => {
    // Prepare
    const ips = addresses('10.0.1', 10);
    const ids = await launchAll(C1, ips);
    const barrier = holdBatches(C1, ids.length);
    // Act
    const results = await invokeConcurrently(ids.map((id) => setup.world.stateEvent(id, 'running')));
    // Assess
    expect(retried(results)).toEqual([]);
    expect(await current()).toEqual(lines(delegationSets(C1, numbered(ids, zip(ids, ips)))));
    // All ten batches were planned on the same empty read: the first one applied wins, the nine others conflict,
    // re-read, and find nothing left to do.
    expect(barrier.filled).toBe(true);
    const calls = setup.world.emulator.proxy.count('ChangeResourceRecordSets');
    const accepted = total(containers, METRIC.changeBatches);
    expect(calls).toBe(10);
    expect(accepted).toBe(1);
    expect(total(containers, METRIC.conflicts)).toBe(calls - accepted);
    expect(total(containers, METRIC.conflicts)).toBe(9);
    expect(wiretap.projectUpserts()).toEqual([]);
  });

  it('re-reads and publishes both nodes when another writer adds a node between its read and its write', async () => {
    // Prepare
    const [a = ''] = await launchAll(C1, ['10.0.0.11']);
    await invokeSequentially([setup.world.stateEvent(a, 'running')]);
    const [b = ''] = await launchAll(C1, ['10.0.0.12']);
    let c = '';
    let rivalWrote = false;
    wiretap.next = async (ctx) => {
      if (rivalWrote || !isProjectBatchFor(ctx, C1)) return undefined;
      rivalWrote = true;
      // A node our invocation did not see joins, and a second invocation publishes it first.
      c = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.13' });
      const before = delegationSets(C1, [[1, a, '10.0.0.11']]);
      const after = delegationSets(C1, [
        [1, a, '10.0.0.11'],
        [2, c, '10.0.0.13'],
      ]);
      await rivalWrite(setup.world.route53, setup.zoneId, swap(before, after));
      return undefined;
    };
    const ours = lambda();
    const sentBefore = wiretap.project(C1).length;
    // Act
    const result = await processEvents(ours.deps, [{ id: 'eb', body: setup.world.stateEvent(b, 'running') }]);
    // Assess
    expect(rivalWrote).toBe(true);
    expect(result.retry).toEqual([]);
    expect(result.outcomes.get(C1)?.status).toBe('changed');
    expect(await current()).toEqual(
      lines(
        delegationSets(C1, [
          [1, a, '10.0.0.11'],
          [2, c, '10.0.0.13'],
          [3, b, '10.0.0.12'],
        ]),
      ),
    );
    expect(ours.telemetry.messages('info')).toContain('conflicting writer; re-reading');
    expect(ours.telemetry.count(METRIC.conflicts)).toBe(1);
    expect(wiretap.project(C1).length - sentBefore).toBe(2);
    expect(wiretap.projectUpserts()).toEqual([]);
  });

  it('ends a simultaneous scale-in and scale-out where a sequential run would, with no change left to make', async () => {
    // Prepare
    const oldIps = addresses('10.0.2', 6);
    const old = await launchAll(C1, oldIps);
    await invokeSequentially(old.map((id) => setup.world.stateEvent(id, 'running')));
    const [s1 = '', s2 = '', s3 = '', s4 = '', s5 = '', s6 = ''] = [...old].sort();
    const ipOf = zip(old, oldIps);
    const leaving = [s2, s4, s6];
    for (const id of leaving) await setup.world.terminate(id);
    const newIps = ['10.0.2.11', '10.0.2.12', '10.0.2.13'];
    const joining = await launchAll(C1, newIps);
    const [n1 = '', n2 = '', n3 = ''] = [...joining].sort();
    for (const [id, ip] of zip(joining, newIps)) ipOf.set(id, ip);
    const events = [
      ...leaving.map((id) => setup.world.stateEvent(id, 'terminated')),
      ...joining.map((id) => setup.world.stateEvent(id, 'running')),
    ];
    const barrier = holdBatches(C1, events.length);
    setup.world.emulator.proxy.resetCounts();
    // Act
    const results = await invokeConcurrently(events);
    // Assess
    expect(retried(results)).toEqual([]);
    // Six batches planned on one read, each in one request: one applied, five conflicts that found nothing left to do.
    expect(barrier.filled).toBe(true);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(events.length);
    expect(total(containers, METRIC.conflicts)).toBe(events.length - 1);
    const after = await current();
    // Survivors keep their numbers; newcomers take the freed ones in instance-id order.
    const node = (slot: number, id: string): Node => [slot, id, ipOf.get(id) ?? ''];
    expect(after).toEqual(
      lines(delegationSets(C1, [node(1, s1), node(2, n1), node(3, s3), node(4, n2), node(5, s5), node(6, n3)])),
    );
    setup.world.emulator.proxy.resetCounts();
    const reference = await invokeSequentially(events);
    expect(reference.outcomes.get(C1)?.status).toBe('unchanged');
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(await current()).toEqual(after);
    expect(wiretap.projectUpserts()).toEqual([]);
  });

  it('converges when each instance change is followed at once by its own invocation, each planning before the one before it has written', async () => {
    // Prepare
    const oldIps = addresses('10.0.4', 6);
    const old = await launchAll(C1, oldIps);
    await invokeSequentially(old.map((id) => setup.world.stateEvent(id, 'running')));
    const [s1 = '', s2 = '', s3 = '', s4 = '', s5 = '', s6 = ''] = [...old].sort();
    const newIps = ['10.0.4.11', '10.0.4.12', '10.0.4.13'];
    const joined: string[] = [];
    const leave = (id: string) => async () => {
      await setup.world.terminate(id);
      return setup.world.stateEvent(id, 'terminated');
    };
    const join = (ip: string) => async () => {
      const id = await setup.world.launch({ cluster: C1, privateIp: ip });
      joined.push(id);
      return setup.world.stateEvent(id, 'running');
    };
    const changes = [
      leave(s2),
      join(newIps[0] ?? ''),
      leave(s4),
      join(newIps[1] ?? ''),
      leave(s6),
      join(newIps[2] ?? ''),
    ];
    // Act: each invocation plans while the one before it still holds its batch, each seeing the fleet at a
    // different moment.
    const { results, overlapped } = await interleaved(changes);
    // Assess
    expect(retried(results)).toEqual([]);
    const after = await current();
    const ownership = after.find((line) => line.startsWith(`_rlec-dns.${C1}.`)) ?? '';
    for (const [slot, id] of [
      [1, s1],
      [3, s3],
      [5, s5],
    ] as const) {
      expect(ownership).toContain(`"ns${slot}=${id}"`);
    }
    for (const id of joined) expect(ownership).toContain(`=${id}"`);
    for (const id of [s2, s4, s6]) expect(ownership).not.toContain(id);
    // The race happened: every neighbouring pair overlapped, and the second invocation's batch, planned before the
    // first one's was applied, lost to it (compare-and-swap) and was planned again.
    expect(overlapped).toEqual(changes.slice(1).map(() => true));
    expect(total(containers, METRIC.conflicts)).toBeGreaterThanOrEqual(1);
    setup.world.emulator.proxy.resetCounts();
    await invokeSequentially([...old, ...joined].map((id) => setup.world.stateEvent(id, 'running')));
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(await current()).toEqual(after);
    expect(wiretap.projectUpserts()).toEqual([]);
  });

  it('gives up after the configured attempts when the records change before every write, and still reconciles the other clusters', async () => {
    // Prepare
    const [a = '', d = ''] = await Promise.all([
      setup.world.launch({ cluster: C1, privateIp: '10.0.3.1' }),
      setup.world.launch({ cluster: C2, privateIp: '10.0.3.2' }),
    ]);
    await invokeSequentially([setup.world.stateEvent(a, 'running'), setup.world.stateEvent(d, 'running')]);
    const b = await setup.world.launch({ cluster: C1, privateIp: '10.0.3.3' });
    const e = await setup.world.launch({ cluster: C2, privateIp: '10.0.3.4' });
    let rivalWrites = 0;
    wiretap.next = async (ctx) => {
      if (!isProjectBatchFor(ctx, C1)) return undefined;
      // Before each of our batches, the rival rewrites the cluster's NS record (a new TTL each time).
      const ns = (await listAll(setup.world.route53, setup.zoneId)).find((r) => r.Name === `${C1}.` && r.Type === 'NS');
      if (ns === undefined) throw new Error('the cluster has no NS record to rewrite');
      await rivalWrite(setup.world.route53, setup.zoneId, swap([ns], [{ ...ns, TTL: (ns.TTL ?? 60) + 1 }]));
      rivalWrites += 1;
      return undefined;
    };
    const retry = { attempts: 4, baseMs: 5, maxMs: 50 };
    const ours = lambda(retry);
    const sentBefore = wiretap.project(C1).length;
    // Act
    const result = await processEvents(ours.deps, [
      { id: 'eb', body: setup.world.stateEvent(b, 'running') },
      { id: 'ee', body: setup.world.stateEvent(e, 'running') },
    ]);
    // Assess
    const c1 = result.outcomes.get(C1);
    expect(c1?.status).toBe('failed');
    const error = c1?.status === 'failed' ? c1.error : undefined;
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(`gave up after ${retry.attempts} attempts`);
    expect(result.retry).toEqual(['eb']);
    expect(wiretap.project(C1).length - sentBefore).toBe(retry.attempts);
    expect(rivalWrites).toBe(retry.attempts);
    expect(ours.telemetry.count(METRIC.conflicts)).toBe(retry.attempts);
    expect(ours.telemetry.count(METRIC.clustersFailed)).toBe(1);
    expect(result.outcomes.get(C2)?.status).toBe('changed');
    const c2Records = (await current()).filter((line) => line.includes(`${C2}.`));
    expect(c2Records).toEqual(
      lines(
        delegationSets(C2, [
          [1, d, '10.0.3.2'],
          [2, e, '10.0.3.4'],
        ]),
      ),
    );
    expect(wiretap.projectUpserts()).toEqual([]);
  });

  it('writes nothing when every event is replayed concurrently after the cluster has converged', async () => {
    // Prepare
    const ids = await launchAll(C1, addresses('10.0.5', 10));
    const events = ids.map((id) => setup.world.stateEvent(id, 'running'));
    await invokeSequentially(events);
    const converged = await current();
    setup.world.emulator.proxy.resetCounts();
    const reads = holdFirstReads(ids.length);
    // Act
    const results = await invokeConcurrently(events);
    // Assess: all ten were reading at the same moment
    expect(reads.filled).toBe(true);
    expect(retried(results)).toEqual([]);
    expect(results.map((r) => r.outcomes.get(C1)?.status)).toEqual(ids.map(() => 'unchanged'));
    expect(setup.world.emulator.proxy.count('ListResourceRecordSets')).toBeGreaterThanOrEqual(ids.length);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(await current()).toEqual(converged);
  });

  it('writes only DELETEs and CREATEs, never an UPSERT, as racing invocations create, change and remove a cluster', async () => {
    // Prepare
    const ips = addresses('10.0.6', 3);
    const ids = await launchAll(C1, ips);
    const [first = '', second = '', third = ''] = ids;
    // Act: racing creations, then a node replaced, then every node gone.
    const created = holdBatches(C1, 3);
    const outcomes = [...(await invokeConcurrently(ids.map((id) => setup.world.stateEvent(id, 'running'))))];
    await setup.world.terminate(first);
    const replacement = await setup.world.launch({ cluster: C1, privateIp: '10.0.6.9' });
    const replaced = holdBatches(C1, 2);
    outcomes.push(
      ...(await invokeConcurrently([
        setup.world.stateEvent(first, 'terminated'),
        setup.world.stateEvent(replacement, 'running'),
      ])),
    );
    const remaining = [second, third, replacement];
    for (const id of remaining) await setup.world.terminate(id);
    const removed = holdBatches(C1, 3);
    outcomes.push(...(await invokeConcurrently(remaining.map((id) => setup.world.stateEvent(id, 'terminated')))));
    // Assess
    expect(retried(outcomes)).toEqual([]);
    expect([created.filled, replaced.filled, removed.filled]).toEqual([true, true, true]);
    expect(await current()).toEqual([]);
    const sent = wiretap.project(C1);
    // One request per invocation and phase (3 + 2 + 3), each planned before any was applied.
    expect(sent).toHaveLength(8);
    expect(new Set(sent.flatMap((b) => b.actions))).toEqual(new Set(['CREATE', 'DELETE']));
    expect(wiretap.projectUpserts()).toEqual([]);
  });
});

/*
 * Compare-and-swap cannot catch these: an invocation whose plan comes out empty writes nothing for a slower writer
 * to conflict with. When a node flaps while an earlier invocation's batch (planned from an older EC2 view) is still
 * on its way, that batch lands last; only looking at EC2 again after the write puts it right. In AWS the window is
 * as long as a write is delayed (SDK retries of Throttling or PriorRequestNotComplete, a slow network).
 */
describe('a node that flaps while an earlier invocation is still writing', () => {
  it('removes the records of a node that terminated while its launch was being published', async () => {
    // Prepare
    const x = await setup.world.launch({ cluster: C1, privateIp: '10.0.7.1' });
    let later: BatchResult | undefined;
    const hold = whileFirstBatchIsHeld(async () => {
      // The launch invocation has read Route 53 (empty) and EC2 (x running) and sent its batch; x terminates, and
      // the termination's invocation runs to the end, finding nothing to write, before that batch is applied.
      await setup.world.terminate(x);
      later = await processEvents(lambda().deps, [{ id: 'terminated', body: setup.world.stateEvent(x, 'terminated') }]);
    });
    // Act
    const earlier = await processEvents(lambda().deps, [{ id: 'running', body: setup.world.stateEvent(x, 'running') }]);
    // Assess
    expect(hold.held()).toBe(true);
    expect(later?.outcomes.get(C1)?.status).toBe('unchanged');
    expect(earlier.retry).toEqual([]);
    expect(await current()).toEqual([]);
    expect(wiretap.projectUpserts()).toEqual([]);
  });

  it('keeps a node published that stopped and started again while its removal was being written', async () => {
    // Prepare
    const x = await setup.world.launch({ cluster: C1, privateIp: '10.0.7.1' });
    const y = await setup.world.launch({ cluster: C1, privateIp: '10.0.7.2' });
    await invokeSequentially([setup.world.stateEvent(x, 'running'), setup.world.stateEvent(y, 'running')]);
    const published = await current();
    await setup.world.stopInstance(x);
    let later: BatchResult | undefined;
    const hold = whileFirstBatchIsHeld(async () => {
      // The stop's invocation has planned x's removal and sent it; x starts again, and the start's invocation finds
      // x still published, so it writes nothing.
      await setup.world.startInstance(x);
      later = await processEvents(lambda().deps, [{ id: 'running', body: setup.world.stateEvent(x, 'running') }]);
    });
    // Act
    const earlier = await processEvents(lambda().deps, [{ id: 'stopped', body: setup.world.stateEvent(x, 'stopped') }]);
    // Assess
    expect(hold.held()).toBe(true);
    expect(later?.outcomes.get(C1)?.status).toBe('unchanged');
    expect(earlier.retry).toEqual([]);
    expect(await current()).toEqual(published);
    expect(wiretap.projectUpserts()).toEqual([]);
  });
});
