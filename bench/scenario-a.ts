/**
 * (a) One batch of 50 events over 5 clusters in 2 zones, against one full reconcile per event; plus the same batch
 * delivered again, a batch of unrelated instances' events alone, and the batch under injected Route 53 faults.
 */

import { processEvents } from '../lib/controller/process-events.js';
import type { ClientOptions } from '../lib/platform/clients.js';
import { CapturedTelemetry } from '../tools/world/telemetry.js';
import type { World } from '../tools/world/world.js';
import { container } from './container.js';
import { type Fleet, type Node, seeded, shuffle } from './fleet.js';
import {
  type Counted,
  callFigures,
  figures,
  freshFleet,
  issue13,
  measured,
  pass,
  perEvent,
  ROUTE53_ACTIONS,
  type ScenarioResult,
  sum,
} from './measure.js';
import { noRateLimit, Route53Faults } from './rate-limit.js';

/**
 * (a) 50 events over 5 clusters in 2 zones, with unrelated instances among them, in one batch. Route 53 is not
 * rate-limited and pacing is off in both runs: this scenario is about the number of calls.
 */
export async function scenarioA(world: World): Promise<ScenarioResult> {
  const layout: Record<string, string[]> = {
    'example.com': ['c1.example.com', 'c2.example.com', 'c3.example.com'],
    'example.net': ['c4.example.net', 'c5.example.net'],
  };
  const build = async (fleet: Fleet) => {
    for (const [zone, clusters] of Object.entries(layout)) await fleet.zone(zone, clusters);
    const nodes: Node[] = [];
    for (const cluster of Object.values(layout).flat()) nodes.push(...(await fleet.launch(4, cluster)));
    nodes.push(...(await fleet.launch(5)));
    const events = nodes.flatMap((n) => [fleet.stateEvent(n, 'pending'), fleet.stateEvent(n, 'running')]);
    return shuffle(events, seeded(1));
  };
  const clientOptions: ClientOptions = { route53Pacing: false };
  const limit = noRateLimit(world);

  const ours = await freshFleet(world, build);
  const events = ours.built;
  const minimumTokens = await ours.fleet.changeTokensToExpected();
  const telemetry = new CapturedTelemetry();
  const deps = container(clientOptions, telemetry);
  const run = await measured(ours.fleet, limit, async () => {
    const result = await processEvents(
      deps,
      events.map((body, i) => ({ id: `m${i}`, body })),
    );
    if (result.retry.length > 0) throw new Error(`scenario (a): ${result.retry.length} events left to retry`);
  });
  const batched = {
    ...figures(run.counted, events.length, events.length, run.seconds, run.problems, []),
    changeTokens: run.changeTokens,
  };

  // The same batch delivered again (at-least-once delivery): every cluster is already right.
  const again = await measured(ours.fleet, limit, async () => {
    await processEvents(
      container(clientOptions),
      events.map((body, i) => ({ id: `d${i}`, body })),
    );
  });
  // A batch of nothing but unrelated instances' events, in a fresh container (empty zone cache).
  const unrelated = [...ours.fleet.nodes.values()].filter((n) => n.cluster === undefined);
  const quiet = await measured(ours.fleet, limit, async () => {
    await processEvents(
      container(clientOptions),
      unrelated.map((node, i) => ({ id: `u${i}`, body: ours.fleet.stateEvent(node, 'running') })),
    );
  });
  const route53Of = (counted: Counted) => sum(counted.calls, (a) => ROUTE53_ACTIONS.has(a));

  // The tagged instances' events alone, on a fresh world: no event names an instance the tagged read does not show.
  const tagged = await freshFleet(world, build);
  const taggedIds = new Set([...tagged.fleet.nodes.values()].filter((n) => n.cluster !== undefined).map((n) => n.id));
  const taggedEvents = tagged.built.filter((body) =>
    taggedIds.has(String((body.detail as Record<string, unknown>)['instance-id'])),
  );
  const taggedRun = await measured(tagged.fleet, limit, async () => {
    await processEvents(
      container(clientOptions),
      taggedEvents.map((body, i) => ({ id: `t${i}`, body })),
    );
  });

  // The whole batch again on a fresh world, with Route 53 answering PriorRequestNotComplete and Throttling.
  const faulty = await freshFleet(world, build);
  const faults = new Route53Faults();
  const faultTelemetry = new CapturedTelemetry();
  let retriedEvents = 0;
  const underFaults = await measured(faulty.fleet, faults, async () => {
    const result = await processEvents(
      container(clientOptions, faultTelemetry),
      faulty.built.map((body, i) => ({ id: `f${i}`, body })),
    );
    retriedEvents = result.retry.length;
  });
  const injected = [...faults.injected].map(([code, n]) => `${n} ${code}`).join(', ');
  batched.notes.push(
    `the same 50 events delivered again: ${route53Of(again.counted)} Route 53 calls, ` +
      `${again.counted.calls.ChangeResourceRecordSets ?? 0} ChangeResourceRecordSets`,
    `a batch of the ${unrelated.length} unrelated instances' events alone: ${route53Of(quiet.counted)} Route 53 calls, ` +
      `${quiet.counted.calls.DescribeInstances ?? 0} DescribeInstances`,
    `the ${taggedEvents.length} tagged instances' events alone, on a fresh world: ` +
      `${taggedRun.counted.calls.DescribeInstances ?? 0} DescribeInstances, ` +
      `${taggedRun.counted.calls.ChangeResourceRecordSets ?? 0} ChangeResourceRecordSets, ${taggedRun.problems.length === 0 ? 'converged' : 'NOT converged'}`,
    `under injected faults (${injected}): ${underFaults.problems.length === 0 ? 'converged' : 'NOT converged'} in ` +
      `${underFaults.seconds.toFixed(1)} s, ${retriedEvents} events left to retry, all faults retried by the SDK`,
  );

  const theirs = await freshFleet(world, build);
  const base = await perEvent(theirs.fleet, theirs.built, limit, clientOptions);
  const baseline = {
    ...figures(base.counted, events.length, events.length, base.seconds, base.problems, []),
    changeTokens: base.changeTokens,
  };
  // One batch: the physical minimum is one ChangeResourceRecordSets per zone.
  const zones = Object.keys(layout).length;
  const calls = (action: string) => batched.calls[action] ?? 0;

  return {
    key: 'a',
    title: 'one batch',
    events: events.length,
    clusters: 5,
    zones: 2,
    instances: 25,
    unrelatedInstances: 5,
    conditions: 'Route 53 not rate-limited, pacing off',
    batched,
    perEvent: baseline,
    targets: [
      pass(5, batched.calls.ChangeResourceRecordSets ?? 0, 'ChangeResourceRecordSets'),
      pass(10, batched.calls.ListResourceRecordSets ?? 0, 'ListResourceRecordSets'),
      pass(4, batched.calls.DescribeInstances ?? 0, 'DescribeInstances'),
      { name: 'converged', value: batched.converged ? 'yes' : 'no', met: batched.converged },
      pass(0, again.counted.calls.ChangeResourceRecordSets ?? 0, 'change calls when redelivered'),
      pass(0, route53Of(quiet.counted), 'Route 53 calls for unrelated instances'),
      {
        name: 'converged under injected Throttling and PriorRequestNotComplete, nothing to retry',
        value: underFaults.problems.length === 0 && retriedEvents === 0 ? 'yes' : 'no',
        met: underFaults.problems.length === 0 && retriedEvents === 0,
      },
      issue13({ ...pass(2, calls('ChangeResourceRecordSets'), 'ChangeResourceRecordSets'), limit: '= 2' }),
      issue13(pass(5, calls('ListResourceRecordSets'), 'ListResourceRecordSets')),
      issue13(pass(2, calls('DescribeInstances'), 'DescribeInstances')),
    ],
    figures: [
      ...callFigures(batched, baseline, { route53: zones, ec2: 1 }),
      { name: 'Route 53 requests', value: batched.route53Calls, minimum: zones, perEvent: baseline.route53Calls },
      { name: 'change tokens', value: run.changeTokens, minimum: minimumTokens, perEvent: base.changeTokens },
      { name: 'time to converge (s)', value: batched.seconds, perEvent: baseline.seconds, digits: 1 },
    ],
  };
}
