/**
 * From events to clusters: which clusters each event asks us to look at. Level-triggered: the event names an
 * instance; EC2, read now, says which cluster it belongs to; and the ownership records in Route 53 say which cluster
 * it belonged to (needed when a tag was removed or changed, or when EC2 no longer shows the instance at all).
 */

import type { ReconcilerDeps } from '../controller/deps.js';
import { NotYetVisibleError, type RlecDnsError } from '../platform/errors.js';
import { METRIC } from '../platform/telemetry.js';
import { findOwned, isOwned } from '../registry/route53.js';
import type { TriggerEvent } from './events.js';
import { clusterOf, type Instance, instancesByIds, type MemberProblem } from './instances.js';

export interface Targets {
  readonly clusters: Set<string>;
  /** Permanent problems found while resolving (a refused tag value): logged, never retried. */
  readonly problems: MemberProblem[];
  /** Set when the event must be retried (EC2 does not show the instance yet). */
  transient?: RlecDnsError;
}

function addFromTags(targets: Targets, instance: Pick<Instance, 'id' | 'tags'>, deps: ReconcilerDeps): void {
  const cluster = clusterOf({ ...instance, state: 'unknown' }, deps.config);
  if (typeof cluster === 'string') targets.clusters.add(cluster);
  // The event's tags and EC2's usually hold the same value: report a refused one once.
  else if (cluster !== undefined && !targets.problems.some((p) => p.message === cluster.message)) {
    targets.problems.push(cluster);
  }
}

function resolveTagChange(
  event: TriggerEvent & { kind: 'tag' },
  instance: Instance | undefined,
  deps: ReconcilerDeps,
  lookup: Set<string>,
): Targets {
  const targets: Targets = { clusters: new Set(), problems: [] };
  const { clusterTagKey, addressTypeTagKey } = deps.config;
  if (!event.changedKeys.some((k) => k === clusterTagKey || k === addressTypeTagKey)) return targets;
  if (instance === undefined && event.tags[clusterTagKey] !== undefined) {
    targets.transient = new NotYetVisibleError(`instance ${event.instanceId} was tagged but EC2 does not show it yet`);
    return targets;
  }
  if (instance !== undefined) addFromTags(targets, instance, deps);
  addFromTags(targets, { id: event.instanceId, tags: event.tags }, deps);
  // The event shows the tags after the change only: the cluster it left is in the ownership records.
  if (event.changedKeys.includes(clusterTagKey)) lookup.add(event.instanceId);
  return targets;
}

function resolveOne(
  event: TriggerEvent,
  instance: Instance | undefined,
  deps: ReconcilerDeps,
  lookup: Set<string>,
): Targets {
  if (event.kind === 'tag') return resolveTagChange(event, instance, deps, lookup);
  const targets: Targets = { clusters: new Set(), problems: [] };
  const expectsRunning = event.state === 'running';
  if (instance === undefined || (expectsRunning && instance.state === 'pending')) {
    if (expectsRunning || event.state === 'pending') {
      targets.transient = new NotYetVisibleError(
        `instance ${event.instanceId} is ${event.state} per the event but EC2 does not show it yet`,
      );
    } else {
      lookup.add(event.instanceId);
    }
    return targets;
  }
  // An untagged instance costs no Route 53 call: if it just lost its tag, the tag-change event covers it.
  addFromTags(targets, instance, deps);
  return targets;
}

/** Resolves every event of a batch with one DescribeInstances (and one ownership scan, only if needed). */
export async function resolveTargets(deps: ReconcilerDeps, events: readonly TriggerEvent[]): Promise<Targets[]> {
  if (events.length === 0) return [];
  const ids = events.map((e) => e.instanceId);
  const instances = new Map((await instancesByIds(deps.ec2, ids)).map((i) => [i.id, i]));
  const lookup = new Set<string>();
  const all = events.map((event) => resolveOne(event, instances.get(event.instanceId), deps, lookup));
  if (lookup.size === 0) return all;

  const formerClusters = new Map<string, string[]>();
  const found = await findOwned(deps.route53, await deps.zones.writable(), deps.config);
  for (const owned of found.filter(isOwned)) {
    for (const id of owned.instanceIds.filter((i) => lookup.has(i))) {
      formerClusters.set(id, [...(formerClusters.get(id) ?? []), owned.cluster]);
    }
  }
  events.forEach((event, i) => {
    for (const cluster of formerClusters.get(event.instanceId) ?? []) all[i]?.clusters.add(cluster);
  });
  for (const id of lookup) {
    if (instances.has(id) || formerClusters.has(id)) continue;
    // Not an error (an untagged instance's terminated event after EC2 forgot it), but never a silent skip.
    deps.telemetry.log.info('instance unknown to EC2 and to every ownership record; nothing to do', { instanceId: id });
    deps.telemetry.metrics.addMetric(METRIC.instancesUnknown, 'Count', 1);
  }
  return all;
}
