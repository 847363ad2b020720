/**
 * One ChangeResourceRecordSets request per zone per round, against the emulator (whose proxy applies Route 53's
 * batch rules): the clusters of a zone that a run changes go out together, each cluster's DELETEs and CREATEs its
 * own compare-and-swap inside the request. A cluster that lost a race is re-read and planned again; a cluster whose
 * part Route 53 rejects for good is refused; neither holds the others back.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { writesOf } from '../../lib/controller/outcomes.js';
import { processEvents } from '../../lib/controller/process-events.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import type { RequestContext } from '../../tools/emulator/emulator.js';
import { invalidChangeBatchError } from '../../tools/emulator/route53-errors.js';
import { listAll } from '../../tools/world/route53-helpers.js';
import { RIVAL_COMMENT, rivalWrite, touches, Wiretap } from '../support/concurrency.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();
let wiretap: Wiretap;
beforeEach(() => {
  wiretap = new Wiretap();
  wiretap.install(setup.world);
});

const names = (n: number, zone = 'example.com') => Array.from({ length: n }, (_, i) => `c${i + 1}.${zone}`);
const C3 = 'c3.example.com';

interface Node {
  readonly cluster: string;
  readonly id: string;
  readonly ip: string;
}

/** One node per cluster, launched, and their events. */
async function launchOneEach(clusters: readonly string[], octet = 1) {
  const nodes: Node[] = [];
  for (const [i, cluster] of clusters.entries()) {
    const ip = `10.0.${octet}.${i + 1}`;
    nodes.push({ cluster, id: await setup.world.launch({ cluster, privateIp: ip }), ip });
  }
  const events = nodes.map((n) => ({ id: `${n.cluster}-${n.id}`, body: setup.world.stateEvent(n.id, 'running') }));
  return { nodes, events };
}

/** The delegation each cluster should have with these nodes, numbered in instance-id order. */
const expectedOf = (cluster: string, nodes: readonly Node[]) =>
  delegation(
    cluster,
    nodes
      .filter((n) => n.cluster === cluster)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((n, i) => [i + 1, n.id, n.ip] as const),
  );

const recordsOf = (cluster: string, zoneId = setup.zoneId) => setup.world.clusterRecords(zoneId, cluster);

/** True for our change batch when it changes a record set of the cluster (the rival writer's are not ours). */
const isOurBatchWith = (ctx: RequestContext, cluster: string) =>
  ctx.action === 'ChangeResourceRecordSets' &&
  !ctx.body.includes(`<Comment>${RIVAL_COMMENT}</Comment>`) &&
  [...ctx.body.toLowerCase().matchAll(/<name>([^<]*)<\/name>/g)].some(
    ([, name]) => name === `${cluster}.` || (name ?? '').endsWith(`.${cluster}.`),
  );

describe('one request per zone', () => {
  it('writes five clusters of one zone in exactly one request, each logged with its change id', async () => {
    // Prepare
    const clusters = names(5);
    const { nodes, events } = await launchOneEach(clusters);
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await processEvents(setup.world.deps(), events);

    // Assess
    expect(result.retry).toEqual([]);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(1);
    expect(setup.world.telemetry.count(METRIC.changeBatches)).toBe(1);
    for (const cluster of clusters) expect(await recordsOf(cluster)).toEqual(expectedOf(cluster, nodes));
    const logged = setup.world.telemetry.lines.filter((l) => l.message === 'cluster records changed');
    expect(logged.map((l) => l.attributes.cluster).sort()).toEqual(clusters);
    for (const cluster of clusters) {
      const outcome = result.outcomes.get(cluster);
      const writes = outcome === undefined ? [] : writesOf(outcome);
      const line = logged.find((l) => l.attributes.cluster === cluster);
      expect(writes).toHaveLength(1);
      expect(writes[0]?.changeId).toEqual(expect.any(String));
      expect(line?.attributes.changeId).toBe(writes[0]?.changeId);
    }
  });

  it('writes clusters of two zones in one request to each zone', async () => {
    // Prepare
    const org = await setup.world.zone('example.org');
    const com = names(3);
    const other = names(2, 'example.org');
    const { nodes, events } = await launchOneEach([...com, ...other]);
    const requestsTo = new Map<string, number>();
    wiretap.next = (ctx) => {
      const zoneId = /\/hostedzone\/([^/]+)\/rrset/.exec(ctx.path)?.[1] ?? '';
      if (ctx.action === 'ChangeResourceRecordSets') requestsTo.set(zoneId, (requestsTo.get(zoneId) ?? 0) + 1);
      return undefined;
    };
    setup.world.emulator.proxy.resetCounts();

    // Act
    const result = await processEvents(setup.world.deps(), events);

    // Assess
    expect(result.retry).toEqual([]);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(2);
    expect(Object.fromEntries(requestsTo)).toEqual({ [setup.zoneId]: 1, [org]: 1 });
    for (const cluster of com) expect(await recordsOf(cluster)).toEqual(expectedOf(cluster, nodes));
    for (const cluster of other) expect(await recordsOf(cluster, org)).toEqual(expectedOf(cluster, nodes));
  });
});

describe('one cluster’s part spoils the request', () => {
  it('writes the others at once when another writer changed c3 between read and write, and c3 after a re-read', async () => {
    // Prepare: five published clusters of one node; a second node joins each
    const clusters = names(5);
    const first = await launchOneEach(clusters, 1);
    await processEvents(setup.world.deps(), first.events);
    const second = await launchOneEach(clusters, 2);
    // Numbers are stable: each cluster's first node keeps ns1, the joining one takes ns2.
    const twoNodes = (cluster: string) =>
      delegation(
        cluster,
        [first.nodes, second.nodes].map((list, i) => {
          const node = list.find((n) => n.cluster === cluster);
          return [i + 1, node?.id ?? '', node?.ip ?? ''] as const;
        }),
      );
    let rivalWrote = false;
    let othersBeforeC3Again: string[][] = [];
    wiretap.next = async (ctx) => {
      if (!isOurBatchWith(ctx, C3)) return undefined;
      if (!rivalWrote) {
        // Our request is on its way: another writer rewrites c3's NS record first (a new TTL).
        rivalWrote = true;
        const ns = (await listAll(setup.world.route53, setup.zoneId)).find(
          (r) => r.Name === `${C3}.` && r.Type === 'NS',
        );
        if (ns === undefined) throw new Error('c3 has no NS record to rewrite');
        await rivalWrite(setup.world.route53, setup.zoneId, [
          { Action: 'DELETE', ResourceRecordSet: ns },
          { Action: 'CREATE', ResourceRecordSet: { ...ns, TTL: 61 } },
        ]);
      } else {
        othersBeforeC3Again = await Promise.all(clusters.filter((c) => c !== C3).map((c) => recordsOf(c)));
      }
      return undefined;
    };
    setup.world.telemetry.clear();
    const sentBefore = wiretap.project().length;

    // Act
    const result = await processEvents(setup.world.deps(), second.events);

    // Assess: the joint request lost on c3; the four others went again at once, alone; then c3, re-read
    expect(result.retry).toEqual([]);
    const sent = wiretap.project().slice(sentBefore);
    const carried = sent.map((b) => clusters.filter((c) => touches(b, c)));
    expect(carried).toEqual([clusters, clusters.filter((c) => c !== C3), [C3]]);
    expect(othersBeforeC3Again).toEqual(clusters.filter((c) => c !== C3).map(twoNodes));
    for (const cluster of clusters) {
      expect(result.outcomes.get(cluster)?.status).toBe('changed');
      expect(await recordsOf(cluster)).toEqual(twoNodes(cluster));
    }
    expect(setup.world.telemetry.count(METRIC.conflicts)).toBe(1);
    expect(setup.world.telemetry.count(METRIC.changeBatches)).toBe(2);
    const conflict = setup.world.telemetry.lines.filter((l) => l.message === 'conflicting writer; re-reading');
    expect(conflict.map((l) => l.attributes.cluster)).toEqual([C3]);
    expect(wiretap.projectUpserts()).toEqual([]);
  });

  it('refuses c3 when Route 53 rejects its part for good, writes the others, and retries nothing', async () => {
    // Prepare: Route 53 refuses c3's glue with a reason that names it and is no conflict
    const clusters = names(5);
    const { nodes, events } = await launchOneEach(clusters);
    const reason = `RRSet of type A with DNS name ns1.${C3}. is not permitted as it conflicts with other records with the same DNS name in zone example.com.`;
    wiretap.next = (ctx) => (isOurBatchWith(ctx, C3) ? invalidChangeBatchError([reason]) : undefined);

    // Act
    const result = await processEvents(setup.world.deps(), events);

    // Assess
    expect(result.retry).toEqual([]);
    const c3 = result.outcomes.get(C3);
    expect(c3?.status).toBe('refused');
    expect(c3?.status === 'refused' && c3.error.message).toContain(`ns1.${C3}.`);
    expect(await recordsOf(C3)).toEqual([]);
    for (const cluster of clusters.filter((c) => c !== C3)) {
      expect(result.outcomes.get(cluster)?.status).toBe('changed');
      expect(await recordsOf(cluster)).toEqual(expectedOf(cluster, nodes));
    }
    // The joint request, then the four others alone: no halving, no retry of c3
    expect(wiretap.project().map((b) => clusters.filter((c) => touches(b, c)))).toEqual([
      clusters,
      clusters.filter((c) => c !== C3),
    ]);
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(1);
    expect(setup.world.telemetry.count(METRIC.conflicts)).toBe(0);
  });

  it('halves the request until c3 is alone when Route 53’s reason names no record, and refuses only c3', async () => {
    // Prepare
    const clusters = names(5);
    const { nodes, events } = await launchOneEach(clusters);
    const reason = "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address encountered with '10.0.1.3''";
    wiretap.next = (ctx) => (isOurBatchWith(ctx, C3) ? invalidChangeBatchError([reason]) : undefined);

    // Act
    const result = await processEvents(setup.world.deps(), events);

    // Assess
    expect(result.retry).toEqual([]);
    expect(result.outcomes.get(C3)?.status).toBe('refused');
    for (const cluster of clusters.filter((c) => c !== C3)) {
      expect(result.outcomes.get(cluster)?.status).toBe('changed');
      expect(await recordsOf(cluster)).toEqual(expectedOf(cluster, nodes));
    }
    const withC3 = wiretap.project().filter((b) => touches(b, C3));
    expect(withC3.map((b) => clusters.filter((c) => touches(b, c)).length)).toEqual([5, 3, 1]);
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(1);
  });
});
