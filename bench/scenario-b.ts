/**
 * (b) A burst of 500 events over 10 clusters in 3 zones through the queue, under one of Route 53's throttling models
 * (the old 5 requests/s, or the 2026 buckets), optionally with a second Route 53 client spending part of the
 * account's budget; against one full reconcile per event (measured on the first events, then extrapolated).
 */

import { sweep } from '../lib/controller/sweep.js';
import { DEFAULTS } from '../lib/platform/config.js';
import type { PacingOptions } from '../lib/platform/pacing.js';
import type { ThrottleModel } from '../tools/emulator/emulator.js';
import { CapturedTelemetry } from '../tools/world/telemetry.js';
import type { World } from '../tools/world/world.js';
import { container } from './container.js';
import type { Delivery } from './deployment.js';
import { type EventBody, type Fleet, type Node, seeded, shuffle } from './fleet.js';
import {
  callFigures,
  changeRequestsMinimum,
  extrapolate,
  figures,
  freshFleet,
  issue13,
  measured,
  pacingFigures,
  pass,
  perEvent,
  type RunFigures,
  type ScenarioResult,
  type Target,
} from './measure.js';
import { route53Limit } from './rate-limit.js';
import { startSecondClient } from './second-client.js';
import { deliverThroughQueue } from './sqs.js';

/** The second Route 53 client's share of the account's budget. */
export interface SecondClientShare {
  readonly requestFraction: number;
  readonly changeFraction?: number;
}

export interface ScenarioBOptions {
  /** `b` for the old model (the benchmark's first scenario (b), whose targets fail the run); others for variants. */
  readonly key: string;
  readonly title: string;
  readonly delivery: Delivery;
  /** Each container's pacing of Route 53 requests (the deployed ROUTE53_RATE and ROUTE53_BURST). */
  readonly pacing: PacingOptions;
  /** Route 53's limits, enforced at the proxy. */
  readonly model: ThrottleModel;
  /** A second Route 53 client in the account spending this share of its budget during the batched run. */
  readonly secondClient?: SecondClientShare;
  /** The visibility timeout used in the simulation, in seconds. */
  readonly visibilitySeconds: number;
  /** Events the per-event baseline runs before its figures are extrapolated. */
  readonly baselineEvents: number;
  /** A per-event baseline measured already under the same model (it is then not measured again). */
  readonly baseline?: RunFigures;
  /** The events reach the queue spread over this long. */
  readonly arrivalSeconds: number;
}

const LAYOUT: Record<string, string[]> = {
  'example.com': ['c1.example.com', 'c2.example.com', 'c3.example.com', 'c4.example.com'],
  'example.net': ['c5.example.net', 'c6.example.net', 'c7.example.net'],
  'example.org': ['c8.example.org', 'c9.example.org', 'c10.example.org'],
};
const LOAD_ZONE = 'other-tool.example';

/**
 * Each cluster starts with 10 published members; in the burst 2 of them terminate and 8 new ones start; 300
 * unrelated instances start too.
 */
async function build(fleet: Fleet): Promise<EventBody[]> {
  for (const [zone, clusters] of Object.entries(LAYOUT)) await fleet.zone(zone, clusters);
  const initial = new Map<string, Node[]>();
  for (const cluster of Object.values(LAYOUT).flat()) initial.set(cluster, await fleet.launch(10, cluster));
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
}

/** (b) 500 events, 10 clusters, 3 zones, 300 unrelated instances, delivered as SQS would. */
export async function scenarioB(world: World, options: ScenarioBOptions): Promise<ScenarioResult> {
  const { delivery, model } = options;
  const ours = await freshFleet(world, build);
  const events = ours.built;
  const minimumTokens = await ours.fleet.changeTokensToExpected();
  const loadZoneId = options.secondClient === undefined ? undefined : await world.zone(LOAD_ZONE);
  const share = options.secondClient;
  const spread = (options.arrivalSeconds * 1000) / events.length;
  const lastEventMs = (events.length - 1) * spread;
  const containers: CapturedTelemetry[] = [];
  let report: Awaited<ReturnType<typeof deliverThroughQueue>> | undefined;
  const run = await measured(
    ours.fleet,
    route53Limit(world, model),
    async () => {
      report = await deliverThroughQueue(
        events.map((body, i) => ({ atMs: i * spread, body })),
        { ...delivery, visibilityMs: options.visibilitySeconds * 1000 },
        () => {
          const telemetry = new CapturedTelemetry();
          containers.push(telemetry);
          return container({ route53Pacing: options.pacing }, telemetry);
        },
      );
    },
    share === undefined || loadZoneId === undefined
      ? undefined
      : () =>
          startSecondClient({
            endpoint: world.emulator.endpoint,
            zoneId: loadZoneId,
            zoneName: LOAD_ZONE,
            model,
            requestFraction: share.requestFraction,
            ...(share.changeFraction === undefined ? {} : { changeFraction: share.changeFraction }),
            maxRequests: 10_000,
            maxSeconds: 300,
          }),
  );
  if (report === undefined) throw new Error('scenario (b): no delivery report');
  const conflicts = containers.reduce((n, t) => n + t.count('Conflicts'), 0);
  const retried = containers.reduce((n, t) => n + t.count('EventsRetried'), 0);
  const lastChangeAfterEvent = run.lastChangeMs === undefined ? Number.NaN : (run.lastChangeMs - lastEventMs) / 1000;
  const load = run.secondClient;
  const batched: RunFigures = {
    ...figures(run.counted, events.length, events.length, report.drainedMs / 1000, run.problems, [
      `${report.batches} batches (sizes ${report.batchSizes.join(', ')}) in ${report.containers} containers`,
      `longest batch ${(Math.max(...report.batchMs) / 1000).toFixed(1)} s (function timeout ${delivery.functionTimeoutSeconds} s)`,
      `${report.redeliveries} redeliveries, ${retried} events reported for retry, ${report.failedInvocations} failed invocations, ${conflicts} write conflicts`,
      `${report.deadLettered.length} events in the dead-letter queue`,
      `last change ${lastChangeAfterEvent.toFixed(1)} s after the last event`,
      ...(load === undefined
        ? []
        : [
            `second client: ${Object.values(load.sent).reduce((a, b) => a + b, 0)} requests at ${load.ratePerSecond}/s ` +
              `over ${load.seconds.toFixed(1)} s, ${Object.values(load.throttled).reduce((a, b) => a + b, 0)} ` +
              `throttled, ${load.changeTokens} change tokens (not counted above)`,
          ]),
    ]),
    changeTokens: run.changeTokens,
  };

  const baseline = options.baseline ?? (await measureBaseline(world, options));
  const windowSeconds = delivery.windowMs / 1000;
  const changeMinimum = changeRequestsMinimum(ours.fleet, report.batchBodies);
  const kept: Target[] = [
    { name: 'converged, nothing lost', value: batched.converged ? 'yes' : 'no', met: batched.converged },
    pass(0, report.deadLettered.length, 'events in the dead-letter queue'),
    { name: 'time to converge', value: `${batched.seconds.toFixed(1)} s`, met: true },
  ];
  const timely = issue13({
    name: 'last change after the last event',
    limit: `≤ window + 1 s = ${windowSeconds + 1} s`,
    value: `${lastChangeAfterEvent.toFixed(1)} s`,
    met: lastChangeAfterEvent <= windowSeconds + 1,
  });
  return {
    key: options.key,
    title: options.title,
    events: events.length,
    clusters: 10,
    zones: 3,
    instances: 10 * 18 + 300,
    unrelatedInstances: 300,
    conditions:
      `Events arriving over ${options.arrivalSeconds} s; ${model.name}` +
      `${share === undefined ? '' : `; a second Route 53 client in the account spending ${share.requestFraction * 100} % of its request budget${share.changeFraction ? ` and ${share.changeFraction * 100} % of its change budget` : ''}`}; ` +
      `each container paces itself at ${Number(options.pacing.ratePerSecond.toFixed(2))}/s (burst ${options.pacing.burst}); ` +
      `batches of up to ${delivery.batchSize}, ` +
      `${delivery.windowMs / 1000} s window, ${delivery.concurrency} at once; failed events back after ` +
      `${options.visibilitySeconds} s (deployed: ${delivery.visibilityTimeoutSeconds} s), dead-letter queue after ` +
      `${delivery.maxReceiveCount} receives` +
      `${options.baseline === undefined ? '' : '; the per-event baseline is the one measured under the same model without the second client'}`,
    batched,
    perEvent: baseline,
    // The first scenario (b) keeps its targets (they fail the run); the variants' targets are issue 13's.
    targets: options.key === 'b' ? [...kept, timely] : [...kept.map(issue13), timely],
    figures: [
      ...callFigures(batched, baseline, { route53: changeMinimum, ec2: report.batches }),
      ...pacingFigures(containers, options.pacing.ratePerSecond),
      {
        name: 'Route 53 requests',
        value: batched.route53Calls,
        minimum: changeMinimum,
        perEvent: baseline.route53Calls,
      },
      { name: 'change tokens', value: run.changeTokens, minimum: minimumTokens, ...tokensOf(baseline) },
      { name: 'time to converge (s)', value: batched.seconds, perEvent: baseline.seconds, digits: 1 },
      { name: 'last event → last change (s)', value: lastChangeAfterEvent, digits: 1 },
    ],
  };
}

const tokensOf = (f: RunFigures) => (f.changeTokens === undefined ? {} : { perEvent: f.changeTokens });

/** One full reconcile per event on a fresh, identical world, measured on the first events, then extrapolated. */
async function measureBaseline(world: World, options: ScenarioBOptions): Promise<RunFigures> {
  const theirs = await freshFleet(world, build);
  const subset = theirs.built.slice(0, options.baselineEvents);
  const base = await perEvent(theirs.fleet, subset, route53Limit(world, options.model), {
    route53Pacing: options.pacing,
  });
  return extrapolate(base, theirs.built.length, DEFAULTS.zoneCacheSeconds);
}
