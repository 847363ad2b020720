/** Named Resolver rule fixtures for the emulator tests, created with the typed client module the product uses. */
import type { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import {
  type CreateResolverRuleInput,
  createResolverRule,
  type ResolverRule,
  type TargetAddress,
} from '../../tools/resolver/resolver-types.js';

export const CLUSTER = 'c1.example.com';
export const NODE_TARGETS: TargetAddress[] = [
  { Ip: '10.0.1.17', Port: 53 },
  { Ip: '10.0.2.23', Port: 53 },
  { Ip: '10.0.3.41', Port: 53 },
];
export const NODE_TARGETS_V6: TargetAddress[] = [
  { Ipv6: 'fd00:1::17', Port: 53 },
  { Ipv6: 'fd00:2::23', Port: 53 },
];

/** Members to change in a fixture; `undefined` leaves the member out. */
export type RuleOverrides = { [K in keyof CreateResolverRuleInput]?: CreateResolverRuleInput[K] | undefined };

const merged = (base: CreateResolverRuleInput, over: RuleOverrides): CreateResolverRuleInput => {
  const rule: Record<string, unknown> = { ...base, ...over };
  for (const [member, value] of Object.entries(rule)) if (value === undefined) delete rule[member];
  return rule as unknown as CreateResolverRuleInput;
};

/** The DELEGATE rule for a cluster's name on an outbound endpoint. */
export const delegateRule = (endpointId: string, over: RuleOverrides = {}): CreateResolverRuleInput =>
  merged(
    {
      CreatorRequestId: `delegate-${CLUSTER}`,
      RuleType: 'DELEGATE',
      DelegationRecord: CLUSTER,
      ResolverEndpointId: endpointId,
    },
    over,
  );

/** A FORWARD rule for a cluster's name to its nodes. */
export const forwardRule = (endpointId: string, over: RuleOverrides = {}): CreateResolverRuleInput =>
  merged(
    {
      CreatorRequestId: `forward-${CLUSTER}`,
      RuleType: 'FORWARD',
      DomainName: CLUSTER,
      TargetIps: NODE_TARGETS,
      ResolverEndpointId: endpointId,
    },
    over,
  );

/** Creates a rule; returns it as CreateResolverRule read it back. */
export async function created(resolver: Route53ResolverClient, input: CreateResolverRuleInput): Promise<ResolverRule> {
  const { ResolverRule } = await createResolverRule(resolver, input);
  if (ResolverRule?.Id === undefined) throw new Error('CreateResolverRule returned no rule id');
  return ResolverRule;
}

/** The id of a rule read back, or a failure naming what is missing. */
export function idOf(rule: ResolverRule): string {
  if (rule.Id === undefined) throw new Error('rule without Id');
  return rule.Id;
}
