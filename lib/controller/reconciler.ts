/**
 * The controller: read → plan → apply, per cluster, with compare-and-swap writes and bounded, jittered retries when
 * another writer wins the race. Route 53 is read before EC2, so the EC2 view a plan uses is never older than the
 * records it replaces.
 *
 * After writing, EC2 is read once more (one call for every cluster written) and each written cluster is planned
 * again against the records it now has. Compare-and-swap alone cannot catch an invocation whose plan came out empty:
 * it writes nothing for a slower writer to conflict with. If a node flaps while an earlier invocation's batch is
 * still on its way, that batch lands last with a stale view; the read after the write sees it and puts it right.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { ownerName } from '../plan/names.js';
import { type Plan, planCluster } from '../plan/plan.js';
import { describeRecord, keyOf, type RecordSet } from '../plan/records.js';
import { awsAttributes } from '../platform/aws-errors.js';
import type { Config } from '../platform/config.js';
import {
  AwsPermanentError,
  ConflictError,
  DeferredError,
  isPermanent,
  type PermanentError,
} from '../platform/errors.js';
import { METRIC, type Telemetry } from '../platform/telemetry.js';
import { applyChanges, ConflictDetected } from '../provider/route53.js';
import { assertServed, createsDelegation } from '../registry/cuts.js';
import { claimOf, describeOwner, ownershipIn } from '../registry/ownership.js';
import { readCluster } from '../registry/route53.js';
import type { HostedZone, ZoneDirectory } from '../registry/zones.js';
import { type Fleet, groupMembers, instancesByIds, taggedRunningInstances } from '../source/instances.js';

export interface RetryOptions {
  /** Attempts per cluster when another writer changes its records between our read and our write. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseMs: 100, maxMs: 2000 };

/** Write-then-check rounds per cluster before leaving the rest to the next event or the sweep. */
const VERIFY_ROUNDS = 3;

export interface ReconcilerDeps {
  readonly route53: Route53Client;
  readonly ec2: EC2Client;
  readonly config: Config;
  readonly zones: ZoneDirectory;
  readonly telemetry: Telemetry;
  readonly retry?: RetryOptions;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** When true, plan only: nothing is written (the CLI's `plan`). */
  readonly dryRun?: boolean;
  /** Time left in the invocation (Lambda's `getRemainingTimeInMillis`): clusters not started in time are deferred. */
  readonly timeLeftMs?: () => number;
}

/** A cluster is not started with less time left than this: a deferred cluster is retried, a cut-off one is not. */
export const MIN_TIME_LEFT_MS = 10_000;

export type ClusterOutcome =
  | { readonly cluster: string; readonly status: 'unchanged'; readonly plan: Plan; readonly zone: HostedZone }
  | {
      readonly cluster: string;
      readonly status: 'changed';
      readonly plan: Plan;
      readonly zone: HostedZone;
      readonly changeId?: string | undefined;
    }
  | {
      /** Bound to another account or Region (plan.elsewhere says whose): never touched here, and not an error. */
      readonly cluster: string;
      readonly status: 'elsewhere';
      readonly plan: Plan;
      readonly zone: HostedZone;
    }
  | { readonly cluster: string; readonly status: 'refused'; readonly error: PermanentError }
  /** Not started: the invocation was short of time. Not a failure, but its events are retried (process-events). */
  | { readonly cluster: string; readonly status: 'deferred'; readonly error: DeferredError }
  | { readonly cluster: string; readonly status: 'failed'; readonly error: unknown };

/** The outcomes whose events must come back: the cluster was not reconciled, and may be on a later delivery. */
export const needsRetry = (outcome: ClusterOutcome | undefined): boolean =>
  outcome?.status === 'failed' || outcome?.status === 'deferred';

const EMPTY_FLEET: Fleet = { clusters: new Map(), tagged: new Map(), problems: [] };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function snapshot(deps: ReconcilerDeps): Promise<Fleet> {
  return groupMembers(await taggedRunningInstances(deps.ec2, deps.config.clusterTagKey), deps.config);
}

function reportProblems(deps: ReconcilerDeps, fleet: Fleet, clusters: ReadonlySet<string>): void {
  for (const problem of fleet.problems) {
    if (problem.cluster === undefined || !clusters.has(problem.cluster)) continue;
    deps.telemetry.log.warn(problem.message, {
      cluster: problem.cluster,
      instanceId: problem.instanceId,
      problem: problem.kind,
    });
    deps.telemetry.metrics.addMetric(METRIC.membersUnpublished, 'Count', 1);
  }
}

interface Read {
  readonly zone: HostedZone;
  current: readonly RecordSet[];
  /** Set once the zone cuts above and below the cluster were checked in this run (lib/registry/cuts.ts). */
  served?: true;
}

/**
 * The instances our EC2 shows among those that ownership records of the earlier form (no account, no Region) list
 * and the fleet does not: they settle whose such a record is. One call for all, and none once records are upgraded.
 */
async function legacyInstances(deps: ReconcilerDeps, reads: ReadonlyMap<string, Read>, fleet: Fleet) {
  const members = new Set([...fleet.clusters.values()].flat().map((m) => m.instanceId));
  const wanted = [...reads].flatMap(([cluster, read]) => {
    const ownership = ownershipIn(ownerName(cluster), read.current);
    if (claimOf(ownership, deps.config).kind !== 'legacy') return [];
    return [...(ownership?.slots.keys() ?? [])].filter((id) => !members.has(id));
  });
  const found = wanted.length === 0 ? [] : await instancesByIds(deps.ec2, wanted);
  return new Set([...members, ...found.map((i) => i.id)]);
}

function reportElsewhere(deps: ReconcilerDeps, outcome: ClusterOutcome, fleet: Fleet): void {
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

/** The cluster's records once a batch has been applied: Route 53 applies it whole, so this is known without a read. */
function afterWrite(current: readonly RecordSet[], plan: Plan): RecordSet[] {
  const deleted = new Set(plan.changes.filter((c) => c.action === 'DELETE').map((c) => keyOf(c.record)));
  const kept = current.filter((r) => !deleted.has(keyOf(r)));
  return [...kept, ...plan.changes.filter((c) => c.action === 'CREATE').map((c) => c.record)];
}

interface ConvergeOptions {
  /** Plan with no members: remove every record we made for the cluster in this zone. */
  readonly retire?: boolean;
  /** Check the zone cuts of every cluster with records to write or keep (the sweep), not only of new ones. */
  readonly checkEveryCut?: boolean;
}

export interface ReconcileOptions {
  /**
   * The sweep: check that no delegation above hides each cluster (one small read per name between the zone apex
   * and the cluster), not only before a cluster's first write.
   */
  readonly checkEveryCut?: boolean;
}

/** Refuses a cluster whose delegation DNS would not serve (lib/registry/cuts.ts), once per run, before its first write. */
async function checkServed(deps: ReconcilerDeps, read: Read, plan: Plan, fleet: Fleet, options: ConvergeOptions) {
  if (read.served === true || options.retire === true) return;
  const creating = createsDelegation(plan.cluster, plan.changes);
  if (!creating && !(options.checkEveryCut === true && plan.desired.length > 0)) return;
  await assertServed(deps.route53, read.zone, {
    cluster: plan.cluster,
    current: read.current,
    clusters: fleet.tagged,
    creating,
  });
  read.served = true;
}

async function converge(
  deps: ReconcilerDeps,
  cluster: string,
  read: Read,
  first: Fleet,
  options: ConvergeOptions = {},
  visible: ReadonlySet<string> = new Set(),
): Promise<ClusterOutcome> {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const { log, metrics } = deps.telemetry;
  let fleet = first;
  for (let attempt = 1; ; attempt += 1) {
    const plan = planCluster({
      cluster,
      current: read.current,
      members: options.retire ? [] : (fleet.clusters.get(cluster) ?? []),
      deployment: deps.config,
      visible,
      ttl: deps.config.recordTtl,
    });
    if (plan.elsewhere !== undefined) return { cluster, status: 'elsewhere', plan, zone: read.zone };
    await checkServed(deps, read, plan, fleet, options);
    if (plan.changes.length === 0 || deps.dryRun === true) {
      return { cluster, status: 'unchanged', plan, zone: read.zone };
    }
    try {
      const comment = `rlec-dns ${deps.config.ownerId}: ${cluster}`;
      const changeId = await applyChanges(deps.route53, read.zone.id, plan.changes, comment);
      log.info('cluster records changed', {
        cluster,
        zone: read.zone.name,
        hostedZoneId: read.zone.id,
        changeId,
        changes: plan.changes.map((c) => `${c.action} ${describeRecord(c.record)}`),
        members: plan.members.map((m) => `ns${m.slot}=${m.instanceId}@${m.address}`),
        attempt,
      });
      metrics.addMetric(METRIC.recordsChanged, 'Count', plan.changes.length);
      metrics.addMetric(METRIC.changeBatches, 'Count', 1);
      read.current = afterWrite(read.current, plan);
      return { cluster, status: 'changed', plan, zone: read.zone, changeId };
    } catch (error) {
      if (!(error instanceof ConflictDetected)) throw error;
      metrics.addMetric(METRIC.conflicts, 'Count', 1);
      if (attempt >= retry.attempts) {
        throw new ConflictError(
          `cluster ${cluster}: records kept changing under us; gave up after ${attempt} attempts`,
          {
            cause: error,
          },
        );
      }
      const delay = Math.round((deps.random ?? Math.random)() * Math.min(retry.maxMs, retry.baseMs * 2 ** attempt));
      log.info('conflicting writer; re-reading', { cluster, attempt, delayMs: delay, reason: error.messages });
      await (deps.sleep ?? defaultSleep)(delay);
      read.current = await readCluster(deps.route53, read.zone.id, cluster);
      if (!options.retire) fleet = await snapshot(deps);
    }
  }
}

function failure(deps: ReconcilerDeps, cluster: string, error: unknown, instances?: readonly string[]): ClusterOutcome {
  const { log, metrics } = deps.telemetry;
  const named = instances !== undefined && instances.length > 0 ? { instanceIds: instances } : {};
  if (error instanceof DeferredError) {
    log.warn(error.message, { cluster });
    metrics.addMetric(METRIC.clustersDeferred, 'Count', 1);
    return { cluster, status: 'deferred', error };
  }
  if (isPermanent(error)) {
    const tagged = named.instanceIds === undefined ? '' : ` (tagged on ${named.instanceIds.join(', ')})`;
    const what = error instanceof AwsPermanentError ? `cluster ${cluster} refused: ` : '';
    const attributes = { cluster, error: (error as Error).name, ...awsAttributes(error), ...named };
    log.error(`${what}${(error as Error).message}${tagged}`, attributes);
    metrics.addMetric(METRIC.clustersRefused, 'Count', 1);
    if (error instanceof AwsPermanentError) metrics.addMetric(METRIC.awsPermanentErrors, 'Count', 1);
    return { cluster, status: 'refused', error: error as PermanentError };
  }
  log.error('cluster not reconciled; it will be retried', { cluster, error: error as Error, ...named });
  metrics.addMetric(METRIC.clustersFailed, 'Count', 1);
  return { cluster, status: 'failed', error };
}

const isShortOfTime = (deps: ReconcilerDeps): boolean =>
  (deps.timeLeftMs?.() ?? Number.POSITIVE_INFINITY) < MIN_TIME_LEFT_MS;

/** Throws DeferredError when the invocation has too little time left to start another cluster. */
function outOfTime(deps: ReconcilerDeps): void {
  if (isShortOfTime(deps)) {
    throw new DeferredError(`cluster deferred: the invocation is short of time; its events will be retried`);
  }
}

/**
 * Makes each cluster's records exact. One cluster's refusal or failure never stops the others.
 * Reads every cluster's records first, then one EC2 snapshot shared by all; after writing, one more EC2 read checks
 * every cluster written (see the module's comment).
 */
export async function reconcileClusters(
  deps: ReconcilerDeps,
  clusters: Iterable<string>,
  options: ReconcileOptions = {},
): Promise<Map<string, ClusterOutcome>> {
  const outcomes = new Map<string, ClusterOutcome>();
  const names = new Set(clusters);
  if (names.size === 0) return outcomes;
  const reads = new Map<string, Read>();
  const zoneErrors = new Map<string, unknown>();
  for (const cluster of names) {
    try {
      outOfTime(deps);
      const zone = await deps.zones.zoneFor(cluster);
      reads.set(cluster, { zone, current: await readCluster(deps.route53, zone.id, cluster) });
    } catch (error) {
      zoneErrors.set(cluster, error);
    }
  }
  let fleet = await snapshot(deps);
  for (const [cluster, error] of zoneErrors)
    outcomes.set(cluster, failure(deps, cluster, error, fleet.tagged.get(cluster)));
  reportProblems(deps, fleet, new Set(reads.keys()));

  const visible = await legacyInstances(deps, reads, fleet);

  let pending = [...reads];
  for (let round = 1; pending.length > 0; round += 1) {
    const written: [string, Read][] = [];
    for (const [cluster, read] of pending) {
      try {
        outOfTime(deps);
        const outcome = await converge(deps, cluster, read, fleet, options, visible);
        if (round === 1) reportElsewhere(deps, outcome, fleet);
        if (outcome.status === 'changed') written.push([cluster, read]);
        if (outcome.status === 'changed' || !outcomes.has(cluster)) outcomes.set(cluster, outcome);
      } catch (error) {
        outcomes.set(cluster, failure(deps, cluster, error));
      }
    }
    if (written.length === 0) break;
    if (round >= VERIFY_ROUNDS) {
      const left = written.map(([c]) => c).join(', ');
      deps.telemetry.log.warn('EC2 kept changing while writing; the next event or the sweep finishes', {
        clusters: left,
      });
      break;
    }
    if (isShortOfTime(deps)) {
      deps.telemetry.log.warn('no time left to check the written clusters again; the next event or the sweep will', {
        clusters: written.map(([c]) => c).join(', '),
      });
      break;
    }
    fleet = await snapshot(deps);
    pending = written;
  }
  return outcomes;
}

/**
 * Removes what this deployment made for a cluster in a zone that is no longer the cluster's zone (a more specific
 * hosted zone was created since). Compare-and-swap and retries as for any write.
 */
export async function retireCluster(deps: ReconcilerDeps, cluster: string, zone: HostedZone): Promise<ClusterOutcome> {
  try {
    const read: Read = { zone, current: await readCluster(deps.route53, zone.id, cluster) };
    deps.telemetry.log.info('cluster records left in a zone that is no longer its zone; removing them', {
      cluster,
      zone: zone.name,
      hostedZoneId: zone.id,
    });
    return await converge(deps, cluster, read, EMPTY_FLEET, { retire: true });
  } catch (error) {
    return failure(deps, cluster, error);
  }
}
