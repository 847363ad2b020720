/**
 * (e) What the zone-cut check costs (issue 9 §2): Route 53 reads for a cluster's first write and for a sweep, for
 * clusters directly below the zone apex (no name between: no extra read) and two labels deeper (two names between:
 * one one-record ListResourceRecordSets each). Printed by `npm run bench`; the counts are exact, not timed.
 */
import { processEvents } from '../lib/controller/process-events.js';
import { sweep } from '../lib/controller/sweep.js';
import type { World } from '../tools/world/world.js';
import { container } from './container.js';

export interface CutCost {
  readonly depth: string;
  readonly clusters: number;
  /** ListResourceRecordSets calls of the batch that publishes the clusters for the first time. */
  readonly firstWrite: number;
  /** ListResourceRecordSets calls of a sweep that finds them in step. */
  readonly sweep: number;
}

async function measure(world: World, depth: string, names: readonly string[]): Promise<CutCost> {
  await world.reset();
  await world.zone('example.com');
  const deps = container({ route53Pacing: false });
  const events = [];
  for (const cluster of names) events.push(world.stateEvent(await world.launch({ cluster }), 'running'));
  world.emulator.proxy.resetCounts();
  await processEvents(
    deps,
    events.map((body, i) => ({ id: `m${i}`, body })),
  );
  const firstWrite = world.emulator.proxy.count('ListResourceRecordSets');
  world.emulator.proxy.resetCounts();
  await sweep(deps);
  return { depth, clusters: names.length, firstWrite, sweep: world.emulator.proxy.count('ListResourceRecordSets') };
}

export async function zoneCutCosts(world: World): Promise<CutCost[]> {
  const shallow = Array.from({ length: 10 }, (_, i) => `c${i}.example.com`);
  const deep = Array.from({ length: 10 }, (_, i) => `c${i}.b.a.example.com`);
  return [
    await measure(world, 'c<N>.example.com (no name between apex and cluster)', shallow),
    await measure(world, 'c<N>.b.a.example.com (2 names between)', deep),
  ];
}

export function cutCostLines(costs: readonly CutCost[]): string[] {
  return [
    '(e) zone-cut check: ListResourceRecordSets per run (10 clusters, 1 member each)',
    ...costs.map(
      (c) =>
        `    ${c.depth.padEnd(56)} first write ${String(c.firstWrite).padStart(3)}   sweep ${String(c.sweep).padStart(3)}`,
    ),
    '    each name between the apex and a cluster costs one one-record read, before the first write and on the sweep',
  ];
}
