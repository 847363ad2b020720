/**
 * A read-only view of the loop, for operators (the CLI's `status` and `export`): which clusters exist, what Route 53
 * holds for each, which instances serve it, and whether the two agree: the loop's entry point in plan mode, which
 * writes nothing, and a view of its outcomes.
 */

import type { ReconcilerDeps } from '../lib/controller/deps.js';
import type { ClusterOutcome } from '../lib/controller/outcomes.js';
import type { ResolverOutcome } from '../lib/controller/resolver-rule.js';
import { runOnce } from '../lib/controller/run-once.js';
import { nsName, ownerName } from '../lib/plan/names.js';
import type { Plan } from '../lib/plan/plan.js';
import type { RecordSet } from '../lib/plan/records.js';
import type { Config } from '../lib/platform/config.js';
import { isPermanent } from '../lib/platform/errors.js';
import { claimOf, describeOwner, ownershipIn } from '../lib/registry/ownership.js';
import { findOwned, isOwned } from '../lib/registry/route53.js';
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

/** One instance as the operator sees it: a member, a former member still published, or a tagged bystander. */
export interface MemberView {
  readonly instanceId: string;
  /** EC2's state, or `unknown` when EC2 no longer shows the instance. */
  readonly state: string;
  readonly address?: string | undefined;
  /** Its IPv6 glue address (ADDRESS_FAMILY=ipv6 or dual). */
  readonly ipv6?: string | undefined;
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
  /**
   * The cluster in each zone it is published in, each seen on its own (ZONE_TYPE=both: the public and the private
   * zone, whose addresses differ); the view's own fields are its first zone's (or, for the state, the combination).
   */
  readonly zones?: readonly ClusterView[];
  /** Its Resolver rule (RESOLVER_RULE), when it is published in a private zone and the private side is on. */
  readonly rule?: ResolverOutcome | undefined;
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
  const glueOf = (type: string) =>
    new Map(records.filter((r) => r.type === type).map((r) => [r.name, r.values.join(' ')]));
  const [glue, glue6] = [glueOf('A'), glueOf('AAAA')];
  const views: MemberView[] = [];
  const listed = new Set<string>();
  for (const m of plan?.members ?? []) {
    const name = nsName(cluster, m.slot);
    const held = slots.get(m.instanceId) === m.slot && glue.get(name) === m.address && glue6.get(name) === m.ipv6;
    const role = held ? 'published' : 'pending';
    const ipv6 = m.ipv6 === undefined ? {} : { ipv6: m.ipv6 };
    views.push({ instanceId: m.instanceId, state: 'running', address: m.address, ...ipv6, slot: m.slot, role });
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

function viewOf(outcome: ClusterOutcome, config: Config, seen: Observed): ClusterView {
  const { cluster } = outcome;
  switch (outcome.status) {
    case 'unchanged':
    case 'planned':
    case 'changed': {
      const { zone, records, plan } = outcome;
      const state = outcome.status === 'unchanged' ? 'in-step' : 'out-of-step';
      return { cluster, zone, records, plan, state, members: memberViews(cluster, config, records, seen, plan) };
    }
    case 'elsewhere': {
      const owner = outcome.plan.elsewhere === undefined ? undefined : describeOwner(outcome.plan.elsewhere);
      return { cluster, zone: outcome.zone, records: outcome.records, members: [], state: 'elsewhere', owner };
    }
    case 'deferred':
      return { cluster, records: [], members: [], state: 'failed', error: outcome.error };
    default: {
      const records = outcome.records ?? [];
      const members = memberViews(cluster, config, records, seen);
      return { cluster, zone: outcome.zone, records, members, state: outcome.status, error: outcome.error };
    }
  }
}

/**
 * The state of each cluster: its records, its members and its pending plan, as the loop's own entry point sees them
 * in plan mode (so status, plan and the next run agree), plus what EC2 says of every tagged instance in any state.
 * One cluster's refusal (foreign records, no hosted zone, a call AWS denies) never hides the others; errors that are
 * not permanent (network, throttling) are thrown.
 */
export async function clusterStatus(deps: ReconcilerDeps, request: readonly string[] | 'all'): Promise<StatusReport> {
  const run = await runOnce(deps, { clusters: request, mode: 'plan' });
  for (const outcome of run.outcomes.values()) {
    if (outcome.status === 'failed' && !isPermanent(outcome.error)) throw outcome.error;
  }
  const tagged = await taggedInstances(deps.ec2, deps.config.clusterTagKey);
  const known = new Set(tagged.map((i) => i.id));
  const listed = [...run.outcomes.values()].flatMap((o) =>
    'records' in o && o.records !== undefined ? [...publishedSlots(o.cluster, o.records, deps.config).keys()] : [],
  );
  const formers = await instancesByIds(
    deps.ec2,
    listed.filter((id) => !known.has(id)),
  );
  const instances = [...tagged, ...formers];
  const fleet = groupMembers(instances, deps.config);
  const seen: Observed = { instances, fleet };
  const views: ClusterView[] = [...run.outcomes.values()].map((o) => ({
    ...viewOf(o, deps.config, seen),
    zones: run.placed
      .filter((p) => p.cluster === o.cluster)
      .map((p) => ({ ...viewOf(p.outcome, deps.config, seen), zone: p.zone })),
    rule: run.rules.get(o.cluster),
  }));
  for (const found of run.elsewhere) {
    if (run.outcomes.has(found.cluster) || found.claim.kind !== 'elsewhere') continue;
    const owner = describeOwner(found.claim);
    views.push({ cluster: found.cluster, zone: found.zone, records: [], members: [], state: 'elsewhere', owner });
  }
  views.sort((x, y) => x.cluster.localeCompare(y.cluster));
  const problems = fleet.problems.filter((p) => p.kind === 'invalid-cluster-tag');
  return { clusters: views, problems };
}
