/**
 * The private side of a cluster: its Route 53 Resolver rule, read → plan → apply, called by the loop once the
 * cluster's records in its private zone have converged (so the NS and glue a DELEGATE rule leads to are there
 * first), and by the CLI in dry runs. {@link orphanRules} is the sweep's part: rules of ours whose cluster is gone.
 *
 * A refusal here (a rule we did not create holds or shadows the cluster's name) concerns the private side only: the
 * caller goes on with the public side.
 */
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { type AddressFamily, planRule, type RuleMember, type RuleStep } from '../plan/resolver.js';
import { type CurrentRule, type DesiredRule, describeRule, ruleNameFor } from '../plan/resolver-rules.js';
import { awsAttributes } from '../platform/aws-errors.js';
import { AwsPermanentError, isPermanent, PermanentError } from '../platform/errors.js';
import type { ResolverConfig } from '../platform/resolver-config.js';
import { METRIC, type Telemetry } from '../platform/telemetry.js';
import { applyRuleSteps } from '../provider/resolver.js';
import type { ResolverRule } from '../provider/resolver-types.js';
import type { Deployment } from '../registry/ownership.js';
import { readClusterRules, zoneVpcIds } from '../registry/resolver.js';
import { realSleep } from './retry.js';

/** One listing of the account's rules, to share between the clusters of a run (`ResolverRuleInput.rules`). */
export { listAllRules } from '../registry/resolver.js';

/** Metric names of the private side (beside lib/platform/telemetry.ts's METRIC). */
export const RESOLVER_METRIC = {
  /** Rules created, updated or deleted. */
  rulesChanged: 'ResolverRulesChanged',
  /** Rule–VPC associations made or removed. */
  associationsChanged: 'ResolverAssociationsChanged',
  /** Clusters refused on the private side (a foreign or shadowing rule, a rule no longer ours). */
  rulesRefused: 'ResolverRulesRefused',
  /** Clusters whose rule belongs to another account or Region. */
  rulesElsewhere: 'ResolverRulesOwnedElsewhere',
  /** Transient failures (throttling, a rule still in use); retried by the next run. */
  rulesFailed: 'ResolverRulesFailed',
  /** Clusters with more members than a FORWARD rule holds targets. */
  targetsCapped: 'ResolverTargetsCapped',
  /** Rules of ours removed by the sweep because their cluster is gone. */
  orphansRemoved: 'ResolverOrphanRulesRemoved',
} as const;

export interface ResolverRuleDeps {
  readonly resolver: Route53ResolverClient;
  /** For GetHostedZone (the zone's VPCs); the loop's Route 53 client, through the DNS role when there is one. */
  readonly route53: Route53Client;
  readonly config: Deployment & { readonly resolver: ResolverConfig };
  readonly telemetry: Telemetry;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ResolverRuleInput {
  /** Canonical, no trailing dot. */
  readonly cluster: string;
  /** The private zone the cluster is published in (id without `/hostedzone/`, name canonical with or without dot). */
  readonly zone: { readonly id: string; readonly name: string };
  /**
   * More private zones of the same name the cluster is published in (each answers its own VPCs): the rule is
   * associated with the VPCs of every one.
   */
  readonly twins?: readonly { readonly id: string }[];
  /** The cluster's members with their slots; empty when the last one left. */
  readonly members: readonly RuleMember[];
  readonly family: AddressFamily;
  /** Plan only: nothing is written. */
  readonly dryRun?: boolean;
  /** One ListResolverRules listing shared by several clusters of a run; read here when absent. */
  readonly rules?: readonly ResolverRule[];
}

interface Seen {
  readonly cluster: string;
  readonly vpcIds: readonly string[];
  readonly rules: readonly CurrentRule[];
}

export type ResolverOutcome =
  | { readonly cluster: string; readonly status: 'off' }
  | (Seen & {
      readonly status: 'unchanged' | 'planned' | 'changed';
      readonly steps: readonly RuleStep[];
      readonly notes: readonly string[];
      /** The rule the cluster has (or would have) afterwards; undefined when none. */
      readonly rule: DesiredRule | undefined;
      /** Its id, when it exists (after a create, the new one). */
      readonly ruleId: string | undefined;
    })
  | (Seen & { readonly status: 'refused'; readonly error: PermanentError; readonly blocking: readonly CurrentRule[] })
  | (Seen & { readonly status: 'elsewhere'; readonly rule: CurrentRule })
  | {
      readonly cluster: string;
      readonly status: 'failed';
      readonly error: unknown;
      readonly steps: readonly RuleStep[];
    };

/** Rules we did not create hold or shadow the cluster's name: the private side is refused, the rules named. */
export class ForeignResolverRuleError extends PermanentError {
  constructor(
    readonly cluster: string,
    readonly rules: readonly CurrentRule[],
    reason: string,
  ) {
    super(`cluster ${cluster} refused on the private side: ${reason}; no Resolver rule was written`);
  }
}

/** The VPCs (in this Region) the zones answer, each once, in the zones' order. */
async function vpcsOfZones(deps: ResolverRuleDeps, zones: readonly { readonly id: string }[]): Promise<string[]> {
  const vpcs: string[] = [];
  for (const zone of zones) vpcs.push(...(await zoneVpcIds(deps.route53, zone.id, deps.config.region)));
  return [...new Set(vpcs)];
}

function count(deps: ResolverRuleDeps, steps: readonly RuleStep[]): void {
  const rules = steps.filter((s) => s.kind === 'create' || s.kind === 'update' || s.kind === 'delete').length;
  const associations = steps.length - rules;
  if (rules > 0) deps.telemetry.metrics.addMetric(RESOLVER_METRIC.rulesChanged, 'Count', rules);
  if (associations > 0) deps.telemetry.metrics.addMetric(RESOLVER_METRIC.associationsChanged, 'Count', associations);
}

function failed(
  deps: ResolverRuleDeps,
  cluster: string,
  error: unknown,
  steps: readonly RuleStep[],
  seen?: Seen,
): ResolverOutcome {
  const { log, metrics } = deps.telemetry;
  if (isPermanent(error)) {
    log.error(`cluster ${cluster}: Resolver rule refused: ${error.message}`, {
      cluster,
      error: error.name,
      ...awsAttributes(error),
    });
    metrics.addMetric(RESOLVER_METRIC.rulesRefused, 'Count', 1);
    if (error instanceof AwsPermanentError) metrics.addMetric(METRIC.awsPermanentErrors, 'Count', 1);
    return { cluster, vpcIds: seen?.vpcIds ?? [], rules: seen?.rules ?? [], status: 'refused', error, blocking: [] };
  }
  log.error('Resolver rule not reconciled; it will be retried', { cluster, error: error as Error });
  metrics.addMetric(RESOLVER_METRIC.rulesFailed, 'Count', 1);
  return { cluster, status: 'failed', error, steps };
}

/**
 * Reads, plans and (unless `dryRun`) applies the cluster's Resolver rule. Never throws for AWS's or the plan's
 * reasons: a permanent problem is `refused`, a transient one `failed` (retry the cluster's events).
 *
 * @example await reconcileResolverRule(deps, { cluster: 'c1.example.com', zone, members, family: 'ipv4' })
 */
export async function reconcileResolverRule(
  deps: ResolverRuleDeps,
  input: ResolverRuleInput,
): Promise<ResolverOutcome> {
  const { cluster } = input;
  const { resolver: settings } = deps.config;
  if (settings.rule === 'none' || settings.endpointId === undefined) return { cluster, status: 'off' };
  const { log, metrics } = deps.telemetry;
  const mode = settings.rule;
  const zoneName = input.zone.name.toLowerCase().replace(/\.$/, '');
  let seen: Seen | undefined;
  let steps: readonly RuleStep[] = [];
  try {
    const vpcIds = settings.vpcIds ?? (await vpcsOfZones(deps, [input.zone, ...(input.twins ?? [])]));
    const query = { cluster, zoneName, mode, me: deps.config };
    const rules = await readClusterRules(deps.resolver, query, input.rules);
    seen = { cluster, vpcIds, rules };
    const plan = planRule({
      cluster,
      zoneName,
      mode,
      family: input.family,
      endpointId: settings.endpointId,
      members: input.members,
      vpcIds,
      rules,
      ruleName: ruleNameFor(deps.config, cluster),
    });
    if (plan.kind === 'refused') {
      const error = new ForeignResolverRuleError(cluster, plan.rules, plan.reason);
      log.error(error.message, { cluster, rules: plan.rules.map(describeRule) });
      metrics.addMetric(RESOLVER_METRIC.rulesRefused, 'Count', 1);
      return { ...seen, status: 'refused', error, blocking: plan.rules };
    }
    if (plan.kind === 'elsewhere') {
      log.debug('Resolver rule owned elsewhere; left alone', { cluster, rule: describeRule(plan.rule) });
      metrics.addMetric(RESOLVER_METRIC.rulesElsewhere, 'Count', 1);
      return { ...seen, status: 'elsewhere', rule: plan.rule };
    }
    for (const note of plan.notes) log.warn(note, { cluster });
    if (plan.notes.some((n) => n.includes('at most'))) metrics.addMetric(RESOLVER_METRIC.targetsCapped, 'Count', 1);
    steps = plan.steps;
    const existing = plan.desired && rules.find((r) => r.claim.kind === 'ours' && r.type === plan.desired?.type);
    const base = { ...seen, notes: plan.notes, rule: plan.desired, steps: plan.steps };
    if (plan.steps.length === 0) return { ...base, status: 'unchanged', ruleId: existing?.id };
    if (input.dryRun) return { ...base, status: 'planned', ruleId: existing?.id };
    const done = await applyRuleSteps(
      { resolver: deps.resolver, me: deps.config, cluster, rules, sleep: deps.sleep ?? realSleep },
      plan.steps,
    );
    count(deps, plan.steps);
    const created = done.find((d) => d.step.kind === 'create')?.ruleId;
    log.info('Resolver rule reconciled', {
      cluster,
      steps: plan.steps.map((s) => s.kind),
      ruleId: created ?? existing?.id,
    });
    return { ...base, status: 'changed', ruleId: plan.desired === undefined ? undefined : (created ?? existing?.id) };
  } catch (error) {
    return failed(deps, cluster, error, steps, seen);
  }
}
