/**
 * The scheduled sweep: every cluster, whatever events were missed (run-once.ts with `all`): those EC2 names in tags
 * now, plus those this deployment owns in Route 53, so a cluster whose members are all gone is cleaned up, and
 * records left in a zone that is no longer the cluster's zone are removed. A permanent AWS error (access denied,
 * expired credentials) is logged and counted, never thrown: retrying the sweep cannot fix it.
 */
import type { ReconcilerDeps } from './deps.js';
import type { ClusterOutcome, OutcomeStatus } from './outcomes.js';
import { runOnce } from './run-once.js';

export async function sweep(deps: ReconcilerDeps): Promise<Map<string, ClusterOutcome>> {
  const { outcomes, elsewhere } = await runOnce(deps, { clusters: 'all', mode: 'apply' });
  const outcomesOf = (status: OutcomeStatus) =>
    [...outcomes.values()].filter((o) => o.status === status).map((o) => o.cluster);
  const count = (status: OutcomeStatus) => outcomesOf(status).length;
  deps.telemetry.log.info('sweep done', {
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
