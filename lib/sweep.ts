/**
 * The scheduled sweep: every cluster, whatever events were missed. The clusters are those EC2 names in tags now,
 * plus those this deployment owns in Route 53 (so a cluster whose members are all gone is cleaned up).
 */
import { type ClusterOutcome, type ReconcilerDeps, reconcileClusters } from './reconciler.js';
import { discoverClusters } from './registry.js';
import { groupMembers, taggedRunningInstances } from './source.js';
import { METRIC } from './telemetry.js';

export async function sweep(deps: ReconcilerDeps): Promise<Map<string, ClusterOutcome>> {
  const { log, metrics } = deps.telemetry;
  const clusters = new Set<string>();
  for (const zone of await deps.zones.writable()) {
    for (const owned of await discoverClusters(deps.route53, zone.id, deps.config.ownerId)) clusters.add(owned.cluster);
  }
  const fleet = groupMembers(await taggedRunningInstances(deps.ec2, deps.config.clusterTagKey), deps.config);
  for (const problem of fleet.problems.filter((p) => p.kind === 'invalid-cluster-tag')) {
    log.error(problem.message, { instanceId: problem.instanceId, problem: problem.kind });
    metrics.addMetric(METRIC.tagsRefused, 'Count', 1);
  }
  for (const cluster of fleet.clusters.keys()) clusters.add(cluster);
  // reconcileClusters reads Route 53 and then EC2 again: the snapshot above only finds the clusters' names.
  const outcomes = await reconcileClusters(deps, [...clusters].sort());
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
