/**
 * What the scenarios share: fresh worlds on the emulator, measured runs (the proxy's counters, Route 53's rate limit
 * or faults in force, the zones checked afterwards), the per-event baseline and its extrapolation, and the figures.
 */

import { sweep } from '../lib/controller/sweep.js';
import type { ClientOptions } from '../lib/platform/clients.js';
import type { World } from '../tools/world/world.js';
import { container } from './container.js';
import { type EventBody, Fleet } from './fleet.js';
import { install, type Route53Refusals } from './rate-limit.js';

export const ACTIONS = [
  'ListHostedZones',
  'ListResourceRecordSets',
  'ChangeResourceRecordSets',
  'GetChange',
  'DescribeInstances',
] as const;
export const ROUTE53_ACTIONS = new Set<string>(ACTIONS.filter((a) => a !== 'DescribeInstances'));

export interface RunFigures {
  /** Events the figures cover (measured; per-event runs may cover fewer than the scenario and be extrapolated). */
  readonly eventsMeasured: number;
  /** Calls answered, per action (throttled attempts not included). */
  readonly calls: Record<string, number>;
  /** Attempts answered `Throttling`, per action: each was retried by the SDK. */
  readonly throttled: Record<string, number>;
  readonly route53Calls: number;
  readonly route53PerEvent: number;
  readonly throttledTotal: number;
  readonly seconds: number;
  readonly converged: boolean;
  readonly problems: string[];
  /** Set when the figures are extrapolated from `eventsMeasured` events to the scenario's events. */
  readonly extrapolated: boolean;
  notes: string[];
}

export interface Target {
  readonly name: string;
  /** `≤ 5`, or absent for a yes/no target. */
  readonly limit?: string;
  readonly value: string;
  readonly met: boolean;
}

export interface ScenarioResult {
  readonly key: string;
  readonly title: string;
  readonly events: number;
  readonly clusters: number;
  readonly zones: number;
  readonly instances: number;
  readonly unrelatedInstances: number;
  readonly conditions: string;
  readonly batched: RunFigures;
  readonly perEvent: RunFigures;
  readonly targets: Target[];
}

export function snapshot(
  world: World,
  limit: Route53Refusals,
): { calls: Record<string, number>; throttled: Record<string, number> } {
  const counts = world.emulator.proxy.counts();
  const calls: Record<string, number> = {};
  const throttled: Record<string, number> = {};
  for (const action of new Set([...ACTIONS, ...Object.keys(counts)])) {
    const refused = limit.throttled.get(action) ?? 0;
    const answered = (counts[action] ?? 0) - refused;
    if (answered > 0 || (ACTIONS as readonly string[]).includes(action)) calls[action] = answered;
    if (refused > 0) throttled[action] = refused;
  }
  return { calls, throttled };
}

export const sum = (record: Record<string, number>, keep: (action: string) => boolean = () => true) =>
  Object.entries(record)
    .filter(([action]) => keep(action))
    .reduce((total, [, n]) => total + n, 0);

export function figures(
  counted: { calls: Record<string, number>; throttled: Record<string, number> },
  events: number,
  eventsMeasured: number,
  seconds: number,
  problems: string[],
  notes: string[],
): RunFigures {
  const route53Calls = sum(counted.calls, (a) => ROUTE53_ACTIONS.has(a));
  return {
    eventsMeasured,
    calls: counted.calls,
    throttled: counted.throttled,
    route53Calls,
    route53PerEvent: route53Calls / events,
    throttledTotal: sum(counted.throttled),
    seconds,
    converged: problems.length === 0,
    problems,
    extrapolated: eventsMeasured < events,
    notes,
  };
}

/** Resets the emulator and builds a fresh fleet in it with `build`. */
export async function freshFleet<T>(
  world: World,
  build: (fleet: Fleet) => Promise<T>,
): Promise<{ fleet: Fleet; built: T }> {
  await world.reset();
  const fleet = new Fleet(world);
  return { fleet, built: await build(fleet) };
}

/** Runs `measure` with the proxy's counters reset and the rate limit (if any) in force; then checks the zones. */
export async function measured(
  fleet: Fleet,
  limit: Route53Refusals,
  measure: () => Promise<void>,
): Promise<{ counted: ReturnType<typeof snapshot>; seconds: number; problems: string[] }> {
  const { proxy } = fleet.world.emulator;
  proxy.resetCounts();
  install(proxy, limit);
  const started = performance.now();
  await measure();
  const seconds = (performance.now() - started) / 1000;
  const counted = snapshot(fleet.world, limit);
  proxy.beforeForward = undefined;
  return { counted, seconds, problems: await fleet.problems() };
}

export type Counted = ReturnType<typeof snapshot>;

/** One full reconcile per event, in one container: what a per-event tool does. Keeps each event's own figures. */
export async function perEvent(
  fleet: Fleet,
  events: readonly EventBody[],
  limit: Route53Refusals,
  clientOptions: ClientOptions,
): Promise<{ counted: Counted; seconds: number; problems: string[]; each: { counted: Counted; seconds: number }[] }> {
  const deps = container(clientOptions);
  const each: { counted: Counted; seconds: number }[] = [];
  const result = await measured(fleet, limit, async () => {
    let before = snapshot(fleet.world, limit);
    for (const _event of events) {
      const began = performance.now();
      await sweep(deps);
      const after = snapshot(fleet.world, limit);
      each.push({ counted: minus(after, before), seconds: (performance.now() - began) / 1000 });
      before = after;
    }
  });
  return { ...result, each };
}

export function minus(after: Counted, before: Counted): Counted {
  const diff = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).map(([action, n]) => [action, n - (b[action] ?? 0)]));
  return { calls: diff(after.calls, before.calls), throttled: diff(after.throttled, before.throttled) };
}

export const pass = (limit: number, value: number, name: string): Target => ({
  name,
  limit: `≤ ${limit}`,
  value: String(value),
  met: value <= limit,
});

/**
 * Per-event figures for the whole scenario from its first events: the first reconcile does the writes, and every
 * later one reads the same world again, so the mean of the later ones stands for each remaining event.
 */
export function extrapolate(
  base: Awaited<ReturnType<typeof perEvent>>,
  events: number,
  zoneCacheSeconds: number,
): RunFigures {
  const later = base.each.slice(1);
  if (later.length === 0) throw new Error('the per-event baseline needs at least 2 events to extrapolate');
  const remaining = events - base.each.length;
  const mean = (pick: (step: (typeof later)[number]) => number) =>
    later.reduce((total, step) => total + pick(step), 0) / later.length;
  const grow = (record: Record<string, number>, pickFrom: (c: Counted) => Record<string, number>) =>
    Object.fromEntries(
      Object.entries(record).map(([action, n]) => [
        action,
        Math.round(n + remaining * mean((step) => pickFrom(step.counted)[action] ?? 0)),
      ]),
    );
  const seconds = base.seconds + remaining * mean((step) => step.seconds);
  // Hosted zones are cached per container: one listing per cache period, not a mean per event.
  const calls = { ...grow(base.counted.calls, (c) => c.calls), ListHostedZones: Math.ceil(seconds / zoneCacheSeconds) };
  const throttled = grow(base.counted.throttled, (c) => c.throttled);
  return figures({ calls, throttled }, events, base.each.length, seconds, base.problems, [
    `measured on the first ${base.each.length} of ${events} events and extrapolated: the first reconcile writes, ` +
      'each later one reads everything again',
    `measured: ${base.seconds.toFixed(1)} s, ${sum(base.counted.calls, (a) => ROUTE53_ACTIONS.has(a))} Route 53 ` +
      `calls, ${sum(base.counted.throttled)} throttled`,
  ]);
}
