/**
 * Applies a Resolver rule plan (lib/plan/resolver.ts), step by step, in the plan's order.
 *
 * - Create: CreateResolverRule with a deterministic CreatorRequestId (resolver-rules.ts), our tags and our name. A
 *   retry after a timeout (the SDK's own, with the same input) cannot make a second rule: AWS documents the id as what
 *   "allows failed requests to be retried without the risk of running the operation twice", and moto (and, for
 *   endpoints, the real API by report) answers a reused id with `ResourceExistsException`. Either answer is taken:
 *   the rule created the first time is returned, or on `ResourceExistsException` it is looked up by its
 *   CreatorRequestId (ListResolverRules' filter) and, if its tags say ours, adopted. If no rule holds the id any more
 *   (one since deleted whose id the API still remembers), the next id of a fixed sequence is used (`…-1`, `…-2`).
 * - Update, disassociate, delete: only on a rule whose tags say ours when read again just before (a rule is never
 *   touched because it was ours a moment ago).
 * - Associate: not waited for. The API answers CREATING and the association completes within minutes; the next run
 *   reads it as held (CREATING or COMPLETE), one that FAILED is taken down and made again (lib/plan/resolver.ts).
 * - Delete: AWS refuses to delete a rule still associated (`ResourceInUseException`), and disassociation is
 *   asynchronous (DELETING). So after disassociating, the association is polled (GetResolverRuleAssociation) a few
 *   times with growing pauses until it is gone; if the rule is still in use then, {@link ResolverRuleInUseError}
 *   (transient): the next run, or the sweep, deletes it.
 */
import {
  AssociateResolverRuleCommand,
  DeleteResolverRuleCommand,
  DisassociateResolverRuleCommand,
  type Route53ResolverClient,
} from '@aws-sdk/client-route53resolver';
import type { RuleStep } from '../plan/resolver.js';
import {
  type CurrentRule,
  claimOfTags,
  creatorRequestIdFor,
  type DesiredRule,
  ruleTags,
} from '../plan/resolver-rules.js';
import { PermanentError, TransientError } from '../platform/errors.js';
import type { Deployment } from '../registry/ownership.js';
import { associationStatus, associationsOf, codeOf, tagsOf } from '../registry/resolver.js';
import { createResolverRule, listResolverRules, type TargetAddress, updateResolverRule } from './resolver-types.js';

/** A rule we were about to change no longer carries our tags: nothing more is done to it. */
export class ResolverRuleNotOursError extends PermanentError {
  constructor(
    readonly ruleId: string,
    readonly cluster: string,
  ) {
    super(`Resolver rule ${ruleId} for ${cluster} no longer carries this deployment's tags; it was left untouched`);
  }
}

/** A rule could not be deleted yet: an association is still being removed. */
export class ResolverRuleInUseError extends TransientError {
  constructor(
    readonly ruleId: string,
    options?: { cause?: unknown },
  ) {
    super(`Resolver rule ${ruleId} is still associated with a VPC; it is deleted on a later run`, options);
  }
}

/** A CreatorRequestId of ours names a rule we did not create (never expected): refused, nothing created. */
export class CreatorRequestIdTakenError extends PermanentError {}

export interface ApplyContext {
  readonly resolver: Route53ResolverClient;
  readonly me: Deployment;
  readonly cluster: string;
  /** The rules the plan was made from (their ARNs, for the tag checks). */
  readonly rules: readonly CurrentRule[];
  readonly sleep: (ms: number) => Promise<void>;
}

/** What was done: each step, with the rule id it acted on (the new one for a create). */
export interface AppliedStep {
  readonly step: RuleStep;
  readonly ruleId: string;
}

/** Pauses between the checks of a disassociation, in ms: about 15 s in all. */
export const DISASSOCIATION_WAITS = [500, 1000, 2000, 4000, 8000] as const;

const toTargets = (rule: Pick<DesiredRule, 'targets'>): TargetAddress[] =>
  rule.targets.map((t) =>
    t.address.includes(':') ? { Ipv6: t.address, Port: t.port } : { Ip: t.address, Port: t.port },
  );

async function createRule(ctx: ApplyContext, desired: DesiredRule): Promise<{ id: string; arn: string }> {
  const tags = Object.entries(ruleTags(ctx.me, ctx.cluster)).map(([Key, Value]) => ({ Key, Value }));
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const creatorRequestId = creatorRequestIdFor(ctx.me, ctx.cluster, desired.type, attempt);
    try {
      const { ResolverRule } = await createResolverRule(ctx.resolver, {
        CreatorRequestId: creatorRequestId,
        Name: desired.name,
        RuleType: desired.type,
        ResolverEndpointId: desired.endpointId,
        Tags: tags,
        ...(desired.type === 'DELEGATE'
          ? { DelegationRecord: desired.domain }
          : { DomainName: desired.domain, TargetIps: toTargets(desired) }),
      });
      if (ResolverRule?.Id === undefined || ResolverRule.Arn === undefined)
        throw new Error('CreateResolverRule returned no rule');
      return { id: ResolverRule.Id, arn: ResolverRule.Arn };
    } catch (error) {
      if (codeOf(error) !== 'ResourceExistsException') throw error;
      const { ResolverRules } = await listResolverRules(ctx.resolver, {
        Filters: [{ Name: 'CreatorRequestId', Values: [creatorRequestId] }],
      });
      const earlier = ResolverRules?.[0];
      if (earlier?.Id === undefined || earlier.Arn === undefined) continue;
      if (claimOfTags(await tagsOf(ctx.resolver, earlier.Arn), ctx.me, ctx.cluster).kind !== 'ours') {
        throw new CreatorRequestIdTakenError(
          `CreatorRequestId ${creatorRequestId} for ${ctx.cluster} names rule ${earlier.Id}, which this deployment did not create`,
        );
      }
      return { id: earlier.Id, arn: earlier.Arn };
    }
  }
  throw new CreatorRequestIdTakenError(`no CreatorRequestId left to create the rule for ${ctx.cluster}`);
}

async function assertOurs(ctx: ApplyContext, arns: Map<string, string>, ruleId: string): Promise<void> {
  const arn = arns.get(ruleId);
  const claim = arn === undefined ? undefined : claimOfTags(await tagsOf(ctx.resolver, arn), ctx.me, ctx.cluster);
  if (claim?.kind !== 'ours') throw new ResolverRuleNotOursError(ruleId, ctx.cluster);
}

async function deleteRule(ctx: ApplyContext, ruleId: string): Promise<void> {
  for (const pause of DISASSOCIATION_WAITS) {
    const held = await associationsOf(ctx.resolver, ruleId);
    const statuses = await Promise.all(held.map((a) => associationStatus(ctx.resolver, a.id)));
    if (statuses.every((s) => s === undefined)) break;
    await ctx.sleep(pause);
  }
  try {
    await ctx.resolver.send(new DeleteResolverRuleCommand({ ResolverRuleId: ruleId }));
  } catch (error) {
    if (codeOf(error) === 'ResourceNotFoundException') return;
    if (codeOf(error) === 'ResourceInUseException') throw new ResolverRuleInUseError(ruleId, { cause: error });
    throw error;
  }
}

/**
 * Applies the steps in order; stops at the first error (the steps before it stay done, and the next run plans from
 * what is there).
 */
export async function applyRuleSteps(ctx: ApplyContext, steps: readonly RuleStep[]): Promise<AppliedStep[]> {
  const arns = new Map(ctx.rules.map((r) => [r.id, r.arn]));
  const names = new Map(ctx.rules.map((r) => [r.id, r.name]));
  const checked = new Set<string>();
  const ours = async (ruleId: string) => {
    if (checked.has(ruleId)) return;
    await assertOurs(ctx, arns, ruleId);
    checked.add(ruleId);
  };
  let created: { id: string; name: string } | undefined;
  const done: AppliedStep[] = [];
  for (const step of steps) {
    if (step.kind === 'create') {
      const rule = await createRule(ctx, step.rule);
      created = { id: rule.id, name: step.rule.name };
      done.push({ step, ruleId: rule.id });
    } else if (step.kind === 'associate') {
      const ruleId = step.ruleId ?? created?.id;
      if (ruleId === undefined) throw new Error('associate step without a rule');
      const name = step.ruleId === undefined ? created?.name : names.get(ruleId);
      try {
        await ctx.resolver.send(
          new AssociateResolverRuleCommand({
            ResolverRuleId: ruleId,
            VPCId: step.vpcId,
            ...(name ? { Name: name } : {}),
          }),
        );
      } catch (error) {
        // Already associated (a retry): what the step wanted.
        if (codeOf(error) !== 'ResourceExistsException') throw error;
      }
      done.push({ step, ruleId });
    } else if (step.kind === 'update') {
      await ours(step.ruleId);
      await updateResolverRule(ctx.resolver, {
        ResolverRuleId: step.ruleId,
        Config: {
          ...(step.targets === undefined ? {} : { TargetIps: toTargets({ targets: step.targets }) }),
          ...(step.endpointId === undefined ? {} : { ResolverEndpointId: step.endpointId }),
        },
      });
      done.push({ step, ruleId: step.ruleId });
    } else if (step.kind === 'disassociate') {
      await ours(step.ruleId);
      try {
        await ctx.resolver.send(
          new DisassociateResolverRuleCommand({ ResolverRuleId: step.ruleId, VPCId: step.vpcId }),
        );
      } catch (error) {
        if (codeOf(error) !== 'ResourceNotFoundException') throw error;
      }
      done.push({ step, ruleId: step.ruleId });
    } else {
      // Read again right before the delete, however recently checked.
      await assertOurs(ctx, arns, step.ruleId);
      await deleteRule(ctx, step.ruleId);
      done.push({ step, ruleId: step.ruleId });
    }
  }
  return done;
}
