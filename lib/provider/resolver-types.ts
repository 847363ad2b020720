/**
 * The Route 53 Resolver rule API as AWS serves it since June 2025, on top of `@aws-sdk/client-route53resolver`
 * 3.654.0, the newest version the registry here serves, which predates it: that client knows neither the `DELEGATE`
 * rule type nor the `DelegationRecord` member (nor `TargetAddress.ServerNameIndication`). Its JSON protocol copies
 * requests and responses member for member without a schema (`_json` in its Aws_json1_1 serde), so a member it does not
 * know still goes out on the wire and still comes back: only its types are behind. This module widens those types for
 * the four rule operations the product uses and sends the client's own commands, so the real client still signs,
 * retries and parses every request (and `aws-sdk-client-mock` still sees the usual command classes).
 *
 * The shapes, from AWS's API reference (CreateResolverRule, UpdateResolverRule, ResolverRule, TargetAddress) and the
 * service model (botocore `data/route53resolver/2018-04-01/service-2.json`, August 2026):
 * - `RuleTypeOption`: `FORWARD | SYSTEM | RECURSIVE | DELEGATE`.
 * - `CreateResolverRuleRequest.DelegationRecord`: string, length 1–256, optional: "DNS queries with the delegation
 *   records that match this domain name are forwarded to the resolvers on your network." A `DELEGATE` rule gives a
 *   `DelegationRecord` and a `ResolverEndpointId` and no `TargetIps` ("when creating a DELEGATE rule, you must not
 *   provide the TargetIps parameter … 'Delegate resolver rules need to specify a nameserver name'"); AWS's "Resolver
 *   delegation rules tutorial" creates one with `--rule-type DELEGATE --delegation-record example.com
 *   --resolver-endpoint-id …` and no `--domain-name`.
 * - `ResolverRule.DelegationRecord`: string, read back by Create, Get, List, Update and Delete.
 * - `TargetAddress`: `Ip` (IPv4) or `Ipv6`, `Port` 0–65535, `Protocol` `DoH | Do53 | DoH-FIPS`, `ServerNameIndication`
 *   (DoH only). "You can specify either Ipv4 or Ipv6 addresses but not both in the same rule."
 * - `UpdateResolverRule`: `ResolverRuleId` + `Config` { `Name`, `TargetIps`, `ResolverEndpointId` }; no
 *   `DelegationRecord` or `RuleType` (a rule's type and name are fixed at creation). Errors: InvalidRequestException,
 *   InvalidParameterException, ResourceNotFoundException, ResourceUnavailableException, LimitExceededException,
 *   InternalServiceErrorException, ThrottlingException, AccessDeniedException.
 *
 * @example
 * const { ResolverRule } = await createResolverRule(resolver, {
 *   CreatorRequestId: 'rlec-dns-c1',
 *   RuleType: 'DELEGATE',
 *   DelegationRecord: 'c1.example.com',
 *   ResolverEndpointId: 'rslvr-out-0123456789abcdef0',
 * });
 */
import {
  type CreateResolverRuleRequest,
  type GetResolverRuleCommandOutput,
  type GetResolverRuleRequest,
  type ListResolverRulesCommandOutput,
  type ListResolverRulesRequest,
  type Route53ResolverClient,
  type RuleTypeOption,
  CreateResolverRuleCommand as SdkCreateResolverRuleCommand,
  GetResolverRuleCommand as SdkGetResolverRuleCommand,
  ListResolverRulesCommand as SdkListResolverRulesCommand,
  type ResolverRule as SdkResolverRule,
  type ResolverRuleConfig as SdkResolverRuleConfig,
  type TargetAddress as SdkTargetAddress,
  UpdateResolverRuleCommand as SdkUpdateResolverRuleCommand,
} from '@aws-sdk/client-route53resolver';

/** Every rule type the service knows: the client's three, and `DELEGATE`. */
export type ResolverRuleType = RuleTypeOption | 'DELEGATE';

/** The rule types as values, for validation and exhaustive checks. */
export const RESOLVER_RULE_TYPES: readonly ResolverRuleType[] = ['FORWARD', 'SYSTEM', 'RECURSIVE', 'DELEGATE'];

/** A target of a `FORWARD` rule, with the DoH server name the client does not know. */
export interface TargetAddress extends SdkTargetAddress {
  ServerNameIndication?: string;
}

/** CreateResolverRule's input: `RuleType` may be `DELEGATE`, with its `DelegationRecord`. */
export interface CreateResolverRuleInput extends Omit<CreateResolverRuleRequest, 'RuleType' | 'TargetIps'> {
  RuleType: ResolverRuleType | undefined;
  /** The delegated name, for a `DELEGATE` rule (1–256 characters). */
  DelegationRecord?: string;
  TargetIps?: TargetAddress[];
}

/** A rule as the service returns it. */
export interface ResolverRule extends Omit<SdkResolverRule, 'RuleType' | 'TargetIps'> {
  RuleType?: ResolverRuleType;
  DelegationRecord?: string;
  TargetIps?: TargetAddress[];
}

/** UpdateResolverRule's changes; members left out keep their current value. */
export interface ResolverRuleConfig extends Omit<SdkResolverRuleConfig, 'TargetIps'> {
  TargetIps?: TargetAddress[];
}

export interface UpdateResolverRuleInput {
  ResolverRuleId: string | undefined;
  Config: ResolverRuleConfig | undefined;
}

/** What Create, Get and Update return: the rule, and the response metadata. */
export interface ResolverRuleOutput extends Omit<GetResolverRuleCommandOutput, 'ResolverRule'> {
  ResolverRule?: ResolverRule;
}

/** One page of ListResolverRules. */
export interface ListResolverRulesOutput extends Omit<ListResolverRulesCommandOutput, 'ResolverRules'> {
  ResolverRules?: ResolverRule[];
}

// The one place the wider types meet the client's: the serializer sends the input object as it is, and the
// deserializer returns the response's members as they are, so only the static types differ.

/** CreateResolverRule, `DELEGATE` rules included. */
export async function createResolverRule(
  client: Route53ResolverClient,
  input: CreateResolverRuleInput,
): Promise<ResolverRuleOutput> {
  return client.send(
    new SdkCreateResolverRuleCommand(input as CreateResolverRuleRequest),
  ) as Promise<ResolverRuleOutput>;
}

/** UpdateResolverRule: a new name, targets or outbound endpoint. */
export async function updateResolverRule(
  client: Route53ResolverClient,
  input: UpdateResolverRuleInput,
): Promise<ResolverRuleOutput> {
  return client.send(new SdkUpdateResolverRuleCommand(input)) as Promise<ResolverRuleOutput>;
}

/** GetResolverRule, with `DelegationRecord` in the rule read back. */
export async function getResolverRule(
  client: Route53ResolverClient,
  input: GetResolverRuleRequest,
): Promise<ResolverRuleOutput> {
  return client.send(new SdkGetResolverRuleCommand(input)) as Promise<ResolverRuleOutput>;
}

/** One page of ListResolverRules, with `DelegationRecord` in each rule read back. */
export async function listResolverRules(
  client: Route53ResolverClient,
  input: ListResolverRulesRequest = {},
): Promise<ListResolverRulesOutput> {
  return client.send(new SdkListResolverRulesCommand(input)) as Promise<ListResolverRulesOutput>;
}
