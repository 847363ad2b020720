/**
 * The scheduled sweep: every cluster, whatever events were missed. The clusters are those EC2 names in tags now,
 * plus those this deployment owns in Route 53 (so a cluster whose members are all gone is cleaned up, and records
 * left in a zone that is no longer the cluster's zone are removed).
 */
import { awsAttributes } from '../platform/aws-errors.js';
import { AwsPermanentError, isPermanent } from '../platform/errors.js';
import { METRIC } from '../platform/telemetry.js';
import { type FoundCluster, findOwned, isOwned } from '../registry/route53.js';
import type { HostedZone } from '../registry/zones.js';
import { groupMembers, type MemberProblem, taggedRunningInstances } from '../source/instances.js';
import { type ClusterOutcome, type ReconcilerDeps, reconcileClusters, retireCluster } from './reconciler.js';

/** Owned clusters found in a zone other than the one zoneFor now gives them. */
async function strays(deps: ReconcilerDeps, owned: readonly { cluster: string; zone: HostedZone }[]) {
  const found: { cluster: string; zone: HostedZone }[] = [];
  for (const entry of owned) {
    try {
      if ((await deps.zones.zoneFor(entry.cluster)).id !== entry.zone.id) found.push(entry);
    } catch (error) {
      // The cluster itself is refused: reconcileClusters says so. Its old records stay until it can be placed.
      if (!isPermanent(error)) throw error;
    }
  }
  return found;
}

export interface SweepTargets {
  /** Every cluster to reconcile, sorted: owned in Route 53, or named by a running instance's tag. */
  readonly clusters: readonly string[];
  /** Where each owned cluster's ownership record was found. */
  readonly owned: readonly { cluster: string; zone: HostedZone }[];
  /** Clusters bound to another account or Region: never touched, only reported. */
  readonly elsewhere: readonly FoundCluster[];
  /** Tag values refused (invalid names). */
  readonly problems: readonly MemberProblem[];
  /** Zones AWS refused to list (access denied, deleted): their owned clusters are not among `clusters`. */
  readonly unreadable: readonly { zone: HostedZone; error: AwsPermanentError }[];
}

/** The clusters owned in each zone. A zone AWS refuses to list is set aside, so that the other zones go on. */
async function ownedIn(deps: Pick<ReconcilerDeps, 'route53' | 'config' | 'zones'>) {
  const found: FoundCluster[] = [];
  const unreadable: SweepTargets['unreadable'][number][] = [];
  for (const zone of await deps.zones.writable()) {
    try {
      found.push(...(await findOwned(deps.route53, [zone], deps.config)));
    } catch (error) {
      if (!(error instanceof AwsPermanentError)) throw error;
      unreadable.push({ zone, error });
    }
  }
  return { found, unreadable };
}

/** The clusters a sweep reconciles (the CLI lists the same ones). */
export async function sweepTargets(
  deps: Pick<ReconcilerDeps, 'route53' | 'ec2' | 'config' | 'zones'>,
): Promise<SweepTargets> {
  const { found, unreadable } = await ownedIn(deps);
  const owned = found.filter(isOwned);
  const elsewhere = found.filter((f) => f.claim.kind === 'elsewhere');
  const fleet = groupMembers(await taggedRunningInstances(deps.ec2, deps.config.clusterTagKey), deps.config);
  const clusters = [...new Set([...owned.map((o) => o.cluster), ...fleet.clusters.keys()])].sort();
  const problems = fleet.problems.filter((p) => p.kind === 'invalid-cluster-tag');
  return { clusters, owned, elsewhere, problems, unreadable };
}

/**
 * Every cluster, once. A permanent AWS error (access denied, expired credentials) is logged and counted, never
 * thrown: retrying the sweep cannot fix it, and the next sweep tries again.
 */
export async function sweep(deps: ReconcilerDeps): Promise<Map<string, ClusterOutcome>> {
  const { log, metrics } = deps.telemetry;
  let targets: SweepTargets;
  try {
    targets = await sweepTargets(deps);
  } catch (error) {
    if (!(error instanceof AwsPermanentError)) throw error;
    log.error(`sweep not done: ${error.message}`, { error: error.name, ...awsAttributes(error) });
    metrics.addMetric(METRIC.awsPermanentErrors, 'Count', 1);
    return new Map();
  }
  const { clusters, owned, elsewhere, problems, unreadable } = targets;
  for (const { zone, error } of unreadable) {
    log.error(`hosted zone ${zone.name} (${zone.id}) not swept: ${error.message}`, {
      hostedZoneId: zone.id,
      error: error.name,
      ...awsAttributes(error),
    });
    metrics.addMetric(METRIC.awsPermanentErrors, 'Count', 1);
  }
  for (const problem of problems) {
    log.error(problem.message, { instanceId: problem.instanceId, problem: problem.kind });
    metrics.addMetric(METRIC.tagsRefused, 'Count', 1);
  }
  // reconcileClusters reads Route 53 and then EC2 again: the snapshot above only finds the clusters' names.
  const outcomes = await reconcileClusters(deps, clusters, { checkEveryCut: true });
  for (const stray of await strays(deps, owned)) {
    const outcome = await retireCluster(deps, stray.cluster, stray.zone);
    if (outcome.status === 'failed' || outcome.status === 'refused') outcomes.set(stray.cluster, outcome);
  }
  const outcomesOf = (status: ClusterOutcome['status']) =>
    [...outcomes.values()].filter((o) => o.status === status).map((o) => o.cluster);
  const count = (status: ClusterOutcome['status']) => outcomesOf(status).length;
  log.info('sweep done', {
    clusters: outcomes.size,
    changed: count('changed'),
    unchanged: count('unchanged'),
    refused: count('refused'),
    deferred: count('deferred'),
    failed: count('failed'),
    // Bound to another account or Region (another deployment's): found in the zones, left alone.
    ownedElsewhere: new Set([...elsewhere.map((e) => e.cluster), ...outcomesOf('elsewhere')]).size,
  });
  return outcomes;
}
