/**
 * A batch of events end to end: parse each, resolve them to clusters, reconcile each affected cluster once, and say
 * which events must be retried. Permanent problems (malformed event, refused tag, foreign records, a call AWS
 * refuses) are logged and counted, and never fail an event; transient ones, and clusters deferred for lack of time,
 * fail only the events that touch the cluster concerned. Events that are not for us (another source, a tag change
 * on a volume) are no problem at all: a debug line and their own count.
 */
import { awsAttributes } from '../platform/aws-errors.js';
import { AwsPermanentError, MalformedEventError } from '../platform/errors.js';
import { METRIC } from '../platform/telemetry.js';
import { OwnershipScans } from '../registry/route53.js';
import { parseTriggerEvent, type TriggerEvent } from '../source/events.js';
import type { Fleet } from '../source/instances.js';
import { type Sighting, type Unseen, unlooked } from '../source/late.js';
import { resolveTargets, type Targets } from '../source/triggers.js';
import type { ReconcilerDeps } from './deps.js';
import { type ClusterOutcome, needsRetry } from './outcomes.js';
import { ruleNeedsRetry } from './private-side.js';
import { runOnce } from './run-once.js';

export interface EventItem {
  /** SQS message id, or the EventBridge event id. */
  readonly id: string;
  readonly body: unknown;
}

export interface BatchResult {
  /** Ids of the items the platform should retry. */
  readonly retry: readonly string[];
  readonly outcomes: ReadonlyMap<string, ClusterOutcome>;
}

/**
 * Gives the events whose instance waited for the run's second look (source/late.ts) what it found: the cluster it
 * reconciled, the retry of one EC2 did not show yet, or nothing (no cluster tag; a refused value is logged, counted).
 */
function settleUnseen(deps: ReconcilerDeps, targets: Targets[], sightings: ReadonlyMap<string, Sighting>): void {
  const { log, metrics } = deps.telemetry;
  const reported = new Set<string>();
  for (const t of targets) {
    if (t.unseen === undefined) continue;
    const sighting = sightings.get(t.unseen) ?? unlooked(t.unseen);
    if (sighting.kind === 'member') t.clusters.add(sighting.cluster);
    else if (sighting.kind === 'not-yet') t.transient = sighting.error;
    else if (reported.has(t.unseen)) continue;
    else if (sighting.kind === 'refused') {
      log.error(sighting.problem.message, { instanceId: t.unseen, problem: sighting.problem.kind });
      metrics.addMetric(METRIC.tagsRefused, 'Count', 1);
    } else {
      log.debug('instance without the cluster tag per EC2; nothing to do', { instanceId: t.unseen });
    }
    reported.add(t.unseen);
  }
}

export async function processEvents(deps: ReconcilerDeps, items: readonly EventItem[]): Promise<BatchResult> {
  const { log, metrics } = deps.telemetry;
  const parsed: { item: EventItem; event: TriggerEvent }[] = [];
  for (const item of items) {
    try {
      const event = parseTriggerEvent(item.body);
      if (event.kind === 'ignored') {
        log.debug(`event not for us: ${event.reason}`, { messageId: item.id });
        metrics.addMetric(METRIC.eventsIgnored, 'Count', 1);
        continue;
      }
      parsed.push({ item, event });
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      log.error(error.message, { messageId: item.id, error: error.name });
      metrics.addMetric(METRIC.malformedEvents, 'Count', 1);
    }
  }
  let targets: Targets[];
  let fleet: Fleet | undefined;
  let unseen: Unseen = new Map();
  // One invocation's ownership scans: the resolve step and the run share them (one scan per zone at most).
  const scans = new OwnershipScans(deps.route53, deps.config);
  try {
    ({ targets, fleet, unseen } = await resolveTargets(
      deps,
      parsed.map((p) => p.event),
      scans,
    ));
  } catch (error) {
    // AWS refused the lookup itself (EC2 or the ownership scan denied): no event can be placed, and retrying cannot
    // help. Nothing is retried; the sweep puts every cluster right once a person has fixed it.
    if (!(error instanceof AwsPermanentError)) throw error;
    log.error(`events not processed: ${error.message}`, {
      events: items.length,
      error: error.name,
      ...awsAttributes(error),
    });
    metrics.addMetric(METRIC.awsPermanentErrors, 'Count', 1);
    return { retry: [], outcomes: new Map() };
  }
  const clusters = new Set<string>();
  targets.forEach((t, i) => {
    const event = parsed[i]?.event;
    for (const problem of t.problems) {
      log.error(problem.message, { instanceId: problem.instanceId, eventId: event?.id, problem: problem.kind });
      metrics.addMetric(METRIC.tagsRefused, 'Count', 1);
    }
    for (const cluster of t.clusters) clusters.add(cluster);
  });
  // The run plans its first round with the fleet the events were resolved against, read before Route 53: safe, as
  // run-once.ts's RunRequest.fleet explains (every write is followed by a fresh EC2 read and, if need be, a rewrite).
  const { outcomes, rules, sightings } = await runOnce(deps, {
    clusters: [...clusters],
    mode: 'apply',
    scans,
    unseen,
    ...(fleet === undefined ? {} : { fleet }),
  });
  settleUnseen(deps, targets, sightings);

  const retry: string[] = [];
  parsed.forEach(({ item, event }, i) => {
    const t = targets[i];
    const failed = [...(t?.clusters ?? [])].filter((c) => needsRetry(outcomes.get(c)) || ruleNeedsRetry(rules.get(c)));
    if (t?.transient === undefined && failed.length === 0) return;
    const reason = t?.transient?.message ?? `cluster(s) ${failed.join(', ')} not reconciled`;
    log.warn('event will be retried', { messageId: item.id, instanceId: event.instanceId, reason });
    metrics.addMetric(METRIC.eventsRetried, 'Count', 1);
    retry.push(item.id);
  });
  return { retry, outcomes };
}

/** True when nothing in the result calls for a retry. */
export const settled = (result: BatchResult): boolean => result.retry.length === 0;
