/**
 * The scheduled sweep: every cluster, whatever events were missed. The clusters are those EC2 names in tags now,
 * plus those this deployment owns in Route 53 (so a cluster whose members are all gone is cleaned up, and records
 * left in a zone that is no longer the cluster's zone are removed).
 */
import { isPermanent } from './errors.js';
import { type ClusterOutcome, type ReconcilerDeps, reconcileClusters, retireCluster } from './reconciler.js';
import { discoverClusters } from './registry.js';
import { groupMembers, taggedRunningInstances } from './source.js';
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

export async function sweep(deps: ReconcilerDeps): Promise<Map<string, ClusterOutcome>> {
  const { log, metrics } = deps.telemetry;
  const owned: { cluster: string; zone: HostedZone }[] = [];
  for (const zone of await deps.zones.writable()) {
    for (const found of await discoverClusters(deps.route53, zone.id, deps.config.ownerId)) {
      owned.push({ cluster: found.cluster, zone });
    }
  }
  const fleet = groupMembers(await taggedRunningInstances(deps.ec2, deps.config.clusterTagKey), deps.config);
  for (const problem of fleet.problems.filter((p) => p.kind === 'invalid-cluster-tag')) {
    log.error(problem.message, { instanceId: problem.instanceId, problem: problem.kind });
    metrics.addMetric(METRIC.tagsRefused, 'Count', 1);
  }
  const clusters = new Set([...owned.map((o) => o.cluster), ...fleet.clusters.keys()]);
  // reconcileClusters reads Route 53 and then EC2 again: the snapshot above only finds the clusters' names.
  const outcomes = await reconcileClusters(deps, [...clusters].sort());
  for (const stray of await strays(deps, owned)) {
    const outcome = await retireCluster(deps, stray.cluster, stray.zone);
    if (outcome.status === 'failed' || outcome.status === 'refused') outcomes.set(stray.cluster, outcome);
  }
  const count = (status: ClusterOutcome['status']) => [...outcomes.values()].filter((o) => o.status === status).length;
  log.info('sweep done', {
    clusters: outcomes.size,
    changed: count('changed'),
    unchanged: count('unchanged'),
    refused: count('refused'),
    failed: count('failed'),
  });
  return outcomes;
}
