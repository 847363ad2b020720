/**
 * The rounds of a run over a set of clusters: read → plan → apply, per cluster, with compare-and-swap writes
 * (converge.ts). Route 53 is read before EC2, so the EC2 view a plan uses is never older than the records it replaces.
 *
 * After writing, EC2 is read once more (one call for every cluster written) and each written cluster is planned
 * again against the records it now has. Compare-and-swap alone cannot catch an invocation whose plan came out empty:
 * it writes nothing for a slower writer to conflict with. If a node flaps while an earlier invocation's batch is
 * still on its way, that batch lands last with a stale view; the read after the write sees it and puts it right.
 */
import { ownerName } from '../plan/names.js';
import { DeferredError } from '../platform/errors.js';
import { METRIC } from '../platform/telemetry.js';
import { claimOf, ownershipIn } from '../registry/ownership.js';
import { readCluster } from '../registry/route53.js';
import type { HostedZone } from '../registry/zones.js';
import { type Fleet, instancesByIds } from '../source/instances.js';
import {
  type ClusterRead,
  type Converged,
  converge,
  failure,
  type Mode,
  reportElsewhere,
  snapshot,
} from './converge.js';
import { isShortOfTime, type ReconcilerDeps } from './deps.js';
import type { ClusterOutcome } from './outcomes.js';

/** Write-then-check rounds per cluster before leaving the rest to the next event or the sweep. */
const VERIFY_ROUNDS = 3;

const EMPTY_FLEET: Fleet = { clusters: new Map(), tagged: new Map(), problems: [] };

export interface ReconcileOptions {
  readonly mode: Mode;
  /**
   * The sweep: check that no delegation above hides each cluster (one small read per name between the zone apex
   * and the cluster), not only before a cluster's first write.
   */
  readonly checkEveryCut?: boolean;
  /** An EC2 snapshot the caller read already, for the first round (run-once.ts's RunRequest.fleet says why it is safe). */
  readonly fleet?: Fleet;
}

export interface Reconciled {
  readonly outcomes: Map<string, ClusterOutcome>;
  /** Where each cluster that could be placed was read: its zone. */
  readonly zones: ReadonlyMap<string, HostedZone>;
  /** The last EC2 snapshot the plans used. */
  readonly fleet: Fleet;
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

/**
 * The instances our EC2 shows among those that ownership records of the earlier form (no account, no Region) list
 * and the fleet does not: they settle whose such a record is. One call for all, and none once records are upgraded.
 */
async function legacyInstances(deps: ReconcilerDeps, reads: ReadonlyMap<string, ClusterRead>, fleet: Fleet) {
  const members = new Set([...fleet.clusters.values()].flat().map((m) => m.instanceId));
  const wanted = [...reads].flatMap(([cluster, read]) => {
    const ownership = ownershipIn(ownerName(cluster), read.current);
    if (claimOf(ownership, deps.config).kind !== 'legacy') return [];
    return [...(ownership?.slots.keys() ?? [])].filter((id) => !members.has(id));
  });
  const found = wanted.length === 0 ? [] : await instancesByIds(deps.ec2, wanted);
  return new Set([...members, ...found.map((i) => i.id)]);
}

/** Throws DeferredError when the invocation has too little time left to start another cluster. */
function outOfTime(deps: ReconcilerDeps): void {
  if (isShortOfTime(deps)) {
    throw new DeferredError(`cluster deferred: the invocation is short of time; its events will be retried`);
  }
}

/** A later round's outcome added to an earlier one: writes accumulate; a round that writes nothing keeps the rest. */
function merge(earlier: ClusterOutcome | undefined, later: ClusterOutcome): ClusterOutcome {
  if (earlier?.status !== 'changed') return later;
  if (later.status === 'changed') return { ...later, writes: [...earlier.writes, ...later.writes] };
  return later.status === 'unchanged' ? earlier : later;
}

/**
 * Makes each cluster's records exact (or, in plan mode, says what would). One cluster's refusal or failure never
 * stops the others. Reads every cluster's records first, then one EC2 snapshot shared by all; after writing, one
 * more EC2 read checks every cluster written (see the module's comment).
 */
export async function reconcileClusters(
  deps: ReconcilerDeps,
  clusters: Iterable<string>,
  options: ReconcileOptions,
): Promise<Reconciled> {
  const outcomes = new Map<string, ClusterOutcome>();
  const names = new Set(clusters);
  let reads = new Map<string, ClusterRead>();
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
  const zones = new Map([...reads].map(([cluster, read]) => [cluster, read.zone]));
  if (names.size === 0) return { outcomes, zones, fleet: EMPTY_FLEET };
  let fleet = options.fleet ?? (await snapshot(deps));
  for (const [cluster, error] of zoneErrors) {
    outcomes.set(cluster, failure(deps, cluster, error, { instances: fleet.tagged.get(cluster) }));
  }
  reportProblems(deps, fleet, new Set(reads.keys()));
  const visible = await legacyInstances(deps, reads, fleet);
  const served = new Set<string>();

  for (let round = 1; reads.size > 0; round += 1) {
    const written = new Map<string, ClusterRead>();
    for (const [cluster, read] of reads) {
      let step: Converged;
      try {
        outOfTime(deps);
        step = await converge(deps, cluster, read, fleet, { ...options, visible, served: served.has(cluster) });
      } catch (error) {
        outcomes.set(cluster, failure(deps, cluster, error, { read }));
        continue;
      }
      if (step.served) served.add(cluster);
      if (round === 1) reportElsewhere(deps, step.outcome, fleet);
      outcomes.set(cluster, merge(outcomes.get(cluster), step.outcome));
      if (step.outcome.status === 'changed') written.set(cluster, step.read);
    }
    if (written.size === 0) break;
    const left = [...written.keys()].join(', ');
    if (round >= VERIFY_ROUNDS) {
      deps.telemetry.log.warn('EC2 kept changing while writing; the next event or the sweep finishes', {
        clusters: left,
      });
      break;
    }
    if (isShortOfTime(deps)) {
      deps.telemetry.log.warn('no time left to check the written clusters again; the next event or the sweep will', {
        clusters: left,
      });
      break;
    }
    fleet = await snapshot(deps);
    reads = written;
  }
  return { outcomes, zones, fleet };
}

/**
 * Removes what this deployment made for a cluster in a zone that is no longer the cluster's zone (a more specific
 * hosted zone was created since). Compare-and-swap and retries as for any write.
 */
export async function retireCluster(
  deps: ReconcilerDeps,
  cluster: string,
  zone: HostedZone,
  mode: Mode,
): Promise<ClusterOutcome> {
  let read: ClusterRead | undefined;
  try {
    read = { zone, current: await readCluster(deps.route53, zone.id, cluster) };
    if (mode === 'apply') {
      deps.telemetry.log.info('cluster records left in a zone that is no longer its zone; removing them', {
        cluster,
        zone: zone.name,
        hostedZoneId: zone.id,
      });
    }
    return (await converge(deps, cluster, read, EMPTY_FLEET, { mode, retire: true })).outcome;
  } catch (error) {
    return failure(deps, cluster, error, { read });
  }
}
