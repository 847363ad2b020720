/**
 * The private side of a run (RESOLVER_RULE delegate or forward): once a cluster's records in its private zone are
 * where they should be, its Route 53 Resolver rule follows them (resolver-rule.ts), from the members that zone's plan
 * holds: the DELEGATE rule leads to the NS and glue just written, the FORWARD rule's targets are the glue's
 * addresses. With no members left, the rule and its associations go with the records. The sweep also removes rules
 * of ours whose cluster has neither members nor records any more (resolver-sweep.ts).
 *
 * | the cluster's private placement | its rule                                                              |
 * |---------------------------------|-----------------------------------------------------------------------|
 * | changed, unchanged or planned   | reconciled from the plan's members (a dry run in plan mode)           |
 * | refused, elsewhere              | left as it is: the records' outcome says why                          |
 * | failed, deferred                | left as it is: the events come back, and the rule follows next time   |
 *
 * One ListResolverRules listing serves every cluster of the run, and the sweep's orphan check after them.
 */
import type { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import type { RuleMember } from '../plan/resolver.js';
import { awsAttributes } from '../platform/aws-errors.js';
import { DeferredError, isPermanent } from '../platform/errors.js';
import { METRIC } from '../platform/telemetry.js';
import type { HostedZone } from '../registry/zones.js';
import type { Mode } from './converge.js';
import { isShortOfTime, type ReconcilerDeps } from './deps.js';
import type { ClusterOutcome } from './outcomes.js';
import { listAllRules, RESOLVER_METRIC, type ResolverOutcome, reconcileResolverRule } from './resolver-rule.js';
import { type OrphanOutcome, orphanRules } from './resolver-sweep.js';

/** A cluster in one zone, and how its records ended there. */
export interface PlacedOutcome {
  readonly cluster: string;
  readonly zone: HostedZone;
  readonly outcome: ClusterOutcome;
}

export interface PrivateSide {
  /** cluster → what happened to its rule (absent: no private placement, or its records did not settle). */
  readonly rules: ReadonlyMap<string, ResolverOutcome>;
  /** The sweep's removals of rules whose cluster is gone. */
  readonly orphans: readonly OrphanOutcome[];
}

const NONE: PrivateSide = { rules: new Map(), orphans: [] };

/** True when the private side is on: a rule mode and an endpoint, and a Resolver client to write with. */
export const privateSideOn = (deps: ReconcilerDeps): deps is ReconcilerDeps & { resolver: Route53ResolverClient } =>
  deps.resolver !== undefined && deps.config.resolver.rule !== 'none' && deps.config.resolver.endpointId !== undefined;

const settled = (outcome: ClusterOutcome) =>
  outcome.status === 'changed' || outcome.status === 'unchanged' || outcome.status === 'planned';

/** The members a placement's plan holds, as the rule takes them. */
function ruleMembers(outcome: ClusterOutcome): RuleMember[] {
  if (!('plan' in outcome)) return [];
  return outcome.plan.members.map((m) => ({ instanceId: m.instanceId, slot: m.slot, ipv4: m.address, ipv6: m.ipv6 }));
}

/**
 * The account's rules could not be listed: one error for the run, logged and counted once; every private cluster's
 * rule is refused (permanent: access denied) or failed (transient: its events come back).
 */
function unlisted(deps: ReconcilerDeps, clusters: readonly string[], error: unknown): Map<string, ResolverOutcome> {
  const { log, metrics } = deps.telemetry;
  const permanent = isPermanent(error);
  log.error(`Resolver rules not reconciled: ${(error as Error).message}`, {
    clusters: clusters.join(', '),
    error: (error as Error).name,
    ...awsAttributes(error),
  });
  metrics.addMetric(permanent ? METRIC.awsPermanentErrors : RESOLVER_METRIC.rulesFailed, 'Count', 1);
  return new Map(
    clusters.map((cluster): [string, ResolverOutcome] =>
      permanent
        ? [cluster, { cluster, status: 'refused', error, blocking: [], vpcIds: [], rules: [] }]
        : [cluster, { cluster, status: 'failed', error, steps: [] }],
    ),
  );
}

/** Each cluster's private placements, in the order the run made them. */
function privatePlacements(placed: readonly PlacedOutcome[]): Map<string, PlacedOutcome[]> {
  const byCluster = new Map<string, PlacedOutcome[]>();
  for (const p of placed.filter((p) => p.zone.private))
    byCluster.set(p.cluster, [...(byCluster.get(p.cluster) ?? []), p]);
  return byCluster;
}

/**
 * Reconciles the rule of every cluster the run placed in a private zone; with `sweep`, then removes our rules of
 * clusters that are not among `sweep.clusters` (every cluster with members or records).
 */
export async function reconcilePrivateSide(
  deps: ReconcilerDeps,
  placed: readonly PlacedOutcome[],
  options: { readonly mode: Mode; readonly sweep?: { readonly clusters: ReadonlySet<string> } },
): Promise<PrivateSide> {
  if (!privateSideOn(deps)) return NONE;
  const clusters = privatePlacements(placed);
  if (clusters.size === 0 && options.sweep === undefined) return NONE;
  let rules: Awaited<ReturnType<typeof listAllRules>>;
  try {
    rules = await listAllRules(deps.resolver);
  } catch (error) {
    return { rules: unlisted(deps, [...clusters.keys()], error), orphans: [] };
  }
  const outcomes = new Map<string, ResolverOutcome>();
  const dryRun = options.mode === 'plan';
  for (const [cluster, placements] of clusters) {
    const [first, ...twins] = placements;
    if (first === undefined || !placements.every((p) => settled(p.outcome))) continue;
    if (isShortOfTime(deps)) {
      // The Resolver is paced at a few requests a second: a rule not started in time comes back with its events.
      const error = new DeferredError(`cluster ${cluster}: Resolver rule deferred, the invocation is short of time`);
      deps.telemetry.log.warn(error.message, { cluster });
      outcomes.set(cluster, { cluster, status: 'failed', error, steps: [] });
      continue;
    }
    const members = ruleMembers(first.outcome);
    const zone = { id: first.zone.id, name: first.zone.name };
    const family = deps.config.addressFamily;
    const input = { cluster, zone, twins: twins.map((t) => ({ id: t.zone.id })), members, family, dryRun, rules };
    outcomes.set(cluster, await reconcileResolverRule(deps, input));
  }
  const orphans =
    options.sweep === undefined ? [] : await orphanRules(deps, { clusters: options.sweep.clusters, dryRun, rules });
  return { rules: outcomes, orphans };
}

/** True when the cluster's rule failed for a transient reason: its events come back, as for its records. */
export const ruleNeedsRetry = (outcome: ResolverOutcome | undefined): boolean => outcome?.status === 'failed';
