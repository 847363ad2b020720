/**
 * One cluster in one zone: plan against what Route 53 holds, check the plan can be served, write it as one
 * compare-and-swap, and when another writer won the race, re-read both Route 53 and EC2 and try again (bounded,
 * jittered: retry.ts). Nothing is mutated: the records after the write are returned beside the outcome.
 */
import { type Plan, planCluster } from '../plan/plan.js';
import { describeRecord, keyOf, type RecordSet } from '../plan/records.js';
import { awsAttributes } from '../platform/aws-errors.js';
import { AwsPermanentError, ConflictError, DeferredError, isPermanent } from '../platform/errors.js';
import { METRIC } from '../platform/telemetry.js';
import { applyChanges, ConflictDetected } from '../provider/route53.js';
import { assertServed, createsDelegation } from '../registry/cuts.js';
import { describeOwner } from '../registry/ownership.js';
import { readCluster } from '../registry/route53.js';
import type { HostedZone } from '../registry/zones.js';
import { type Fleet, groupMembers, taggedRunningInstances } from '../source/instances.js';
import { membersFor } from '../source/members.js';
import type { ReconcilerDeps } from './deps.js';
import type { ClusterOutcome } from './outcomes.js';
import { attemptsLeft, backoffMs, DEFAULT_RETRY, realSleep } from './retry.js';

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

export interface Converged {
  readonly outcome: ClusterOutcome;
  /** The cluster's records after this step (after the write, when one was made). */
  readonly read: ClusterRead;
  /** True when the zone cuts were checked (or need no check) in this step or before. */
  readonly served: boolean;
}

export async function snapshot(deps: ReconcilerDeps): Promise<Fleet> {
  return groupMembers(await taggedRunningInstances(deps.ec2, deps.config.clusterTagKey), deps.config);
}

/** The cluster's records once a batch has been applied: Route 53 applies it whole, so this is known without a read. */
function afterWrite(current: readonly RecordSet[], plan: Plan): RecordSet[] {
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

function logWrite(deps: ReconcilerDeps, read: ClusterRead, plan: Plan, changeId: string | undefined, attempt: number) {
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
  deps.telemetry.metrics.addMetric(METRIC.changeBatches, 'Count', 1);
}

/**
 * Plans and writes one cluster in one zone, retrying lost compare-and-swap races.
 *
 * @throws ConflictError when the records kept changing under us; any error of planning or writing.
 */
export async function converge(
  deps: ReconcilerDeps,
  cluster: string,
  first: ClusterRead,
  firstFleet: Fleet,
  options: ConvergeOptions,
): Promise<Converged> {
  const retry = deps.retry ?? DEFAULT_RETRY;
  let read = first;
  let fleet = firstFleet;
  let served = options.served === true;
  for (let attempt = 1; ; attempt += 1) {
    const plan = planCluster({
      cluster,
      current: read.current,
      members: options.retire ? [] : membersFor(fleet, cluster, read.zone),
      deployment: deps.config,
      visible: options.visible ?? new Set(),
      ttl: deps.config.recordTtl,
    });
    const base = { cluster, plan, zone: read.zone, records: read.current };
    if (plan.elsewhere !== undefined) return { outcome: { ...base, status: 'elsewhere' }, read, served };
    served = await checkServed(deps, read, plan, fleet, { ...options, served });
    if (plan.changes.length === 0) return { outcome: { ...base, status: 'unchanged' }, read, served };
    if (options.mode === 'plan') {
      const writes = [{ zone: read.zone, changes: plan.changes }];
      return { outcome: { ...base, status: 'planned', writes }, read, served };
    }
    try {
      const changeId = await applyChanges(
        deps.route53,
        read.zone.id,
        plan.changes,
        `rlec-dns ${deps.config.ownerId}: ${cluster}`,
      );
      logWrite(deps, read, plan, changeId, attempt);
      const writes = [{ zone: read.zone, changes: plan.changes, changeId }];
      const after = { zone: read.zone, current: afterWrite(read.current, plan) };
      return { outcome: { ...base, status: 'changed', writes }, read: after, served };
    } catch (error) {
      if (!(error instanceof ConflictDetected)) throw error;
      deps.telemetry.metrics.addMetric(METRIC.conflicts, 'Count', 1);
      if (!attemptsLeft(attempt, retry)) {
        const message = `cluster ${cluster}: records kept changing under us; gave up after ${attempt} attempts`;
        throw new ConflictError(message, { cause: error });
      }
      const delayMs = backoffMs(attempt, retry, deps.random ?? Math.random);
      deps.telemetry.log.info('conflicting writer; re-reading', { cluster, attempt, delayMs, reason: error.messages });
      await (deps.sleep ?? realSleep)(delayMs);
      read = { zone: read.zone, current: await readCluster(deps.route53, read.zone.id, cluster) };
      if (!options.retire) fleet = await snapshot(deps);
    }
  }
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
