/**
 * The VPC Resolver (AmazonProvidedDNS), played by Unbound (support/resolver.ts) and configured from what the emulator
 * holds, the way AWS's Resolver is configured by the account's private hosted zones and Resolver rules (DOMAIN.md):
 * - A private zone associated with the VPC is answered from the zone and nothing more: a delegation (NS and glue) in
 *   it is not followed. Played as a `forward-zone` to NSD serving the zone: NSD's referral comes back with no answer,
 *   which is what a client in the VPC gets with no rule.
 * - A `DELEGATE` rule associated with the VPC: for its delegation record, the Resolver reads the delegation (NS and
 *   glue) from the private zone and sends the questions to those name servers through the outbound endpoint. Played
 *   as a `stub-zone` for the name at the glue addresses NSD gives in its referral, read when the rules are read.
 * - A `FORWARD` rule associated with the VPC: questions for its domain go to its targets. Played as a `forward-zone`
 *   at the rule's targets.
 * The tests read it again after every change (`vpcResolverZones`, then `Resolver.reconfigure`), as the Resolver picks
 * up a rule's new targets or a zone's new glue.
 */
import { ListResolverRuleAssociationsCommand, type Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { queryDns } from '../../../cli/dns/client.js';
import { listResolverRules, type ResolverRule } from '../../../lib/provider/resolver-types.js';
import type { ZoneClause } from './resolver.js';

export interface Server {
  readonly host: string;
  readonly port: number;
}

/** A rule as the VPC Resolver uses it. */
export interface RuleView {
  readonly id: string;
  readonly type: 'DELEGATE' | 'FORWARD';
  /** Without the trailing dot. */
  readonly name: string;
  readonly targets: readonly Server[];
}

const bare = (name: string) => name.replace(/\.$/, '');

function viewOf(rule: ResolverRule): RuleView | undefined {
  if (rule.Id === undefined) return undefined;
  if (rule.RuleType === 'DELEGATE' && rule.DelegationRecord !== undefined) {
    return { id: rule.Id, type: 'DELEGATE', name: bare(rule.DelegationRecord), targets: [] };
  }
  if (rule.RuleType === 'FORWARD' && rule.DomainName !== undefined) {
    const targets = (rule.TargetIps ?? []).flatMap((t) => {
      const host = t.Ip ?? t.Ipv6;
      return host === undefined ? [] : [{ host, port: t.Port ?? 53 }];
    });
    return { id: rule.Id, type: 'FORWARD', name: bare(rule.DomainName), targets };
  }
  return undefined;
}

/** The DELEGATE and FORWARD rules associated with a VPC, as the emulator's Resolver API lists them. */
export async function rulesForVpc(resolver: Route53ResolverClient, vpcId: string): Promise<RuleView[]> {
  const { ResolverRuleAssociations = [] } = await resolver.send(
    new ListResolverRuleAssociationsCommand({ Filters: [{ Name: 'VPCId', Values: [vpcId] }] }),
  );
  const associated = new Set(ResolverRuleAssociations.flatMap((a) => (a.ResolverRuleId ? [a.ResolverRuleId] : [])));
  const { ResolverRules = [] } = await listResolverRules(resolver, {});
  return ResolverRules.filter((r) => r.Id !== undefined && associated.has(r.Id)).flatMap((r) => viewOf(r) ?? []);
}

/** The glue addresses of a delegation, from the private zone's server's referral (what a DELEGATE rule follows). */
async function delegationServers(zoneServer: Server, name: string): Promise<Server[]> {
  const { message } = await queryDns(zoneServer, name, 'NS', 2_000);
  return message.additional
    .filter((r) => r.type === 'A' || r.type === 'AAAA')
    .map((r) => ({ host: r.data, port: 53 }))
    .sort((a, b) => a.host.localeCompare(b.host));
}

/**
 * The zones the player resolves with: the private zone forwarded to its server, then one clause per rule. A DELEGATE
 * rule whose name the private zone does not delegate (no glue) gets no clause: the Resolver has nowhere to send it.
 */
export async function vpcResolverZones(
  privateZone: { readonly name: string; readonly server: Server },
  rules: readonly RuleView[],
): Promise<ZoneClause[]> {
  const clauses: ZoneClause[] = [{ kind: 'forward', zone: bare(privateZone.name), servers: [privateZone.server] }];
  for (const rule of rules) {
    if (rule.type === 'FORWARD') {
      clauses.push({ kind: 'forward', zone: rule.name, servers: rule.targets });
      continue;
    }
    const servers = await delegationServers(privateZone.server, rule.name);
    if (servers.length > 0) clauses.push({ kind: 'stub', zone: rule.name, servers });
  }
  return clauses;
}
