/**
 * The private side (RESOLVER_RULE) as the operator sees it, for `status` and `plan`: each private cluster's Route 53
 * Resolver rule (type, id, name, the DELEGATE record or the FORWARD targets, its endpoint), its VPC associations,
 * the steps a run would take (or took), a refusal with the rules that block it, a rule owned elsewhere; and the
 * sweep's orphan rules (ours, whose cluster is gone). As JSON here; as text in private-lines.ts.
 */
import type { ResolverOutcome } from '../lib/controller/resolver-rule.js';
import type { OrphanOutcome } from '../lib/controller/resolver-sweep.js';
import type { RuleStep } from '../lib/plan/resolver.js';
import type { CurrentRule, Target } from '../lib/plan/resolver-rules.js';
import { describeError } from './failure.js';
import type { Env } from './output.js';

/** in-step: nothing to do; pending: steps a dry run found; changed: they were taken. */
export type RuleStatus = 'in-step' | 'pending' | 'changed' | 'refused' | 'elsewhere' | 'failed';

export interface RuleStepJson {
  readonly action: RuleStep['kind'];
  readonly ruleId?: string;
  readonly vpcId?: string;
  readonly type?: string;
  readonly domain?: string;
  readonly targets?: readonly string[];
  readonly endpointId?: string;
}

/** A rule that refuses the cluster's private side (it holds or shadows the name, and is not ours). */
export interface BlockingRuleJson {
  readonly id: string;
  readonly name?: string;
  readonly type: string;
  readonly domain: string;
}

export interface RuleJson {
  readonly status: RuleStatus;
  /** The rule the cluster has (or will have once the steps are taken); absent when it has none. */
  readonly type?: string;
  readonly id?: string;
  readonly name?: string;
  /** The name the rule answers for: a DELEGATE rule's delegation record, a FORWARD rule's domain. */
  readonly domain?: string;
  readonly endpointId?: string;
  /** FORWARD targets, `address:port` (`[v6]:port`). */
  readonly targets: readonly string[];
  /** The VPCs the rule should be associated with (the private zone's, or RESOLVER_VPC_IDS). */
  readonly vpcIds: readonly string[];
  /** The VPCs our rule is associated with now, with the association's state. */
  readonly associations: readonly { readonly vpcId: string; readonly status: string }[];
  readonly steps: readonly RuleStepJson[];
  readonly notes: readonly string[];
  readonly blocking: readonly BlockingRuleJson[];
  readonly owner?: string;
  readonly error?: string;
}

export interface OrphanJson {
  readonly cluster: string;
  readonly ruleId: string;
  /** planned: the sweep would remove it; removed: it did. */
  readonly status: OrphanOutcome['status'];
  readonly steps: readonly RuleStepJson[];
  readonly error?: string;
}

const targetText = (t: Target): string =>
  t.address.includes(':') ? `[${t.address}]:${t.port}` : `${t.address}:${t.port}`;

function stepJson(step: RuleStep): RuleStepJson {
  switch (step.kind) {
    case 'create': {
      const { type, domain, endpointId, targets } = step.rule;
      return {
        action: 'create',
        type,
        domain,
        endpointId,
        ...(type === 'FORWARD' ? { targets: targets.map(targetText) } : {}),
      };
    }
    case 'update':
      return {
        action: 'update',
        ruleId: step.ruleId,
        ...(step.targets === undefined ? {} : { targets: step.targets.map(targetText) }),
        ...(step.endpointId === undefined ? {} : { endpointId: step.endpointId }),
      };
    case 'associate':
      return { action: 'associate', ...(step.ruleId === undefined ? {} : { ruleId: step.ruleId }), vpcId: step.vpcId };
    default:
      return { action: step.kind, ruleId: step.ruleId, ...('vpcId' in step ? { vpcId: step.vpcId } : {}) };
  }
}

const blockingJson = (r: CurrentRule): BlockingRuleJson => ({
  id: r.id,
  ...(r.name === undefined ? {} : { name: r.name }),
  type: r.type,
  domain: r.domain,
});

const associationsOf = (rule: CurrentRule | undefined) =>
  (rule?.associations ?? []).map((a) => ({ vpcId: a.vpcId, status: a.status }));

const EMPTY = { targets: [], vpcIds: [], associations: [], steps: [], notes: [], blocking: [] } as const;

/** A cluster's rule outcome as JSON; undefined when the private side is off for it. */
export function ruleJson(outcome: ResolverOutcome | undefined, env: Env): RuleJson | undefined {
  if (outcome === undefined || outcome.status === 'off') return undefined;
  switch (outcome.status) {
    case 'failed':
      return {
        status: 'failed',
        ...EMPTY,
        steps: outcome.steps.map(stepJson),
        error: describeError(outcome.error, env),
      };
    case 'refused':
      return {
        status: 'refused',
        ...EMPTY,
        vpcIds: outcome.vpcIds,
        blocking: outcome.blocking.map(blockingJson),
        error: describeError(outcome.error, env),
      };
    case 'elsewhere': {
      const { rule } = outcome;
      const claim = rule.claim.kind === 'elsewhere' ? rule.claim : undefined;
      return {
        status: 'elsewhere',
        ...EMPTY,
        ...blockingJson(rule),
        ...(rule.endpointId === undefined ? {} : { endpointId: rule.endpointId }),
        targets: rule.targets.map(targetText),
        vpcIds: outcome.vpcIds,
        associations: associationsOf(rule),
        ...(claim === undefined ? {} : { owner: `owner ${claim.owner} (account ${claim.account}, ${claim.region})` }),
      };
    }
    default: {
      const { rule, ruleId } = outcome;
      const current = ruleId === undefined ? undefined : outcome.rules.find((r) => r.id === ruleId);
      const status = outcome.status === 'unchanged' ? 'in-step' : outcome.status === 'planned' ? 'pending' : 'changed';
      return {
        status,
        ...EMPTY,
        ...(rule === undefined
          ? {}
          : { type: rule.type, name: rule.name, domain: rule.domain, endpointId: rule.endpointId }),
        ...(ruleId === undefined ? {} : { id: ruleId }),
        targets: (rule?.targets ?? []).map(targetText),
        vpcIds: outcome.vpcIds,
        associations: status === 'changed' ? [] : associationsOf(current),
        steps: outcome.steps.map(stepJson),
        notes: outcome.notes,
      };
    }
  }
}

export const orphanJson = (o: OrphanOutcome, env: Env): OrphanJson => ({
  cluster: o.cluster,
  ruleId: o.ruleId,
  status: o.status,
  steps: o.steps.map(stepJson),
  ...(o.error === undefined ? {} : { error: describeError(o.error, env) }),
});
