/**
 * The sweep's part of the private side: every rule of ours (name `rlec-dns-…`, and our tags read back) whose cluster
 * the caller no longer knows (no members and no records) is taken down: its associations, then the rule. Rules of
 * other deployments and rules we did not create are never looked at twice.
 */

import type { RuleStep } from '../plan/resolver.js';
import { type CurrentRule, claimOfTags, RULE_NAME_PREFIX, RULE_TAG } from '../plan/resolver-rules.js';
import { isPermanent } from '../platform/errors.js';
import { applyRuleSteps } from '../provider/resolver.js';
import type { ResolverRule } from '../provider/resolver-types.js';
import { associationsOf, domainOf, listAllRules, tagsOf } from '../registry/resolver.js';
import { RESOLVER_METRIC, type ResolverRuleDeps } from './resolver-rule.js';
import { realSleep } from './retry.js';

export interface OrphanOptions {
  /** The clusters that still have members or records (canonical names): their rules stay. */
  readonly clusters: ReadonlySet<string>;
  readonly dryRun?: boolean;
  /** A listing of the run, shared with {@link reconcileResolverRule}; read here when absent. */
  readonly rules?: readonly ResolverRule[];
}

export interface OrphanOutcome {
  readonly cluster: string;
  readonly ruleId: string;
  readonly status: 'removed' | 'planned' | 'failed' | 'refused';
  readonly steps: readonly RuleStep[];
  readonly error?: unknown;
}

/**
 * Removes (or, with `dryRun`, lists) our rules whose cluster is gone. Errors are per rule: one that fails does not
 * stop the others.
 *
 * @example await orphanRules(deps, { clusters: new Set(['c1.example.com']) })
 */
export async function orphanRules(deps: ResolverRuleDeps, options: OrphanOptions): Promise<OrphanOutcome[]> {
  if (deps.config.resolver.rule === 'none') return [];
  const { log, metrics } = deps.telemetry;
  const all = options.rules ?? (await listAllRules(deps.resolver));
  const out: OrphanOutcome[] = [];
  for (const rule of all) {
    if (rule.Id === undefined || rule.Arn === undefined || !rule.Name?.startsWith(RULE_NAME_PREFIX)) continue;
    const tags = await tagsOf(deps.resolver, rule.Arn);
    const cluster = tags[RULE_TAG.cluster];
    if (cluster === undefined || options.clusters.has(cluster) || domainOf(rule) !== cluster) continue;
    if (claimOfTags(tags, deps.config, cluster).kind !== 'ours') continue;
    const associations = await associationsOf(deps.resolver, rule.Id);
    const current: CurrentRule = {
      id: rule.Id,
      arn: rule.Arn,
      name: rule.Name,
      type: rule.RuleType ?? 'FORWARD',
      domain: cluster,
      targets: [],
      claim: { kind: 'ours' },
      associations,
    };
    const steps: RuleStep[] = [
      ...associations
        .filter((a) => a.status !== 'DELETING')
        .map((a): RuleStep => ({ kind: 'disassociate', ruleId: rule.Id as string, vpcId: a.vpcId })),
      { kind: 'delete', ruleId: rule.Id },
    ];
    if (options.dryRun) {
      out.push({ cluster, ruleId: rule.Id, status: 'planned', steps });
      continue;
    }
    try {
      await applyRuleSteps(
        { resolver: deps.resolver, me: deps.config, cluster, rules: [current], sleep: deps.sleep ?? realSleep },
        steps,
      );
      log.info('Resolver rule of a cluster that is gone removed', { cluster, ruleId: rule.Id });
      metrics.addMetric(RESOLVER_METRIC.orphansRemoved, 'Count', 1);
      out.push({ cluster, ruleId: rule.Id, status: 'removed', steps });
    } catch (error) {
      log.error('Resolver rule of a cluster that is gone not removed', {
        cluster,
        ruleId: rule.Id,
        error: error as Error,
      });
      metrics.addMetric(isPermanent(error) ? RESOLVER_METRIC.rulesRefused : RESOLVER_METRIC.rulesFailed, 'Count', 1);
      out.push({ cluster, ruleId: rule.Id, status: isPermanent(error) ? 'refused' : 'failed', steps, error });
    }
  }
  return out;
}
