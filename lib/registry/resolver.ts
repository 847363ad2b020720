/**
 * The Resolver registry: the rules that bear on a cluster, whose they are, and their associations; and the VPCs a
 * private zone answers.
 *
 * Read as cheaply as the 5 requests/s budget asks:
 * - ListResolverRules once, every page (100 a page), unfiltered: the `DomainName` filter matches exact names only and
 *   never a DELEGATE rule (which has a `DelegationRecord` instead), and a rule below the cluster's name matters too.
 *   A caller with several clusters to do passes one listing to all ({@link listAllRules}).
 * - ListTagsForResource only for rules whose Name starts `rlec-dns-` (every rule we create is so named): any other rule
 *   is not ours, whatever it holds. The tags then say ours, elsewhere or foreign (resolver-rules.ts `claimOfTags`).
 * - ListResolverRuleAssociations only for our rules and those that could shadow ours (lib/plan/shadows.ts).
 */

import { GetHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';
import {
  GetResolverRuleAssociationCommand,
  ListResolverRuleAssociationsCommand,
  ListTagsForResourceCommand,
  type Route53ResolverClient,
} from '@aws-sdk/client-route53resolver';
import {
  type CurrentAssociation,
  type CurrentRule,
  canonicalDomain,
  claimOfTags,
  isWithin,
  RULE_NAME_PREFIX,
  type RuleClaim,
} from '../plan/resolver-rules.js';
import { mayShadow } from '../plan/shadows.js';
import { listResolverRules, type ResolverRule } from '../provider/resolver-types.js';
import type { Deployment } from './ownership.js';

/** Every rule of the account and Region (shared ones included), every page. */
export async function listAllRules(resolver: Route53ResolverClient): Promise<ResolverRule[]> {
  const rules: ResolverRule[] = [];
  let token: string | undefined;
  do {
    const page = await listResolverRules(resolver, { MaxResults: 100, ...(token ? { NextToken: token } : {}) });
    rules.push(...(page.ResolverRules ?? []));
    token = page.NextToken;
  } while (token);
  return rules;
}

/** The name a rule answers for, canonical; undefined for a rule without one (never ours, never a shadow). */
export const domainOf = (rule: ResolverRule): string | undefined => {
  const name = rule.RuleType === 'DELEGATE' ? (rule.DelegationRecord ?? rule.DomainName) : rule.DomainName;
  return name === undefined ? undefined : canonicalDomain(name);
};

export async function tagsOf(resolver: Route53ResolverClient, arn: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await resolver.send(
      new ListTagsForResourceCommand({ ResourceArn: arn, ...(token ? { NextToken: token } : {}) }),
    );
    for (const tag of page.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    token = page.NextToken;
  } while (token);
  return tags;
}

/** Whose a rule is: `foreign` without a tag call unless it carries our name prefix. */
export async function claimOfRule(
  resolver: Route53ResolverClient,
  rule: ResolverRule,
  me: Deployment,
  cluster: string,
): Promise<RuleClaim> {
  if (rule.Arn === undefined || !rule.Name?.startsWith(RULE_NAME_PREFIX)) return { kind: 'foreign' };
  return claimOfTags(await tagsOf(resolver, rule.Arn), me, cluster);
}

export async function associationsOf(resolver: Route53ResolverClient, ruleId: string): Promise<CurrentAssociation[]> {
  const out: CurrentAssociation[] = [];
  let token: string | undefined;
  do {
    const page = await resolver.send(
      new ListResolverRuleAssociationsCommand({
        MaxResults: 100,
        Filters: [{ Name: 'ResolverRuleId', Values: [ruleId] }],
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const a of page.ResolverRuleAssociations ?? []) {
      if (a.Id === undefined || a.VPCId === undefined) continue;
      out.push({ id: a.Id, vpcId: a.VPCId, status: a.Status ?? 'COMPLETE', name: a.Name });
    }
    token = page.NextToken;
  } while (token);
  return out;
}

/** One association's status, or undefined once it is gone. */
export async function associationStatus(resolver: Route53ResolverClient, id: string): Promise<string | undefined> {
  try {
    const { ResolverRuleAssociation } = await resolver.send(
      new GetResolverRuleAssociationCommand({ ResolverRuleAssociationId: id }),
    );
    return ResolverRuleAssociation?.Status;
  } catch (error) {
    if (codeOf(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** AWS's error code, through the classification of aws-errors.ts (its `code`) or as the SDK names it. */
export const codeOf = (error: unknown): string | undefined => {
  const e = error as { code?: unknown; name?: unknown; cause?: { name?: unknown } } | undefined;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.name === 'string' ? e.name : undefined;
};

export interface ClusterRulesQuery {
  readonly cluster: string;
  readonly zoneName: string;
  readonly mode: 'delegate' | 'forward';
  readonly me: Deployment;
}

/**
 * The rules for the cluster's name, its parents and the names below it, each with its claim, and associations where
 * they matter (our rules, possible shadows).
 */
export async function readClusterRules(
  resolver: Route53ResolverClient,
  query: ClusterRulesQuery,
  all?: readonly ResolverRule[],
): Promise<CurrentRule[]> {
  const { cluster, me } = query;
  const rules = all ?? (await listAllRules(resolver));
  const out: CurrentRule[] = [];
  for (const rule of rules) {
    const domain = domainOf(rule);
    if (rule.Id === undefined || rule.Arn === undefined || rule.RuleType === undefined || domain === undefined)
      continue;
    if (!isWithin(domain, cluster) && !isWithin(cluster, domain)) continue;
    const claim = await claimOfRule(resolver, rule, me, cluster);
    const type = rule.RuleType;
    const wanted = claim.kind === 'ours' || (domain !== cluster && mayShadow({ domain, type }, query));
    out.push({
      id: rule.Id,
      arn: rule.Arn,
      name: rule.Name,
      type,
      domain,
      endpointId: rule.ResolverEndpointId,
      targets: (rule.TargetIps ?? []).flatMap((t) => {
        const address = t.Ipv6 ?? t.Ip;
        return address === undefined ? [] : [{ address, port: t.Port ?? 53 }];
      }),
      claim,
      associations: wanted ? await associationsOf(resolver, rule.Id) : [],
    });
  }
  return out;
}

/**
 * The VPCs of the private zone in the deployment's Region: a rule can be associated only with VPCs of its own Region,
 * while a private zone may answer VPCs of several.
 */
export async function zoneVpcIds(route53: Route53Client, zoneId: string, region: string): Promise<string[]> {
  const { VPCs } = await route53.send(new GetHostedZoneCommand({ Id: zoneId }));
  return (VPCs ?? []).flatMap((vpc) => (vpc.VPCId !== undefined && vpc.VPCRegion === region ? [vpc.VPCId] : []));
}
