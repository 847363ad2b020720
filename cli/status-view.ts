/**
 * A read-only view of the loop, for operators (the CLI's `status` and `export`): which clusters exist, what Route 53
 * holds for each, which instances serve it, and whether the two agree. It runs the controller's own stages
 * (registry, source, plan) in the controller's order (Route 53, then EC2) and writes nothing.
 */

import type { ReconcilerDeps } from '../lib/controller/reconciler.js';
import { sweepTargets } from '../lib/controller/sweep.js';
import { nsName, ownerName } from '../lib/plan/names.js';
import { type Plan, planCluster } from '../lib/plan/plan.js';
import type { RecordSet } from '../lib/plan/records.js';
import type { Config } from '../lib/platform/config.js';
import { isPermanent } from '../lib/platform/errors.js';
import { assertServed, createsDelegation } from '../lib/registry/cuts.js';
import { claimOf, describeOwner, ownershipIn } from '../lib/registry/ownership.js';
import { findOwned, isOwned, readCluster } from '../lib/registry/route53.js';
import type { HostedZone } from '../lib/registry/zones.js';
import {
  clusterOf,
  type Fleet,
  groupMembers,
  type Instance,
  instancesByIds,
  type MemberProblem,
  taggedInstances,
} from '../lib/source/instances.js';

type ViewDeps = Pick<ReconcilerDeps, 'route53' | 'ec2' | 'config' | 'zones'>;

/** The clusters this deployment owns in Route 53, in the zones it may write. */
export async function ownedClusters(deps: Pick<ViewDeps, 'route53' | 'config' | 'zones'>): Promise<string[]> {
  const owned = (await findOwned(deps.route53, await deps.zones.writable(), deps.config)).filter(isOwned);
  return [...new Set(owned.map((o) => o.cluster))].sort();
}

/**
 * The clusters a sweep would reconcile (those owned in Route 53 and those running tagged instances name), and those
 * bound to another account or Region in the same zones, which status reports as owned elsewhere.
 */
export async function listClusters(deps: ViewDeps): Promise<string[]> {
  const targets = await sweepTargets(deps);
  return [...new Set([...targets.clusters, ...targets.elsewhere.map((e) => e.cluster)])].sort();
}

/** One instance as the operator sees it: a member, a former member still published, or a tagged bystander. */
export interface MemberView {
  readonly instanceId: string;
  /** EC2's state, or `unknown` when EC2 no longer shows the instance. */
  readonly state: string;
  readonly address?: string | undefined;
  /** The number it holds once in step (a member), or still holds in Route 53 (a former member). */
  readonly slot?: number | undefined;
  /** published: in Route 53 as it should be; pending: to be written; stale: to be removed; inactive: not a member. */
  readonly role: 'published' | 'pending' | 'stale' | 'inactive';
  readonly note?: string | undefined;
}

export interface ClusterView {
  readonly cluster: string;
  readonly zone?: HostedZone | undefined;
  /** What Route 53 holds at or below the cluster's name. */
  readonly records: readonly RecordSet[];
  readonly members: readonly MemberView[];
  /**
   * in-step: nothing to write; out-of-step: a plan is pending; elsewhere: bound to another account or Region (see
   * `owner`), never touched here; refused/failed: see `error`.
   */
  readonly state: 'in-step' | 'out-of-step' | 'elsewhere' | 'refused' | 'failed';
  /** For `elsewhere`: whose it is. */
  readonly owner?: string | undefined;
  readonly plan?: Plan | undefined;
  readonly error?: unknown;
}

export interface StatusReport {
  readonly clusters: readonly ClusterView[];
  /** Tagged instances whose tag names no valid cluster. */
  readonly problems: readonly MemberProblem[];
}

/** The slots the cluster's ownership record gives, when the record is ours (or of the earlier form, with our id). */
function publishedSlots(cluster: string, records: readonly RecordSet[], config: Config): ReadonlyMap<string, number> {
  const ownership = ownershipIn(ownerName(cluster), records);
  const claim = claimOf(ownership, config).kind;
  return ownership !== undefined && (claim === 'ours' || claim === 'legacy') ? ownership.slots : new Map();
}

interface Observed {
  readonly instances: readonly Instance[];
  readonly fleet: Fleet;
}

function memberViews(cluster: string, config: Config, records: readonly RecordSet[], seen: Observed, plan?: Plan) {
  const slots = publishedSlots(cluster, records, config);
  const glue = new Map(records.filter((r) => r.type === 'A').map((r) => [r.name, r.values.join(' ')]));
  const views: MemberView[] = [];
  const listed = new Set<string>();
  for (const m of plan?.members ?? []) {
    const held = slots.get(m.instanceId) === m.slot && glue.get(nsName(cluster, m.slot)) === m.address;
    const role = held ? 'published' : 'pending';
    views.push({ instanceId: m.instanceId, state: 'running', address: m.address, slot: m.slot, role });
    listed.add(m.instanceId);
  }
  for (const [id, slot] of slots) {
    if (listed.has(id)) continue;
    const state = seen.instances.find((i) => i.id === id)?.state ?? 'unknown';
    views.push({ instanceId: id, state, slot, role: 'stale', note: 'still published; no longer a member' });
    listed.add(id);
  }
  for (const i of seen.instances) {
    if (listed.has(i.id) || clusterOf(i, config) !== cluster) continue;
    const problem = seen.fleet.problems.find((p) => p.instanceId === i.id)?.message;
    const note = problem ?? (i.state === 'running' ? 'not published: cluster refused' : `not running (${i.state})`);
    views.push({ instanceId: i.id, state: i.state, role: 'inactive', note });
    listed.add(i.id);
  }
  return views;
}

interface Read {
  readonly zone?: HostedZone;
  readonly records: readonly RecordSet[];
  readonly error?: unknown;
}

/**
 * The state of each cluster: its records, its members and its pending plan. One cluster's refusal (foreign records,
 * no hosted zone, a call AWS denies) never hides the others; errors that are not permanent (network, throttling) are
 * thrown.
 */
export async function clusterStatus(deps: ViewDeps, clusters: readonly string[]): Promise<StatusReport> {
  const reads = new Map<string, Read>();
  for (const cluster of clusters) {
    try {
      const zone = await deps.zones.zoneFor(cluster);
      reads.set(cluster, { zone, records: await readCluster(deps.route53, zone.id, cluster) });
    } catch (error) {
      if (!isPermanent(error)) throw error;
      reads.set(cluster, { records: [], error });
    }
  }
  const tagged = await taggedInstances(deps.ec2, deps.config.clusterTagKey);
  const known = new Set(tagged.map((i) => i.id));
  const listed = [...reads].flatMap(([cluster, r]) => [...publishedSlots(cluster, r.records, deps.config).keys()]);
  const formers = await instancesByIds(
    deps.ec2,
    listed.filter((id) => !known.has(id)),
  );
  const instances = [...tagged, ...formers];
  const fleet = groupMembers(instances, deps.config);
  const seen: Observed = { instances, fleet };
  const views: ClusterView[] = [];
  for (const [cluster, read] of reads) views.push(await viewOf(cluster, read));
  async function viewOf(cluster: string, read: Read): Promise<ClusterView> {
    const base = { cluster, zone: read.zone, records: read.records };
    if (read.error !== undefined) return { ...base, members: [], state: 'refused', error: read.error };
    const members = fleet.clusters.get(cluster) ?? [];
    const visible = new Set(instances.map((i) => i.id));
    try {
      const plan = planCluster({
        cluster,
        current: read.records,
        members,
        deployment: deps.config,
        visible,
        ttl: deps.config.recordTtl,
      });
      if (plan.elsewhere !== undefined) {
        return { ...base, members: [], state: 'elsewhere', owner: describeOwner(plan.elsewhere), plan };
      }
      if (read.zone !== undefined && plan.desired.length > 0) {
        const creating = createsDelegation(cluster, plan.changes);
        await assertServed(deps.route53, read.zone, {
          cluster,
          current: read.records,
          clusters: fleet.tagged,
          creating,
        });
      }
      const state = plan.changes.length === 0 ? 'in-step' : 'out-of-step';
      return { ...base, members: memberViews(cluster, deps.config, read.records, seen, plan), state, plan };
    } catch (error) {
      const state = isPermanent(error) ? 'refused' : 'failed';
      return { ...base, members: memberViews(cluster, deps.config, read.records, seen), state, error };
    }
  }
  const problems = fleet.problems.filter((p) => p.kind === 'invalid-cluster-tag');
  return { clusters: views, problems };
}
