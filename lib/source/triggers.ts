/**
 * From events to clusters: which clusters each event asks us to look at. Level-triggered: the event names an
 * instance; EC2, read now, says which cluster it belongs to; and the ownership records in Route 53 say which cluster
 * it belonged to (needed when a tag was removed or changed, or when EC2 no longer shows the instance at all).
 *
 * EC2 is read once for the batch: every instance carrying the cluster tag, in any state (terminated instances keep
 * their tags for about an hour, so a terminate event finds its cluster there), which is also the fleet the run plans
 * with. Then, by id, only the instances of stop and terminate events that read did not show: whether EC2 shows them
 * untagged (nothing to do) or not at all (their former cluster is looked up) decides whether Route 53 is searched.
 * The instances of `running` and `pending` events it did not show get a second look later in the run (late.ts):
 * in the read that follows the run's writes, at no cost, or by id when the run writes nothing.
 *
 * | event                                   | EC2 shows the instance           | clusters looked at                     |
 * |-----------------------------------------|----------------------------------|----------------------------------------|
 * | state change                            | tagged (any state)               | its tag's cluster                      |
 * | state change                            | untagged                         | none (a tag-change event covers it)    |
 * | running / pending                       | not in the tagged read           | none yet: a second look (late.ts)      |
 * | running                                 | tagged, still pending            | none: the event is retried             |
 * | stopping, stopped, terminated, …        | no longer                        | its former cluster (ownership lookup)  |
 * | tag change of the cluster key           | any                              | its tag's cluster (EC2's and the       |
 * |                                         |                                  | event's) + its former (ownership)      |
 * | tag change of the cluster key           | not yet, and the event tags it   | none: the event is retried             |
 * | tag change of the address-type key      | any                              | its tag's cluster                      |
 *
 * The ownership lookup first tries the clusters a warm container has seen the instance in (hints.ts: one one-record
 * read per cluster, kept only when the record lists the instance); what is left is one scan of every writable zone,
 * done at most once per invocation (registry/route53.ts's OwnershipScans, shared with the run).
 */

import type { ReconcilerDeps } from '../controller/deps.js';
import { NotYetVisibleError, type RlecDnsError } from '../platform/errors.js';
import { METRIC } from '../platform/telemetry.js';
import { isOwned, type OwnershipScans } from '../registry/route53.js';
import type { TriggerEvent } from './events.js';
import { confirmHints } from './hints.js';
import {
  clusterOf,
  type Fleet,
  groupMembers,
  type Instance,
  instancesByIds,
  type MemberProblem,
  taggedInstances,
} from './instances.js';
import type { StartingState, Unseen } from './late.js';

export interface Targets {
  readonly clusters: Set<string>;
  /** Permanent problems found while resolving (a refused tag value): logged, never retried. */
  readonly problems: MemberProblem[];
  /** Set when the event must be retried (EC2 does not show the instance yet). */
  transient?: RlecDnsError;
  /** Set when the instance waits for the run's second look (late.ts): a `running` or `pending` event's, unseen. */
  unseen?: string;
}

export interface Resolved {
  /** One per event, in order. */
  readonly targets: Targets[];
  /**
   * The fleet the events were resolved against (every running tagged instance), for the run's first round; undefined
   * when there were no events, or when the read by id showed a tagged running instance the fleet lacks (EC2 changed
   * between the two reads: the run then reads its own).
   */
  readonly fleet: Fleet | undefined;
  /** The instances of `running` and `pending` events the tagged read did not show, for the run's second look. */
  readonly unseen: Unseen;
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

/** States whose instance, unseen, waits for the second look; the others' is looked up by id at once. */
const startingUp = (state: string): state is StartingState => state === 'running' || state === 'pending';

function resolveOne(
  event: TriggerEvent,
  instance: Instance | undefined,
  deps: ReconcilerDeps,
  ask: { readonly lookup: Set<string>; readonly unseen: Map<string, StartingState> },
): Targets {
  if (event.kind === 'tag') return resolveTagChange(event, instance, deps, ask.lookup);
  const targets: Targets = { clusters: new Set(), problems: [] };
  const { instanceId, state } = event;
  if (instance === undefined && startingUp(state)) {
    if (ask.unseen.get(instanceId) !== 'running') ask.unseen.set(instanceId, state);
    targets.unseen = instanceId;
    return targets;
  }
  if (instance === undefined) {
    ask.lookup.add(instanceId);
    return targets;
  }
  if (state === 'running' && instance.state === 'pending') {
    targets.transient = new NotYetVisibleError(
      `instance ${instanceId} is running per the event but EC2 shows it pending`,
    );
    return targets;
  }
  // An untagged instance costs no Route 53 call: if it just lost its tag, the tag-change event covers it.
  addFromTags(targets, instance, deps);
  return targets;
}

/** EC2's view of the batch: the tagged instances (any state), then by id the stopped ones' it did not show. */
async function eventView(deps: ReconcilerDeps, events: readonly TriggerEvent[]) {
  const tagged = await taggedInstances(deps.ec2, deps.config.clusterTagKey);
  const instances = new Map(tagged.map((i) => [i.id, i]));
  const stopped = events.filter((e) => e.kind === 'state' && !startingUp(e.state)).map((e) => e.instanceId);
  const missing = [...new Set(stopped)].filter((id) => !instances.has(id));
  const late = missing.length === 0 ? [] : await instancesByIds(deps.ec2, missing);
  for (const instance of late) instances.set(instance.id, instance);
  // Tagged and running by id, yet absent from the tagged read: EC2 changed in between; that read is not the fleet.
  const changed = late.some((i) => i.state === 'running' && clusterOf(i, deps.config) !== undefined);
  return { tagged, instances, fleet: changed ? undefined : groupMembers(tagged, deps.config) };
}

/** The clusters the looked-up instances belonged to, per instance: confirmed hints first, then the scan. */
async function formerClusters(
  deps: ReconcilerDeps,
  lookup: ReadonlySet<string>,
  current: ReadonlyMap<string, ReadonlySet<string>>,
  scans: OwnershipScans,
): Promise<Map<string, string[]>> {
  const hints = new Map<string, string[]>();
  for (const id of lookup) {
    const candidates = deps.seen?.clustersOf(id, current.get(id)) ?? [];
    if (candidates.length > 0) hints.set(id, candidates);
  }
  const former = hints.size === 0 ? new Map<string, string[]>() : await confirmHints(deps, hints);
  const left = [...lookup].filter((id) => !former.has(id));
  if (former.size > 0)
    deps.telemetry.log.debug('former clusters found from what this container saw', {
      instances: former.size,
      scanned: left.length,
    });
  if (left.length === 0) return former;
  const owned = (await scans.findOwned(await deps.zones.writable())).filter(isOwned);
  for (const found of owned) {
    deps.seen?.rememberMembers(found.cluster, found.instanceIds);
    for (const id of found.instanceIds.filter((i) => left.includes(i))) {
      former.set(id, [...(former.get(id) ?? []), found.cluster]);
    }
  }
  return former;
}

/**
 * Resolves every event of a batch with one tagged-instance read (plus one by id for the stop and terminate events'
 * instances it does not show), and finds former clusters from confirmed hints or, failing those, one ownership scan
 * per zone at most. The unseen instances of `running` and `pending` events are left for the run's second look.
 */
export async function resolveTargets(
  deps: ReconcilerDeps,
  events: readonly TriggerEvent[],
  scans: OwnershipScans,
): Promise<Resolved> {
  if (events.length === 0) return { targets: [], fleet: undefined, unseen: new Map() };
  const view = await eventView(deps, events);
  const lookup = new Set<string>();
  const unseen = new Map<string, StartingState>();
  const all = events.map((event) => resolveOne(event, view.instances.get(event.instanceId), deps, { lookup, unseen }));
  if (lookup.size > 0) {
    const current = new Map<string, Set<string>>();
    events.forEach((event, i) => {
      for (const c of all[i]?.clusters ?? [])
        current.set(event.instanceId, (current.get(event.instanceId) ?? new Set()).add(c));
    });
    const former = await formerClusters(deps, lookup, current, scans);
    events.forEach((event, i) => {
      for (const cluster of former.get(event.instanceId) ?? []) all[i]?.clusters.add(cluster);
    });
    for (const id of lookup) {
      if (view.instances.has(id) || former.has(id)) continue;
      // Not an error (an untagged instance's terminated event after EC2 forgot it), but never a silent skip.
      deps.telemetry.log.info('instance unknown to EC2 and to every ownership record; nothing to do', {
        instanceId: id,
      });
      deps.telemetry.metrics.addMetric(METRIC.instancesUnknown, 'Count', 1);
    }
  }
  deps.seen?.rememberInstances(view.tagged, deps.config);
  return { targets: all, fleet: view.fleet, unseen };
}
