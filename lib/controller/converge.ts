/**
 * One cluster in one zone (a placement): plan against what Route 53 holds, and check the plan can be served. The
 * writes, one request per zone for every placement of a round, and the retries of lost races are placements.ts's.
 * Also here: what every stage shares (the EC2 snapshot, the records after a write, the log of a write, failures).
 */
import { type Plan, planCluster } from '../plan/plan.js';
import { describeRecord, keyOf, type RecordSet } from '../plan/records.js';
import { awsAttributes } from '../platform/aws-errors.js';
import { AwsPermanentError, DeferredError, isPermanent } from '../platform/errors.js';
import { METRIC } from '../platform/telemetry.js';
import { assertServed, createsDelegation } from '../registry/cuts.js';
import { describeOwner } from '../registry/ownership.js';
import type { HostedZone } from '../registry/zones.js';
import { type Fleet, groupMembers, taggedRunningInstances } from '../source/instances.js';
import { membersFor } from '../source/members.js';
import { isShortOfTime, type ReconcilerDeps } from './deps.js';
import type { ClusterOutcome } from './outcomes.js';

/** Apply writes; plan only reports what would be written (the CLI's `plan`, and `status`). */
export type Mode = 'apply' | 'plan';

/** What Route 53 holds at and below a cluster's name in one zone. */
export interface ClusterRead {
  readonly zone: HostedZone;
  readonly current: readonly RecordSet[];
}

export interface ConvergeOptions {
  readonly mode: Mode;
  /** Plan with no members: remove every record we made for the cluster in this zone (it is no longer its zone). */
  readonly retire?: boolean;
  /** Check the zone cuts of every cluster with records to write or keep (the sweep), not only of new ones. */
  readonly checkEveryCut?: boolean;
  /** Instances EC2 shows, for ownership records of the earlier form (ownership.ts). */
  readonly visible?: ReadonlySet<string>;
  /** True once this run has checked the cluster's zone cuts: checked once per run. */
  readonly served?: boolean;
}

export async function snapshot(deps: ReconcilerDeps): Promise<Fleet> {
  return groupMembers(await taggedRunningInstances(deps.ec2, deps.config.clusterTagKey), deps.config);
}

/** The cluster's records once a batch has been applied: Route 53 applies it whole, so this is known without a read. */
export function afterWrite(current: readonly RecordSet[], plan: Plan): RecordSet[] {
  const deleted = new Set(plan.changes.filter((c) => c.action === 'DELETE').map((c) => keyOf(c.record)));
  const kept = current.filter((r) => !deleted.has(keyOf(r)));
  return [...kept, ...plan.changes.filter((c) => c.action === 'CREATE').map((c) => c.record)];
}

/**
 * Refuses a cluster whose delegation DNS would not serve (registry/cuts.ts), before its first write, and on every
 * sweep. Returns whether the cuts are now known to be fine.
 */
async function checkServed(
  deps: ReconcilerDeps,
  read: ClusterRead,
  plan: Plan,
  fleet: Fleet,
  options: ConvergeOptions,
): Promise<boolean> {
  if (options.served === true || options.retire === true) return true;
  const creating = createsDelegation(plan.cluster, plan.changes);
  if (!creating && !(options.checkEveryCut === true && plan.desired.length > 0)) return false;
  await assertServed(deps.route53, read.zone, {
    cluster: plan.cluster,
    current: read.current,
    clusters: fleet.tagged,
    creating,
  });
  return true;
}

export function logWrite(
  deps: ReconcilerDeps,
  read: ClusterRead,
  plan: Plan,
  changeId: string | undefined,
  attempt: number,
): void {
  deps.telemetry.log.info('cluster records changed', {
    cluster: plan.cluster,
    zone: read.zone.name,
    hostedZoneId: read.zone.id,
    changeId,
    changes: plan.changes.map((c) => `${c.action} ${describeRecord(c.record)}`),
    members: plan.members.map((m) => `ns${m.slot}=${m.instanceId}@${[m.address, m.ipv6].filter(Boolean).join(',')}`),
    attempt,
  });
  deps.telemetry.metrics.addMetric(METRIC.recordsChanged, 'Count', plan.changes.length);
}

/** A placement planned: done (nothing to write, or a dry run), or with changes to write. */
export type Planned =
  | { readonly kind: 'done'; readonly outcome: ClusterOutcome; readonly served: boolean }
  | { readonly kind: 'write'; readonly plan: Plan; readonly served: boolean };

/**
 * Plans one cluster in one zone (a placement) against what Route 53 holds there, and checks the plan can be served.
 * Writing is the caller's (placements.ts), with every other placement of the zone in the same request.
 *
 * @throws any error of planning (foreign records, a hidden delegation, limits) or of the zone-cut reads.
 */
export async function planPlacement(
  deps: ReconcilerDeps,
  cluster: string,
  read: ClusterRead,
  fleet: Fleet,
  options: ConvergeOptions,
): Promise<Planned> {
  const plan = planCluster({
    cluster,
    current: read.current,
    members: options.retire ? [] : membersFor(fleet, cluster, read.zone),
    deployment: deps.config,
    visible: options.visible ?? new Set(),
    ttl: deps.config.recordTtl,
  });
  const base = { cluster, plan, zone: read.zone, records: read.current };
  if (plan.elsewhere !== undefined)
    return { kind: 'done', outcome: { ...base, status: 'elsewhere' }, served: options.served === true };
  const served = await checkServed(deps, read, plan, fleet, options);
  if (plan.changes.length === 0) return { kind: 'done', outcome: { ...base, status: 'unchanged' }, served };
  if (options.mode === 'plan') {
    const writes = [{ zone: read.zone, changes: plan.changes }];
    return { kind: 'done', outcome: { ...base, status: 'planned', writes }, served };
  }
  return { kind: 'write', plan, served };
}

/** Throws DeferredError when the invocation has too little time left to start another cluster. */
export function outOfTime(deps: ReconcilerDeps): void {
  const deferral = deferralOf(deps);
  if (deferral !== undefined) throw deferral;
}

/** A DeferredError when the invocation has too little time left to start more work, else undefined. */
export function deferralOf(deps: ReconcilerDeps): DeferredError | undefined {
  return isShortOfTime(deps)
    ? new DeferredError(`cluster deferred: the invocation is short of time; its events will be retried`)
    : undefined;
}

/** The outcome of a cluster that could not be reconciled, logged and counted as its kind of error says. */
export function failure(
  deps: ReconcilerDeps,
  cluster: string,
  error: unknown,
  known: { instances?: readonly string[] | undefined; read?: ClusterRead | undefined } = {},
): ClusterOutcome {
  const { log, metrics } = deps.telemetry;
  const named = known.instances !== undefined && known.instances.length > 0 ? { instanceIds: known.instances } : {};
  const where = { zone: known.read?.zone, records: known.read?.current };
  if (error instanceof DeferredError) {
    log.warn(error.message, { cluster });
    metrics.addMetric(METRIC.clustersDeferred, 'Count', 1);
    return { cluster, status: 'deferred', error };
  }
  if (isPermanent(error)) {
    const tagged = named.instanceIds === undefined ? '' : ` (tagged on ${named.instanceIds.join(', ')})`;
    const what = error instanceof AwsPermanentError ? `cluster ${cluster} refused: ` : '';
    log.error(`${what}${error.message}${tagged}`, { cluster, error: error.name, ...awsAttributes(error), ...named });
    metrics.addMetric(METRIC.clustersRefused, 'Count', 1);
    if (error instanceof AwsPermanentError) metrics.addMetric(METRIC.awsPermanentErrors, 'Count', 1);
    return { cluster, status: 'refused', error, ...where };
  }
  log.error('cluster not reconciled; it will be retried', { cluster, error: error as Error, ...named });
  metrics.addMetric(METRIC.clustersFailed, 'Count', 1);
  return { cluster, status: 'failed', error, ...where };
}

/** Logs and counts a cluster owned elsewhere; warns when instances here carry its tag. */
export function reportElsewhere(deps: ReconcilerDeps, outcome: ClusterOutcome, fleet: Fleet): void {
  if (outcome.status !== 'elsewhere' || outcome.plan.elsewhere === undefined) return;
  const { log, metrics } = deps.telemetry;
  const here = fleet.tagged.get(outcome.cluster) ?? [];
  const owner = describeOwner(outcome.plan.elsewhere);
  metrics.addMetric(METRIC.clustersElsewhere, 'Count', 1);
  if (here.length === 0) {
    log.debug('cluster owned elsewhere; left alone', { cluster: outcome.cluster, owner });
    return;
  }
  // Not an error of ours, but instances here carry a tag that this deployment cannot honour: say so.
  log.warn(
    `cluster ${outcome.cluster} is bound to ${owner}; instances here tagged with it are not published (${here.join(', ')})`,
    { cluster: outcome.cluster, owner, instanceIds: here },
  );
}
