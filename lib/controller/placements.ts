/**
 * A round over placements (a cluster in one of its zones): plan each (converge.ts), then write every zone's changes
 * in one request per zone (zone-batch.ts), each placement's DELETEs and CREATEs in it being that placement's
 * compare-and-swap. A placement that lost a race with another writer is re-read (Route 53, then EC2 once for all of
 * them) and planned again after a jittered backoff (retry.ts), bounded; the others were written at once, without it.
 * Nothing is mutated: the records after a write are returned beside each outcome.
 */
import type { Plan } from '../plan/plan.js';
import { ConflictError } from '../platform/errors.js';
import { METRIC } from '../platform/telemetry.js';
import { ROUTE53_LIMITS, splitChanges } from '../provider/batches.js';
import { sendChangeBatch } from '../provider/route53.js';
import { readCluster } from '../registry/route53.js';
import type { HostedZone } from '../registry/zones.js';
import type { Fleet } from '../source/instances.js';
import {
  afterWrite,
  type ClusterRead,
  type ConvergeOptions,
  deferralOf,
  failure,
  logWrite,
  outOfTime,
  planPlacement,
  snapshot,
} from './converge.js';
import type { ReconcilerDeps } from './deps.js';
import type { ClusterOutcome, Write } from './outcomes.js';
import { attemptsLeft, backoffMs, DEFAULT_RETRY, realSleep } from './retry.js';
import { type PartResult, writeZone, type ZoneSender, type ZoneWrite } from './zone-batch.js';

/** A cluster in one of its zones, with what Route 53 holds there. */
export interface Placement {
  readonly cluster: string;
  readonly read: ClusterRead;
}

/** Placements are keyed by zone and cluster: a cluster may be published in more than one zone. */
export const placementKey = (cluster: string, zone: HostedZone): string => `${zone.id} ${cluster}`;

export interface PlacementResult {
  readonly cluster: string;
  readonly outcome: ClusterOutcome;
  /** The placement's records after this round (after the write, when one was made). */
  readonly read: ClusterRead;
  /** True when its zone cuts were checked (or need no check) in this round or before. */
  readonly served: boolean;
}

export interface PlacementOptions extends Omit<ConvergeOptions, 'served'> {
  /** Placements (keys) whose zone cuts this run has checked already. */
  readonly served?: ReadonlySet<string>;
}

interface Pending {
  readonly cluster: string;
  readonly read: ClusterRead;
  readonly plan: Plan;
}

function zoneSender(deps: ReconcilerDeps, zone: HostedZone): ZoneSender {
  return {
    send: (changes, labels) =>
      sendChangeBatch(deps.route53, zone.id, changes, `rlec-dns ${deps.config.ownerId}: ${labels.join(', ')}`),
    limits: ROUTE53_LIMITS,
    deferral: () => deferralOf(deps),
    accepted: () => deps.telemetry.metrics.addMetric(METRIC.changeBatches, 'Count', 1),
  };
}

/** Writes every pending placement, one request per zone (as few as fit); returns each one's last result. */
async function writeAll(deps: ReconcilerDeps, pending: ReadonlyMap<string, Pending>) {
  const byZone = new Map<string, { zone: HostedZone; writes: ZoneWrite[] }>();
  const results = new Map<string, { result: PartResult; written: Write[] }>();
  for (const [key, { cluster, read, plan }] of pending) {
    try {
      const parts = splitChanges(plan.changes);
      const zone = byZone.get(read.zone.id) ?? { zone: read.zone, writes: [] };
      zone.writes.push({ key, cluster, parts });
      byZone.set(read.zone.id, zone);
    } catch (error) {
      results.set(key, { result: { kind: 'failed', error }, written: [] });
    }
  }
  for (const { zone, writes } of byZone.values()) {
    for (const [key, done] of await writeZone(zoneSender(deps, zone), writes)) {
      results.set(key, { result: done.result, written: done.written.map((w) => ({ zone, ...w })) });
    }
  }
  return results;
}

/**
 * Plans and writes the placements, retrying those that lost a race. Never throws for one placement's problem: its
 * outcome says what happened (refused, failed, deferred).
 */
export async function convergePlacements(
  deps: ReconcilerDeps,
  placements: ReadonlyMap<string, Placement>,
  firstFleet: Fleet,
  options: PlacementOptions,
): Promise<{ results: Map<string, PlacementResult>; fleet: Fleet }> {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const results = new Map<string, PlacementResult>();
  const served = new Set(options.served ?? []);
  const earlier = new Map<string, Write[]>();
  const end = (key: string, cluster: string, read: ClusterRead, outcome: ClusterOutcome) =>
    results.set(key, { cluster, outcome: withEarlier(outcome, earlier.get(key)), read, served: served.has(key) });
  let fleet = firstFleet;
  let todo = new Map(placements);
  for (let attempt = 1; todo.size > 0; attempt += 1) {
    const pending = new Map<string, Pending>();
    for (const [key, { cluster, read }] of todo) {
      try {
        if (attempt === 1) outOfTime(deps);
        const step = await planPlacement(deps, cluster, read, fleet, { ...options, served: served.has(key) });
        if (step.served) served.add(key);
        if (step.kind === 'done') end(key, cluster, read, step.outcome);
        else pending.set(key, { cluster, read, plan: step.plan });
      } catch (error) {
        end(key, cluster, read, failure(deps, cluster, error, { read }));
      }
    }
    const lost = new Map<string, { cluster: string; read: ClusterRead; reasons: readonly string[] }>();
    for (const [key, { result, written }] of await writeAll(deps, pending)) {
      const { cluster, read, plan } = pending.get(key) as Pending;
      earlier.set(key, [...(earlier.get(key) ?? []), ...written]);
      if (result.kind === 'written') {
        // Its writes, with those of any earlier attempt, are the ones `earlier` holds (see `end`).
        logWrite(deps, read, plan, result.changeId, attempt);
        const base = { cluster, plan, zone: read.zone, records: read.current };
        end(
          key,
          cluster,
          { zone: read.zone, current: afterWrite(read.current, plan) },
          {
            ...base,
            status: 'changed',
            writes: [],
          },
        );
      } else if (result.kind !== 'conflict') {
        end(key, cluster, read, failure(deps, cluster, result.error, { read }));
      } else {
        deps.telemetry.metrics.addMetric(METRIC.conflicts, 'Count', 1);
        if (attemptsLeft(attempt, retry)) lost.set(key, { cluster, read, reasons: result.reasons });
        else {
          const message = `cluster ${cluster}: records kept changing under us; gave up after ${attempt} attempts`;
          end(key, cluster, read, failure(deps, cluster, new ConflictError(message, { cause: result.reasons })));
        }
      }
    }
    if (lost.size === 0) break;
    const delayMs = backoffMs(attempt, retry, deps.random ?? Math.random);
    for (const { cluster, reasons } of lost.values()) {
      deps.telemetry.log.info('conflicting writer; re-reading', { cluster, attempt, delayMs, reason: reasons });
    }
    await (deps.sleep ?? realSleep)(delayMs);
    ({ todo, fleet } = await reread(deps, lost, fleet, options, end));
  }
  return { results, fleet };
}

/** Reads again the placements that lost a race, and EC2 once for all of them. */
async function reread(
  deps: ReconcilerDeps,
  lost: ReadonlyMap<string, { cluster: string; read: ClusterRead }>,
  fleet: Fleet,
  options: PlacementOptions,
  end: (key: string, cluster: string, read: ClusterRead, outcome: ClusterOutcome) => void,
): Promise<{ todo: Map<string, Placement>; fleet: Fleet }> {
  const todo = new Map<string, Placement>();
  for (const [key, { cluster, read }] of lost) {
    try {
      todo.set(key, {
        cluster,
        read: { zone: read.zone, current: await readCluster(deps.route53, read.zone.id, cluster) },
      });
    } catch (error) {
      end(key, cluster, read, failure(deps, cluster, error, { read }));
    }
  }
  if (options.retire === true || todo.size === 0) return { todo, fleet };
  try {
    return { todo, fleet: await snapshot(deps) };
  } catch (error) {
    for (const [key, { cluster, read }] of todo) end(key, cluster, read, failure(deps, cluster, error, { read }));
    return { todo: new Map(), fleet };
  }
}

/** An outcome with the writes earlier attempts made before losing a race (a placement in several parts). */
function withEarlier(outcome: ClusterOutcome, writes: readonly Write[] | undefined): ClusterOutcome {
  if (writes === undefined || writes.length === 0) return outcome;
  if (outcome.status === 'changed') return { ...outcome, writes: [...writes, ...outcome.writes] };
  if (outcome.status === 'unchanged') return { ...outcome, status: 'changed', writes };
  return outcome;
}
