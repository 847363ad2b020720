/**
 * (d) Scale-in (issue 13): a burst of 200 terminations in one cluster, through the queue, under Route 53's 2026
 * limits. Reports the Route 53 requests, the change tokens used and the time to converge, each beside the physical
 * minimum and the per-event baseline (one full reconcile per event, as (b) measures it: on the first events of an
 * identical world, then extrapolated).
 */

import { sweep } from '../lib/controller/sweep.js';
import { DEFAULTS } from '../lib/platform/config.js';
import type { PacingOptions } from '../lib/platform/pacing.js';
import type { ThrottleModel } from '../tools/emulator/emulator.js';
import { CapturedTelemetry } from '../tools/world/telemetry.js';
import type { World } from '../tools/world/world.js';
import { container } from './container.js';
import type { Delivery } from './deployment.js';
import { type EventBody, type Fleet, seeded, shuffle } from './fleet.js';
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
} from './measure.js';
import { route53Limit } from './rate-limit.js';
import { deliverThroughQueue } from './sqs.js';

export interface ScenarioDOptions {
  readonly delivery: Delivery;
  readonly pacing: PacingOptions;
  readonly model: ThrottleModel;
  readonly visibilitySeconds: number;
  /** Members before the scale-in, and how many of them terminate. */
  readonly members: number;
  readonly terminations: number;
  /** The termination events reach the queue spread over this long. */
  readonly arrivalSeconds: number;
  /** Events the per-event baseline runs before its figures are extrapolated. */
  readonly baselineEvents: number;
}

const ZONE = 'example.com';
const CLUSTER = 'big.example.com';

/** One cluster of `members`, published; then `terminations` of them terminate, each sending shutting-down and terminated. */
async function build(fleet: Fleet, options: ScenarioDOptions): Promise<EventBody[]> {
  await fleet.zone(ZONE, [CLUSTER]);
  const members = await fleet.launch(options.members, CLUSTER);
  await sweep(container({ route53Pacing: false }));
  const leaving = members.slice(0, options.terminations);
  await fleet.terminate(leaving);
  const events = leaving.flatMap((node) => [
    fleet.stateEvent(node, 'shutting-down'),
    fleet.stateEvent(node, 'terminated'),
  ]);
  return shuffle(events, seeded(4));
}

export async function scenarioD(world: World, options: ScenarioDOptions): Promise<ScenarioResult> {
  const { delivery, model } = options;
  const ours = await freshFleet(world, (fleet) => build(fleet, options));
  const events = ours.built;
  const minimumTokens = await ours.fleet.changeTokensToExpected();
  const spread = (options.arrivalSeconds * 1000) / events.length;
  const lastEventMs = (events.length - 1) * spread;
  const telemetry: CapturedTelemetry[] = [];
  let report: Awaited<ReturnType<typeof deliverThroughQueue>> | undefined;
  const run = await measured(ours.fleet, route53Limit(world, model), async () => {
    report = await deliverThroughQueue(
      events.map((body, i) => ({ atMs: i * spread, body })),
      { ...delivery, visibilityMs: options.visibilitySeconds * 1000 },
      () => {
        const captured = new CapturedTelemetry();
        telemetry.push(captured);
        return container({ route53Pacing: options.pacing }, captured);
      },
    );
  });
  if (report === undefined) throw new Error('scenario (d): no delivery report');
  const conflicts = telemetry.reduce((n, t) => n + t.count('Conflicts'), 0);
  const lastChangeAfterEvent = run.lastChangeMs === undefined ? Number.NaN : (run.lastChangeMs - lastEventMs) / 1000;
  const changeMinimum = changeRequestsMinimum(ours.fleet, report.batchBodies);
  const batched = {
    ...figures(run.counted, events.length, events.length, report.drainedMs / 1000, run.problems, [
      `${report.batches} batches (sizes ${report.batchSizes.join(', ')}) in ${report.containers} containers`,
      `${report.redeliveries} redeliveries, ${report.failedInvocations} failed invocations, ${conflicts} write conflicts`,
      `${report.deadLettered.length} events in the dead-letter queue`,
      `last change ${lastChangeAfterEvent.toFixed(1)} s after the last event`,
    ]),
    changeTokens: run.changeTokens,
  };
  const baseline = await measureBaseline(world, options, events.length);
  return {
    key: 'd',
    title: 'scale-in',
    events: events.length,
    clusters: 1,
    zones: 1,
    instances: options.members,
    unrelatedInstances: 0,
    conditions:
      `${options.terminations} of ${options.members} members of one cluster terminate, their ${events.length} events ` +
      `arriving over ${options.arrivalSeconds} s; ${model.name}; each container paces itself at ` +
      `${Number(options.pacing.ratePerSecond.toFixed(2))}/s (burst ${options.pacing.burst}); batches of up to ${delivery.batchSize}, ` +
      `${delivery.windowMs / 1000} s window, ${delivery.concurrency} at once`,
    batched,
    perEvent: baseline,
    targets: [
      issue13({ name: 'converged, nothing lost', value: batched.converged ? 'yes' : 'no', met: batched.converged }),
      issue13(pass(0, report.deadLettered.length, 'events in the dead-letter queue')),
    ],
    figures: [
      ...callFigures(batched, baseline, { route53: changeMinimum, ec2: report.batches }),
      ...pacingFigures(telemetry, options.pacing.ratePerSecond),
      {
        name: 'Route 53 requests',
        value: batched.route53Calls,
        minimum: changeMinimum,
        perEvent: baseline.route53Calls,
      },
      {
        name: 'change tokens',
        value: run.changeTokens,
        minimum: minimumTokens,
        ...(baseline.changeTokens === undefined ? {} : { perEvent: baseline.changeTokens }),
      },
      { name: 'time to converge (s)', value: batched.seconds, perEvent: baseline.seconds, digits: 1 },
      { name: 'last event → last change (s)', value: lastChangeAfterEvent, digits: 1 },
    ],
  };
}

/** One full reconcile per event on a fresh, identical world, measured on the first events, then extrapolated. */
async function measureBaseline(world: World, options: ScenarioDOptions, events: number): Promise<RunFigures> {
  const theirs = await freshFleet(world, (fleet) => build(fleet, options));
  const subset = theirs.built.slice(0, options.baselineEvents);
  const base = await perEvent(theirs.fleet, subset, route53Limit(world, options.model), {
    route53Pacing: options.pacing,
  });
  return extrapolate(base, events, DEFAULTS.zoneCacheSeconds);
}
