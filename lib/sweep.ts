/**
 * The scheduled sweep: every cluster, whatever events were missed. The clusters are those EC2 names in tags now,
 * plus those this deployment owns in Route 53 (so a cluster whose members are all gone is cleaned up, and records
 * left in a zone that is no longer the cluster's zone are removed).
 */
import { isPermanent } from './errors.js';
import { type ClusterOutcome, type ReconcilerDeps, reconcileClusters, retireCluster } from './reconciler.js';
import { type FoundCluster, findOwned, isOwned } from './registry.js';
import { groupMembers, type MemberProblem, taggedRunningInstances } from './source.js';
import { METRIC } from './telemetry.js';
import type { HostedZone } from './zones.js';

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
}

/** The clusters a sweep reconciles (the CLI lists the same ones). */
export async function sweepTargets(
  deps: Pick<ReconcilerDeps, 'route53' | 'ec2' | 'config' | 'zones'>,
): Promise<SweepTargets> {
  const found = await findOwned(deps.route53, await deps.zones.writable(), deps.config);
  const owned = found.filter(isOwned);
  const elsewhere = found.filter((f) => f.claim.kind === 'elsewhere');
  const fleet = groupMembers(await taggedRunningInstances(deps.ec2, deps.config.clusterTagKey), deps.config);
  const clusters = [...new Set([...owned.map((o) => o.cluster), ...fleet.clusters.keys()])].sort();
  return { clusters, owned, elsewhere, problems: fleet.problems.filter((p) => p.kind === 'invalid-cluster-tag') };
}

export async function sweep(deps: ReconcilerDeps): Promise<Map<string, ClusterOutcome>> {
  const { log, metrics } = deps.telemetry;
  const { clusters, owned, elsewhere, problems } = await sweepTargets(deps);
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
    failed: count('failed'),
    // Bound to another account or Region (another deployment's): found in the zones, left alone.
    ownedElsewhere: new Set([...elsewhere.map((e) => e.cluster), ...outcomesOf('elsewhere')]).size,
  });
  return outcomes;
}
