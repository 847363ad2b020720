/**
 * (b) A burst of 500 events over 10 clusters in 3 zones through the queue, Route 53 limited to 5 requests/s, against
 * one full reconcile per event (measured on the first events, then extrapolated).
 */

import { sweep } from '../lib/controller/sweep.js';
import { DEFAULTS } from '../lib/platform/config.js';
import type { PacingOptions } from '../lib/platform/pacing.js';
import { CapturedTelemetry } from '../tools/world/telemetry.js';
import type { World } from '../tools/world/world.js';
import { container } from './container.js';
import type { Delivery } from './deployment.js';
import { type EventBody, type Fleet, type Node, seeded, shuffle } from './fleet.js';
import { extrapolate, figures, freshFleet, measured, pass, perEvent, type ScenarioResult } from './measure.js';
import { Route53RateLimit } from './rate-limit.js';
import { deliverThroughQueue } from './sqs.js';

export interface ScenarioBOptions {
  readonly delivery: Delivery;
  /** Each container's pacing of Route 53 requests (the deployed ROUTE53_RATE and ROUTE53_BURST). */
  readonly pacing: PacingOptions;
  /** Route 53's rate, enforced at the proxy. */
  readonly route53Rate: number;
  /** The visibility timeout used in the simulation, in seconds. */
  readonly visibilitySeconds: number;
  /** Events the per-event baseline runs before its figures are extrapolated. */
  readonly baselineEvents: number;
  /** The events reach the queue spread over this long. */
  readonly arrivalSeconds: number;
}

/**
 * (b) A burst of 500 events over 10 clusters in 3 zones, 300 unrelated instances, Route 53 limited to 5 requests/s,
 * delivered as SQS would. Each cluster starts with 10 published members; in the burst 2 of them terminate and 8 new
 * ones start; 300 unrelated instances start too.
 */
export async function scenarioB(world: World, options: ScenarioBOptions): Promise<ScenarioResult> {
  const layout: Record<string, string[]> = {
    'example.com': ['c1.example.com', 'c2.example.com', 'c3.example.com', 'c4.example.com'],
    'example.net': ['c5.example.net', 'c6.example.net', 'c7.example.net'],
    'example.org': ['c8.example.org', 'c9.example.org', 'c10.example.org'],
  };
  const build = async (fleet: Fleet) => {
    for (const [zone, clusters] of Object.entries(layout)) await fleet.zone(zone, clusters);
    const initial = new Map<string, Node[]>();
    for (const cluster of Object.values(layout).flat()) initial.set(cluster, await fleet.launch(10, cluster));
    // The clusters as they stood before the burst, published by one unmeasured sweep.
    await sweep(container({ route53Pacing: false }));
    const events: EventBody[] = [];
    for (const [cluster, members] of initial) {
      const leaving = members.slice(0, 2);
      await fleet.terminate(leaving);
      for (const node of leaving)
        events.push(fleet.stateEvent(node, 'shutting-down'), fleet.stateEvent(node, 'terminated'));
      for (const node of await fleet.launch(8, cluster)) {
        events.push(fleet.stateEvent(node, 'pending'), fleet.stateEvent(node, 'running'));
      }
    }
    for (const node of await fleet.launch(300)) events.push(fleet.stateEvent(node, 'running'));
    return shuffle(events, seeded(2));
  };
  const { delivery } = options;

  const ours = await freshFleet(world, build);
  const events = ours.built;
  const spread = (options.arrivalSeconds * 1000) / events.length;
  const limit = new Route53RateLimit(options.route53Rate);
  const containers: CapturedTelemetry[] = [];
  let report: Awaited<ReturnType<typeof deliverThroughQueue>> | undefined;
  const run = await measured(ours.fleet, limit, async () => {
    report = await deliverThroughQueue(
      events.map((body, i) => ({ atMs: i * spread, body })),
      { ...delivery, visibilityMs: options.visibilitySeconds * 1000 },
      () => {
        const telemetry = new CapturedTelemetry();
        containers.push(telemetry);
        return container({ route53Pacing: options.pacing }, telemetry);
      },
    );
  });
  if (report === undefined) throw new Error('scenario (b): no delivery report');
  const conflicts = containers.reduce((n, t) => n + t.count('Conflicts'), 0);
  const retried = containers.reduce((n, t) => n + t.count('EventsRetried'), 0);
  const batched = figures(run.counted, events.length, events.length, report.drainedMs / 1000, run.problems, [
    `${report.batches} batches (sizes ${report.batchSizes.join(', ')}) in ${report.containers} containers`,
    `longest batch ${(Math.max(...report.batchMs) / 1000).toFixed(1)} s (function timeout ${delivery.functionTimeoutSeconds} s)`,
    `${report.redeliveries} redeliveries, ${retried} events reported for retry, ${report.failedInvocations} failed invocations, ${conflicts} write conflicts`,
    `${report.deadLettered.length} events in the dead-letter queue`,
  ]);

  const theirs = await freshFleet(world, build);
  const subset = theirs.built.slice(0, options.baselineEvents);
  const base = await perEvent(theirs.fleet, subset, new Route53RateLimit(options.route53Rate), {
    route53Pacing: options.pacing,
  });
  const baseline = extrapolate(base, events.length, DEFAULTS.zoneCacheSeconds);

  return {
    key: 'b',
    title: 'burst through the queue',
    events: events.length,
    clusters: 10,
    zones: 3,
    instances: 10 * 18 + 300,
    unrelatedInstances: 300,
    conditions:
      `Events arriving over ${options.arrivalSeconds} s; Route 53 limited to ${options.route53Rate} requests/s; ` +
      `each container paces itself at ${options.pacing.ratePerSecond}/s (burst ${options.pacing.burst}); ` +
      `batches of up to ${delivery.batchSize}, ` +
      `${delivery.windowMs / 1000} s window, ${delivery.concurrency} at once; failed events back after ` +
      `${options.visibilitySeconds} s (deployed: ${delivery.visibilityTimeoutSeconds} s), dead-letter queue after ` +
      `${delivery.maxReceiveCount} receives`,
    batched,
    perEvent: baseline,
    targets: [
      {
        name: 'converged, nothing lost',
        value: batched.converged ? 'yes' : 'no',
        met: batched.converged,
      },
      pass(0, report.deadLettered.length, 'events in the dead-letter queue'),
      { name: 'time to converge', value: `${batched.seconds.toFixed(1)} s`, met: true },
    ],
  };
}
