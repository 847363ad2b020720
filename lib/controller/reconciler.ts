/**
 * The rounds of a run over a set of clusters: read → plan → apply, per placement (a cluster in one of its zones),
 * each zone's writes in one request per round, each placement's part of it a compare-and-swap (placements.ts,
 * zone-batch.ts). Route 53 is read before EC2, so the EC2 view a plan uses is never older than the records it replaces,
 * except on the event path, whose first round plans with the EC2 read that resolved the events (`options.fleet`; why
 * that is safe: run-once.ts, RunRequest.fleet).
 *
 * After writing, EC2 is read once more (one call for every cluster written) and each written cluster is planned
 * again against the records it now has. Compare-and-swap alone cannot catch an invocation whose plan came out empty:
 * it writes nothing for a slower writer to conflict with. If a node flaps while an earlier invocation's batch is
 * still on its way, that batch lands last with a stale view; the read after the write sees it and puts it right.
 *
 * That read is also the event path's second look at the instances of `running` and `pending` events its first read
 * did not show (source/late.ts): a cluster found there is read and reconciled in the next round; when the run writes
 * nothing, they are read by id instead.
 */
import { ownerName } from '../plan/names.js';
import { METRIC } from '../platform/telemetry.js';
import { claimOf, ownershipIn } from '../registry/ownership.js';
import { readCluster } from '../registry/route53.js';
import type { HostedZone } from '../registry/zones.js';
import { type Fleet, groupMembers, instancesByIds, taggedInstances } from '../source/instances.js';
import { type Sighting, sightingsOf, type Unseen, unlooked } from '../source/late.js';
import { type ClusterRead, failure, type Mode, outOfTime, reportElsewhere, snapshot } from './converge.js';
import { isShortOfTime, type ReconcilerDeps } from './deps.js';
import { type ClusterOutcome, combineOutcomes } from './outcomes.js';
import { convergePlacements, type Placement, placementKey } from './placements.js';
import type { PlacedOutcome } from './private-side.js';

/** Write-then-check rounds per placement before leaving the rest to the next event or the sweep. */
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
  /** The event path's unseen instances, for the second look (source/late.ts). */
  readonly unseen?: Unseen;
}

export interface Reconciled {
  readonly outcomes: Map<string, ClusterOutcome>;
  /** Where each cluster that could be placed was read: its first zone (the only one today). */
  readonly zones: ReadonlyMap<string, HostedZone>;
  /** Every zone each cluster that could be placed was read in. */
  readonly zonesOf: ReadonlyMap<string, readonly HostedZone[]>;
  /** How each placement (a cluster in one of its zones) ended, in the order they were read. */
  readonly placed: readonly PlacedOutcome[];
  /** The last EC2 snapshot the plans used. */
  readonly fleet: Fleet;
  /** What the second look said of each unseen instance (`options.unseen`). */
  readonly sightings: ReadonlyMap<string, Sighting>;
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
async function legacyInstances(deps: ReconcilerDeps, placements: Iterable<Placement>, fleet: Fleet) {
  const members = new Set([...fleet.clusters.values()].flat().map((m) => m.instanceId));
  const wanted = [...placements].flatMap(({ cluster, read }) => {
    const ownership = ownershipIn(ownerName(cluster), read.current);
    if (claimOf(ownership, deps.config).kind !== 'legacy') return [];
    return [...(ownership?.slots.keys() ?? [])].filter((id) => !members.has(id));
  });
  const found = wanted.length === 0 ? [] : await instancesByIds(deps.ec2, [...new Set(wanted)]);
  return new Set([...members, ...found.map((i) => i.id)]);
}

/** A later round's outcome added to an earlier one: writes accumulate; a round that writes nothing keeps the rest. */
function merge(earlier: ClusterOutcome | undefined, later: ClusterOutcome): ClusterOutcome {
  if (earlier?.status !== 'changed') return later;
  if (later.status === 'changed') return { ...later, writes: [...earlier.writes, ...later.writes] };
  return later.status === 'unchanged' ? earlier : later;
}

/** Reads each cluster's records in every zone it is published in; a cluster whose zones cannot be read fails. */
async function readPlacements(deps: ReconcilerDeps, names: ReadonlySet<string>) {
  const placements = new Map<string, Placement>();
  const zonesOf = new Map<string, HostedZone[]>();
  const errors = new Map<string, unknown>();
  for (const cluster of names) {
    try {
      outOfTime(deps);
      const zones = await deps.zones.zonesFor(cluster);
      const reads: [string, Placement][] = [];
      for (const zone of zones) {
        const read = { zone, current: await readCluster(deps.route53, zone.id, cluster) };
        reads.push([placementKey(cluster, zone), { cluster, read }]);
      }
      for (const [key, placement] of reads) placements.set(key, placement);
      zonesOf.set(cluster, zones);
    } catch (error) {
      errors.set(cluster, error);
    }
  }
  return { placements, zonesOf, errors };
}

/**
 * The second look at the unseen instances (source/late.ts): in the check read when the round wrote (a tagged read in
 * any state, which is also the next round's fleet), else by id; a tagged running instance found by id means the
 * fleet missed it, so the fleet is read again (the rare case: a third read).
 */
async function secondLook(deps: ReconcilerDeps, unseen: Unseen, wrote: boolean) {
  if (wrote) {
    const instances = await taggedInstances(deps.ec2, deps.config.clusterTagKey);
    const sightings = sightingsOf(unseen, instances, { tagged: true }, deps.config);
    return { sightings, fleet: groupMembers(instances, deps.config) };
  }
  const found = await instancesByIds(deps.ec2, [...unseen.keys()]);
  const sightings = sightingsOf(unseen, found, { tagged: false }, deps.config);
  const missed = [...sightings.values()].some((s) => s.kind === 'member');
  return { sightings, fleet: missed ? await snapshot(deps) : undefined };
}

/** What a run has read so far: the clusters, their zones, and every placement; and the next round's placements. */
interface RunState {
  readonly names: Set<string>;
  readonly zonesOf: Map<string, readonly HostedZone[]>;
  readonly all: Map<string, Placement>;
  readonly placements: Map<string, Placement>;
}

/**
 * Puts the clusters the second look found into the next round: those the run had read already (their placements as
 * read), and the others once read (returned, for their failures and problems; undefined when there are none).
 */
async function lateClusters(deps: ReconcilerDeps, sightings: ReadonlyMap<string, Sighting>, state: RunState) {
  const found = new Set([...sightings.values()].flatMap((s) => (s.kind === 'member' ? [s.cluster] : [])));
  const fresh = new Set([...found].filter((c) => !state.names.has(c)));
  for (const [key, placement] of state.all) {
    if (found.has(placement.cluster) && !state.placements.has(key)) state.placements.set(key, placement);
  }
  if (fresh.size === 0) return undefined;
  deps.telemetry.log.info('clusters found in the second look at instances EC2 showed late', {
    clusters: [...fresh].join(', '),
  });
  const late = await readPlacements(deps, fresh);
  for (const cluster of fresh) state.names.add(cluster);
  for (const [cluster, zones] of late.zonesOf) state.zonesOf.set(cluster, zones);
  for (const [key, placement] of late.placements) {
    state.all.set(key, placement);
    state.placements.set(key, placement);
  }
  return late;
}

/**
 * Makes each cluster's records exact (or, in plan mode, says what would), in every zone it is published in. One
 * cluster's refusal or failure never stops the others. Reads every cluster's records first, then one EC2 snapshot
 * shared by all (or the one `options.fleet` gives); writes each zone's changes in one request per round; after
 * writing, one more EC2 read checks every placement written (see the module's comment), and adds the clusters the
 * second look at `options.unseen` finds.
 */
export async function reconcileClusters(
  deps: ReconcilerDeps,
  clusters: Iterable<string>,
  options: ReconcileOptions,
): Promise<Reconciled> {
  const outcomes = new Map<string, ClusterOutcome>();
  const names = new Set(clusters);
  const read = await readPlacements(deps, names);
  const zonesOf = new Map(read.zonesOf);
  const all = new Map(read.placements);
  const unseen = new Map(options.unseen ?? []);
  const sightings = new Map<string, Sighting>();
  const firstZones = () =>
    new Map([...zonesOf].flatMap(([cluster, z]) => (z[0] === undefined ? [] : [[cluster, z[0]] as const])));
  if (names.size === 0 && unseen.size === 0) {
    return { outcomes, zones: firstZones(), zonesOf, placed: [], fleet: EMPTY_FLEET, sightings };
  }
  let fleet = options.fleet ?? (await snapshot(deps));
  const failed = (errors: ReadonlyMap<string, unknown>) => {
    for (const [cluster, error] of errors) {
      outcomes.set(cluster, failure(deps, cluster, error, { instances: fleet.tagged.get(cluster) }));
    }
  };
  failed(read.errors);
  reportProblems(deps, fleet, new Set(zonesOf.keys()));
  const visible = new Set(await legacyInstances(deps, read.placements.values(), fleet));
  const served = new Set<string>();
  const byPlacement = new Map<string, ClusterOutcome>();
  const { mode } = options;
  const checkEveryCut = options.checkEveryCut === true;

  let placements: Map<string, Placement> = read.placements;
  for (let round = 1; placements.size > 0 || unseen.size > 0; round += 1) {
    const written = new Map<string, Placement>();
    const run =
      placements.size === 0
        ? undefined
        : await convergePlacements(deps, placements, fleet, {
            mode,
            checkEveryCut,
            visible,
            served,
          });
    fleet = run?.fleet ?? fleet;
    for (const [key, { cluster, outcome, read: after, served: checked }] of run?.results ?? []) {
      if (checked) served.add(key);
      if (round === 1) reportElsewhere(deps, outcome, fleet);
      byPlacement.set(key, merge(byPlacement.get(key), outcome));
      if (outcome.status === 'changed') written.set(key, { cluster, read: after });
    }
    if (written.size === 0 && unseen.size === 0) break;
    const left = [...new Set([...written.values()].map((p) => p.cluster))].join(', ');
    if (round >= VERIFY_ROUNDS) {
      deps.telemetry.log.warn('EC2 kept changing while writing; the next event or the sweep finishes', {
        clusters: left,
      });
      break;
    }
    if (isShortOfTime(deps)) {
      const unlookedCount = unseen.size === 0 ? {} : { unseenInstances: unseen.size };
      if (written.size > 0) {
        deps.telemetry.log.warn('no time left to check the written clusters again; the next event or the sweep will', {
          clusters: left,
          ...unlookedCount,
        });
      } else {
        deps.telemetry.log.warn('no time left to look again for instances EC2 did not show; their events come back', {
          ...unlookedCount,
        });
      }
      break;
    }
    if (unseen.size === 0) {
      fleet = await snapshot(deps);
      placements = written;
      continue;
    }
    const look = await secondLook(deps, unseen, written.size > 0);
    for (const [id, sighting] of look.sightings) sightings.set(id, sighting);
    unseen.clear();
    fleet = look.fleet ?? fleet;
    placements = written;
    const late = await lateClusters(deps, look.sightings, { names, zonesOf, all, placements });
    if (late === undefined) continue;
    failed(late.errors);
    reportProblems(deps, fleet, new Set(late.zonesOf.keys()));
    for (const id of await legacyInstances(deps, late.placements.values(), fleet)) visible.add(id);
  }
  for (const id of unseen.keys()) sightings.set(id, unlooked(id));
  const placed: PlacedOutcome[] = [];
  for (const [key, outcome] of byPlacement) {
    const placement = all.get(key);
    const cluster = placement?.cluster ?? outcome.cluster;
    outcomes.set(cluster, combineOutcomes(outcomes.get(cluster), outcome));
    if (placement !== undefined) placed.push({ cluster, zone: placement.read.zone, outcome });
  }
  return { outcomes, zones: firstZones(), zonesOf, placed, fleet, sightings };
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
    const key = placementKey(cluster, zone);
    const run = await convergePlacements(deps, new Map([[key, { cluster, read }]]), EMPTY_FLEET, {
      mode,
      retire: true,
    });
    return run.results.get(key)?.outcome ?? failure(deps, cluster, new Error(`no outcome for ${cluster}`), { read });
  } catch (error) {
    return failure(deps, cluster, error, { read });
  }
}
