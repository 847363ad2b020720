/**
 * Which rules we did not create would keep the cluster's rule from working: then the cluster is refused on the
 * private side, naming them. Pure.
 *
 * The Resolver's own rules, from AWS's documentation: a rule matches a query for its domain name and every name below
 * it; when several rules match, the one with the most specific domain name wins ("How Resolver determines whether the
 * domain name in a query matches any rules"); a private hosted zone acts as a rule for its name, below the Resolver
 * rules for the same name (Knowledge Center, "use and override reverse DNS rules": Resolver rules, then private
 * hosted zone rules, then autodefined rules). A DELEGATE rule acts on an answer, not on a query: the VPC Resolver
 * follows NS records in a response that match its delegation record ("Resolver delegation rules tutorial"), so it
 * works only while the queries for the cluster reach the private zone that holds those NS records.
 *
 * So a rule for a *parent* of the cluster does not shadow a rule for the cluster itself (the more specific one wins),
 * except a FORWARD rule between the zone and the cluster when ours is a DELEGATE rule: it sends the queries elsewhere
 * before the private zone can answer with the delegation. A SYSTEM rule for a parent only says "resolve as usual",
 * which the private zone then does: no shadow. A rule *below* the cluster's name is more specific than ours and takes
 * those names away: a shadow, whatever its type.
 *
 * | a rule we did not create, for…                       | type                | mode       | shadows?                  |
 * |------------------------------------------------------|---------------------|------------|---------------------------|
 * | the cluster's name                                   | any                 | any        | yes, in any VPC (the name |
 * |                                                      |                     |            | is taken; AWS also refuses |
 * |                                                      |                     |            | two rules for it in a VPC) |
 * | a name below the cluster's                           | any                 | any        | yes, in our VPCs          |
 * | a parent, the zone's name or below it                | FORWARD             | `delegate` | yes, in our VPCs          |
 * | a parent, the zone's name or below it                | FORWARD             | `forward`  | no: ours is more specific |
 * | a parent above the zone's name (`com`, `.`)          | FORWARD             | any        | no: the zone is more specific |
 * | a parent                                             | SYSTEM, DELEGATE    | any        | no (a DELEGATE rule for a parent acts only on a zone cut above the cluster, which the records' side refuses) |
 *
 * "In our VPCs": the rule is associated (not being disassociated) with one of the VPCs our rule goes to; elsewhere it
 * never meets our rule. Rules of another deployment of ours (`elsewhere`) count as ours' would not: they are not this
 * deployment's to change, so they shadow like any other rule; one for the name itself is reported as `elsewhere`
 * instead (lib/plan/resolver.ts).
 */
import { type CurrentRule, describeRule, isWithin } from './resolver-rules.js';

export interface ShadowInput {
  readonly cluster: string;
  readonly zoneName: string;
  readonly mode: 'delegate' | 'forward';
  readonly vpcIds: readonly string[];
  readonly rules: readonly CurrentRule[];
}

const inOurVpcs = (rule: CurrentRule, vpcIds: readonly string[]): boolean =>
  rule.associations.some((a) => a.status !== 'DELETING' && vpcIds.includes(a.vpcId));

/**
 * True when the rule would shadow the cluster's if it met it in one of our VPCs (or, for the cluster's name, anywhere):
 * the rows of the module's table that say "yes". The registry reads associations only for these.
 */
export function mayShadow(
  rule: Pick<CurrentRule, 'domain' | 'type'>,
  input: Omit<ShadowInput, 'rules' | 'vpcIds'>,
): boolean {
  const { cluster, zoneName, mode } = input;
  if (isWithin(rule.domain, cluster)) return true;
  const parentInZone = isWithin(cluster, rule.domain) && isWithin(rule.domain, zoneName);
  return mode === 'delegate' && rule.type === 'FORWARD' && parentInZone;
}

/** Why a rule we did not create shadows the cluster's, or undefined when it does not (the module's table). */
export function shadowReason(rule: CurrentRule, input: ShadowInput): string | undefined {
  if (rule.claim.kind === 'ours' || !mayShadow(rule, input)) return undefined;
  if (rule.domain === input.cluster) {
    return rule.claim.kind === 'elsewhere' ? undefined : `${describeRule(rule)} is a rule for the cluster's name`;
  }
  if (!inOurVpcs(rule, input.vpcIds)) return undefined;
  if (isWithin(rule.domain, input.cluster)) {
    return `${describeRule(rule)} is more specific than the cluster's rule and takes names below it`;
  }
  return `${describeRule(rule)} forwards the cluster's queries before the private zone ${input.zoneName} can answer with the delegation`;
}

/** The rules that shadow the cluster's, and one sentence naming them all. */
export function shadowsOf(input: ShadowInput): { rules: CurrentRule[]; reason: string } {
  const found = input.rules.flatMap((rule) => {
    const reason = shadowReason(rule, input);
    return reason === undefined ? [] : [{ rule, reason }];
  });
  return { rules: found.map((f) => f.rule), reason: found.map((f) => f.reason).join('; ') };
}
