/**
 * The one entry point of the loop (after external-dns's `RunOnce`): the event path, the sweep, and every CLI command
 * call it, so what `rlec-dns plan` shows is what the next run writes.
 *
 * - `clusters`: a list (the clusters a batch of events names, or the CLI's `--cluster`), or `all` (the sweep, and the
 *   CLI without `--cluster`): every cluster owned in Route 53 plus every cluster a running instance's tag names.
 * - `mode`: `apply` writes; `plan` writes nothing and reports the changes as `planned`.
 *
 * Each cluster is reconciled in its zone (reconciler.ts); then records this deployment left in a zone that is no
 * longer the cluster's zone (a more specific zone was created since) are removed, in the same mode. For `all`, the
 * ownership scan finds those; for a list, each other writable zone above the cluster is read (none for the usual
 * single zone).
 */

import { ownerName } from '../plan/names.js';
import { awsAttributes } from '../platform/aws-errors.js';
import { AwsPermanentError } from '../platform/errors.js';
import { METRIC } from '../platform/telemetry.js';
import { claimOf, ownershipIn } from '../registry/ownership.js';
import { type FoundCluster, isOwned, OwnershipScans, readCluster } from '../registry/route53.js';
import type { HostedZone } from '../registry/zones.js';
import { type Fleet, groupMembers, type MemberProblem, taggedRunningInstances } from '../source/instances.js';
import type { Sighting, Unseen } from '../source/late.js';
import type { Mode } from './converge.js';
import type { ReconcilerDeps } from './deps.js';
import type { ClusterOutcome } from './outcomes.js';
import { type PlacedOutcome, reconcilePrivateSide } from './private-side.js';
import { reconcileClusters, retireCluster } from './reconciler.js';
import type { ResolverOutcome } from './resolver-rule.js';
import type { OrphanOutcome } from './resolver-sweep.js';

export interface RunRequest {
  readonly clusters: readonly string[] | 'all';
  readonly mode: Mode;
  /**
   * An EC2 snapshot already read by the caller (the event path resolves its events against it) for the first round's
   * plans, instead of reading one after Route 53. That EC2 view may be older than records another invocation writes
   * between it and this run's Route 53 reads, so a first-round plan can replace newer records with an older view.
   * It is still safe, because of what follows every write: the write is a compare-and-swap against the records just
   * read (it cannot overwrite a write it did not see), and once written the reconciler reads EC2 again — after its
   * write has landed, so newer than anything that write replaced — and plans the cluster again against the records
   * it now holds, rewriting it if they differ (up to three rounds; then the next event or the sweep). So an older view
   * can only ever be the first of this run's writes, never its last, and a plan from it that comes out empty writes
   * nothing for anyone to depend on (the events that changed EC2 meanwhile bring their own runs, which read EC2 anew).
   * A conflict re-reads EC2 too (converge.ts). What is left: a run cut short between its first write and that check
   * (no time left in the invocation) leaves a write from the older view for the next event or the sweep, as it
   * leaves any unchecked write; with EC2 read after Route 53 the same cut-short run could only leave a flap's race.
   */
  readonly fleet?: Fleet;
  /** The invocation's ownership scans, shared with the caller's (one scan per zone per invocation at most). */
  readonly scans?: OwnershipScans;
  /**
   * The event path's instances of `running` and `pending` events that its EC2 read did not show: looked at again in
   * the read after the run's writes (or by id), their clusters reconciled in this run (source/late.ts).
   */
  readonly unseen?: Unseen;
}

export interface RunResult {
  readonly outcomes: Map<string, ClusterOutcome>;
  /**
   * Each cluster's outcome per zone it is published in (ZONE_TYPE=both: its public and its private zone), where
   * `outcomes` combines them into one per cluster. The former zones' clean-up is in `outcomes` only.
   */
  readonly placed: readonly PlacedOutcome[];
  /** The private side (RESOLVER_RULE): each cluster's Resolver rule, for the clusters placed in a private zone. */
  readonly rules: ReadonlyMap<string, ResolverOutcome>;
  /** For `all`: rules of ours whose cluster is gone, removed (or, in plan mode, to be removed). */
  readonly orphans: readonly OrphanOutcome[];
  /** The last EC2 snapshot the plans used. */
  readonly fleet: Fleet;
  /** For `all`: clusters bound to another account or Region found in the zones (never touched). */
  readonly elsewhere: readonly FoundCluster[];
  /** For `all`: tag values refused (invalid cluster names). */
  readonly problems: readonly MemberProblem[];
  /** What the second look said of each of `request.unseen`. */
  readonly sightings: ReadonlyMap<string, Sighting>;
}

type Owned = { readonly cluster: string; readonly zone: HostedZone };

export interface SweepTargets {
  /** Every cluster to reconcile, sorted: owned in Route 53, or named by a running instance's tag. */
  readonly clusters: readonly string[];
  /** Where each owned cluster's ownership record was found. */
  readonly owned: readonly Owned[];
  /** Clusters bound to another account or Region: never touched, only reported. */
  readonly elsewhere: readonly FoundCluster[];
  /** Tag values refused (invalid names). */
  readonly problems: readonly MemberProblem[];
  /** Zones AWS refused to list (access denied, deleted): their owned clusters are not among `clusters`. */
  readonly unreadable: readonly { zone: HostedZone; error: AwsPermanentError }[];
}

/** The clusters a run over `all` reconciles. A zone AWS refuses to list is set aside, so the other zones go on. */
export async function sweepTargets(
  deps: Pick<ReconcilerDeps, 'route53' | 'ec2' | 'config' | 'zones' | 'seen'>,
  scans = new OwnershipScans(deps.route53, deps.config),
): Promise<SweepTargets> {
  const found: FoundCluster[] = [];
  const unreadable: { zone: HostedZone; error: AwsPermanentError }[] = [];
  for (const zone of await deps.zones.writable()) {
    try {
      found.push(...(await scans.zone(zone)));
    } catch (error) {
      if (!(error instanceof AwsPermanentError)) throw error;
      unreadable.push({ zone, error });
    }
  }
  const owned = found.filter(isOwned);
  for (const o of owned) deps.seen?.rememberMembers(o.cluster, o.instanceIds);
  const elsewhere = found.filter((f) => f.claim.kind === 'elsewhere');
  const fleet = groupMembers(await taggedRunningInstances(deps.ec2, deps.config.clusterTagKey), deps.config);
  const clusters = [...new Set([...owned.map((o) => o.cluster), ...fleet.clusters.keys()])].sort();
  const problems = fleet.problems.filter((p) => p.kind === 'invalid-cluster-tag');
  return { clusters, owned, elsewhere, problems, unreadable };
}

function reportTargets(deps: ReconcilerDeps, targets: SweepTargets): void {
  const { log, metrics } = deps.telemetry;
  for (const { zone, error } of targets.unreadable) {
    log.error(`hosted zone ${zone.name} (${zone.id}) not swept: ${error.message}`, {
      hostedZoneId: zone.id,
      error: error.name,
      ...awsAttributes(error),
    });
    metrics.addMetric(METRIC.awsPermanentErrors, 'Count', 1);
  }
  for (const problem of targets.problems) {
    log.error(problem.message, { instanceId: problem.instanceId, problem: problem.kind });
    metrics.addMetric(METRIC.tagsRefused, 'Count', 1);
  }
}

/**
 * For a list of clusters: our records in writable zones above each cluster that are not among the zones it is
 * published in (with ZONE_TYPE=both, a split view's public and private zones are both its zones). A zone this
 * invocation has scanned already is answered from that scan; another is read at the cluster's name.
 */
async function leftBehind(
  deps: ReconcilerDeps,
  zonesOf: ReadonlyMap<string, readonly HostedZone[]>,
  scans: OwnershipScans,
): Promise<Owned[]> {
  const found: Owned[] = [];
  const writable = zonesOf.size === 0 ? [] : await deps.zones.writable();
  for (const [cluster, zones] of zonesOf) {
    const placed = new Set(zones.map((z) => z.id));
    for (const other of writable.filter((z) => !placed.has(z.id) && `${cluster}.`.endsWith(`.${z.name}`))) {
      const scanned = scans.scanned(other.id);
      if (scanned !== undefined) {
        if (scanned.some((f) => f.cluster === cluster && isOwned(f))) found.push({ cluster, zone: other });
        continue;
      }
      const records = await readCluster(deps.route53, other.id, cluster);
      const claim = claimOf(ownershipIn(ownerName(cluster), records), deps.config).kind;
      if (claim === 'ours' || claim === 'legacy') found.push({ cluster, zone: other });
    }
  }
  return found;
}

/** For `all`: owned records of a placed cluster in a zone that is not one of its zones now. */
function strayOwned(owned: readonly Owned[], zonesOf: ReadonlyMap<string, readonly HostedZone[]>): Owned[] {
  return owned.filter((o) => {
    const zones = zonesOf.get(o.cluster);
    return zones !== undefined && zones.length > 0 && !zones.some((z) => z.id === o.zone.id);
  });
}

/** The cluster's outcome with what its removal from a former zone did. */
function withRetired(main: ClusterOutcome | undefined, retired: ClusterOutcome): ClusterOutcome {
  if (retired.status === 'refused' || retired.status === 'failed' || retired.status === 'deferred') return retired;
  if (retired.status !== 'changed' && retired.status !== 'planned') return main ?? retired;
  if (main === undefined) return retired;
  if (main.status === 'unchanged') return { ...main, status: retired.status, writes: retired.writes };
  if (main.status === 'changed' || main.status === 'planned') {
    return { ...main, writes: [...main.writes, ...retired.writes] };
  }
  return main;
}

/**
 * The DNS role (zones in another account: DNS_ROLE_ARN), assumed before the run's first Route 53 call, so a role that
 * cannot be assumed is one error for the run, not one per cluster. The SDK's provider keeps the credentials until
 * shortly before they expire: this costs an STS call only when they are due.
 *
 * @throws AwsPermanentError (sts:AssumeRole on the role's ARN) when STS refuses the role.
 */
async function assumeDnsRole(deps: Pick<ReconcilerDeps, 'route53' | 'config'>): Promise<void> {
  if (deps.config.dnsRole !== undefined) await deps.route53.config.credentials();
}

/**
 * Reconciles the clusters asked for, in the mode asked for. Never throws for one cluster's problem: each outcome
 * says what happened. A permanent AWS error before any cluster is known (the DNS role refused, listing zones denied)
 * is logged once, counted and returned as no outcome.
 *
 * @example await runOnce(deps, { clusters: 'all', mode: 'plan' }) // what the next sweep would write
 */
export async function runOnce(deps: ReconcilerDeps, request: RunRequest): Promise<RunResult> {
  const { mode } = request;
  const notDone = (what: string, error: AwsPermanentError): RunResult => {
    deps.telemetry.log.error(`${what} not done: ${error.message}`, { error: error.name, ...awsAttributes(error) });
    deps.telemetry.metrics.addMetric(METRIC.awsPermanentErrors, 'Count', 1);
    return {
      outcomes: new Map(),
      placed: [],
      rules: new Map(),
      orphans: [],
      fleet: { clusters: new Map(), tagged: new Map(), problems: [] },
      elsewhere: [],
      problems: [],
      sightings: new Map(),
    };
  };
  const scans = request.scans ?? new OwnershipScans(deps.route53, deps.config);
  let targets: SweepTargets | undefined;
  try {
    await assumeDnsRole(deps);
  } catch (error) {
    if (!(error instanceof AwsPermanentError)) throw error;
    return notDone(request.clusters === 'all' ? 'sweep' : 'run', error);
  }
  if (request.clusters === 'all') {
    try {
      targets = await sweepTargets(deps, scans);
    } catch (error) {
      if (!(error instanceof AwsPermanentError)) throw error;
      return notDone('sweep', error);
    }
    reportTargets(deps, targets);
  }
  const clusters = targets?.clusters ?? (request.clusters as readonly string[]);
  const fleet = request.fleet;
  const run = await reconcileClusters(deps, clusters, {
    mode,
    checkEveryCut: targets !== undefined,
    ...(fleet === undefined ? {} : { fleet }),
    ...(request.unseen === undefined ? {} : { unseen: request.unseen }),
  });
  for (const [cluster, ids] of run.fleet.tagged) deps.seen?.rememberMembers(cluster, ids);
  const strays =
    targets === undefined ? await leftBehind(deps, run.zonesOf, scans) : strayOwned(targets.owned, run.zonesOf);
  for (const stray of strays) {
    const retired = await retireCluster(deps, stray.cluster, stray.zone, mode);
    run.outcomes.set(stray.cluster, withRetired(run.outcomes.get(stray.cluster), retired));
  }
  const sweep = targets === undefined ? {} : { sweep: { clusters: new Set(targets.clusters) } };
  const side = await reconcilePrivateSide(deps, run.placed, { mode, ...sweep });
  return {
    outcomes: run.outcomes,
    placed: run.placed,
    rules: side.rules,
    orphans: side.orphans,
    fleet: run.fleet,
    elsewhere: targets?.elsewhere ?? [],
    problems: targets?.problems ?? [],
    sightings: run.sightings,
  };
}
