/**
 * The controller: read → plan → apply, per cluster, with compare-and-swap writes and bounded, jittered retries when
 * another writer wins the race. Route 53 is read before EC2, so the EC2 view a plan uses is never older than the
 * records it replaces.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Config } from './config.js';
import { ConflictError, isPermanent, type PermanentError } from './errors.js';
import { type Plan, planCluster } from './plan.js';
import { applyChanges, ConflictDetected } from './provider.js';
import { describeRecord, type RecordSet } from './records.js';
import { readCluster } from './registry.js';
import { type Fleet, groupMembers, taggedRunningInstances } from './source.js';
import { METRIC, type Telemetry } from './telemetry.js';
import type { HostedZone, ZoneDirectory } from './zones.js';

export interface RetryOptions {
  /** Attempts per cluster when another writer changes its records between our read and our write. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseMs: 100, maxMs: 2000 };

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
}

export type ClusterOutcome =
  | { readonly cluster: string; readonly status: 'unchanged'; readonly plan: Plan; readonly zone: HostedZone }
  | {
      readonly cluster: string;
      readonly status: 'changed';
      readonly plan: Plan;
      readonly zone: HostedZone;
      readonly changeId?: string | undefined;
    }
  | { readonly cluster: string; readonly status: 'refused'; readonly error: PermanentError }
  | { readonly cluster: string; readonly status: 'failed'; readonly error: unknown };

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
}

async function converge(deps: ReconcilerDeps, cluster: string, read: Read, first: Fleet): Promise<ClusterOutcome> {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const { log, metrics } = deps.telemetry;
  let fleet = first;
  for (let attempt = 1; ; attempt += 1) {
    const plan = planCluster({
      cluster,
      current: read.current,
      members: fleet.clusters.get(cluster) ?? [],
      ownerId: deps.config.ownerId,
      ttl: deps.config.recordTtl,
    });
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
      return { cluster, status: 'changed', plan, zone: read.zone, changeId };
    } catch (error) {
      if (!(error instanceof ConflictDetected)) throw error;
      metrics.addMetric(METRIC.conflicts, 'Count', 1);
      if (attempt >= retry.attempts) {
        throw new ConflictError(
          `cluster ${cluster}: records kept changing under us; gave up after ${attempt} attempts`,
          { cause: error },
        );
      }
      const delay = Math.round((deps.random ?? Math.random)() * Math.min(retry.maxMs, retry.baseMs * 2 ** attempt));
      log.info('conflicting writer; re-reading', { cluster, attempt, delayMs: delay, reason: error.messages });
      await (deps.sleep ?? defaultSleep)(delay);
      read.current = await readCluster(deps.route53, read.zone.id, cluster);
      fleet = await snapshot(deps);
    }
  }
}

function failure(deps: ReconcilerDeps, cluster: string, error: unknown): ClusterOutcome {
  const { log, metrics } = deps.telemetry;
  if (isPermanent(error)) {
    log.error((error as Error).message, { cluster, error: (error as Error).name });
    metrics.addMetric(METRIC.clustersRefused, 'Count', 1);
    return { cluster, status: 'refused', error: error as PermanentError };
  }
  log.error('cluster not reconciled; it will be retried', { cluster, error: error as Error });
  metrics.addMetric(METRIC.clustersFailed, 'Count', 1);
  return { cluster, status: 'failed', error };
}

/**
 * Makes each cluster's records exact. One cluster's refusal or failure never stops the others.
 * Reads every cluster's records first, then one EC2 snapshot shared by all.
 */
export async function reconcileClusters(
  deps: ReconcilerDeps,
  clusters: Iterable<string>,
): Promise<Map<string, ClusterOutcome>> {
  const outcomes = new Map<string, ClusterOutcome>();
  const reads = new Map<string, Read>();
  for (const cluster of new Set(clusters)) {
    try {
      const zone = await deps.zones.zoneFor(cluster);
      reads.set(cluster, { zone, current: await readCluster(deps.route53, zone.id, cluster) });
    } catch (error) {
      outcomes.set(cluster, failure(deps, cluster, error));
    }
  }
  if (reads.size === 0) return outcomes;
  const fleet = await snapshot(deps);
  reportProblems(deps, fleet, new Set(reads.keys()));
  for (const [cluster, read] of reads) {
    try {
      outcomes.set(cluster, await converge(deps, cluster, read, fleet));
    } catch (error) {
      outcomes.set(cluster, failure(deps, cluster, error));
    }
  }
  return outcomes;
}
