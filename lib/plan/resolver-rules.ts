/**
 * The data the Resolver rule plan works on (lib/plan/resolver.ts): rules as read back (lib/registry/resolver.ts),
 * targets, and who a rule belongs to. Names are canonical here: lower case, no trailing dot (`c1.example.com`).
 * Pure.
 */
import { createHash } from 'node:crypto';
import type { ResolverRuleType } from '../provider/resolver-types.js';
import type { Deployment } from '../registry/ownership.js';

/** A FORWARD rule's target: an IPv4 or IPv6 address and a port. */
export interface Target {
  readonly address: string;
  readonly port: number;
}

export type RuleClaim =
  | { readonly kind: 'ours' | 'foreign' }
  | { readonly kind: 'elsewhere'; readonly owner: string; readonly account: string; readonly region: string };

/** A rule–VPC association as read back. */
export interface CurrentAssociation {
  readonly id: string;
  readonly vpcId: string;
  /** CREATING, COMPLETE, DELETING, FAILED, OVERRIDDEN (the API's values). */
  readonly status: string;
  readonly name?: string | undefined;
}

/** A rule as read back, with whose it is and (for ours and possible shadows) its associations. */
export interface CurrentRule {
  readonly id: string;
  readonly arn: string;
  readonly name?: string | undefined;
  readonly type: ResolverRuleType;
  /** The name the rule answers for: DomainName, or a DELEGATE rule's DelegationRecord; `''` for the root. */
  readonly domain: string;
  readonly endpointId?: string | undefined;
  readonly targets: readonly Target[];
  readonly claim: RuleClaim;
  readonly associations: readonly CurrentAssociation[];
}

/** The rule a cluster should have. */
export interface DesiredRule {
  readonly type: 'DELEGATE' | 'FORWARD';
  readonly domain: string;
  readonly endpointId: string;
  /** FORWARD only; empty for DELEGATE. */
  readonly targets: readonly Target[];
  /** Our rule name (`rlec-dns-<hash>`), also the name of each association we make. */
  readonly name: string;
}

/** Tag keys on the rules we create: the ownership record's fields, and the cluster. */
export const RULE_TAG = {
  heritage: 'rlec-dns:heritage',
  owner: 'rlec-dns:owner',
  account: 'rlec-dns:account',
  region: 'rlec-dns:region',
  cluster: 'rlec-dns:cluster',
} as const;

export const HERITAGE_VALUE = 'rlec-dns';

/** Every rule and association we name starts so (a cheap first filter before the tags are read). */
export const RULE_NAME_PREFIX = 'rlec-dns-';

const hash = (...parts: string[]): string => createHash('sha256').update(parts.join('\n')).digest('hex');

/** The name of our rule for a cluster: the Name pattern allows no dots, so a hash of owner and cluster. */
export const ruleNameFor = (me: Deployment, cluster: string): string =>
  `${RULE_NAME_PREFIX}${hash(me.ownerId, me.account, me.region, cluster).slice(0, 24)}`;

/**
 * The CreatorRequestId of our rule for a cluster and type: the same on every retry, so that a retry after a timeout
 * cannot make a second rule. `attempt` > 0 gives the next id in a fixed sequence, for when the API holds an id of a
 * rule since deleted (lib/provider/resolver.ts).
 */
export const creatorRequestIdFor = (me: Deployment, cluster: string, type: string, attempt = 0): string =>
  `${RULE_NAME_PREFIX}${hash(me.ownerId, me.account, me.region, cluster, type).slice(0, 40)}${attempt === 0 ? '' : `-${attempt}`}`;

/** The tags our rule is created with. */
export const ruleTags = (me: Deployment, cluster: string): Record<string, string> => ({
  [RULE_TAG.heritage]: HERITAGE_VALUE,
  [RULE_TAG.owner]: me.ownerId,
  [RULE_TAG.account]: me.account,
  [RULE_TAG.region]: me.region,
  [RULE_TAG.cluster]: cluster,
});

/**
 * Whose a rule is, from its tags (the ownership record's table, lib/registry/ownership.ts): our heritage, owner,
 * account, Region and this cluster → `ours`; our heritage in another account or Region → `elsewhere`; anything else
 * (no heritage tag, another owner here, another cluster's tag) → `foreign`.
 */
export function claimOfTags(tags: Readonly<Record<string, string>>, me: Deployment, cluster: string): RuleClaim {
  if (tags[RULE_TAG.heritage] !== HERITAGE_VALUE) return { kind: 'foreign' };
  const owner = tags[RULE_TAG.owner] ?? '';
  const account = tags[RULE_TAG.account] ?? '';
  const region = tags[RULE_TAG.region] ?? '';
  if (account !== me.account || region !== me.region) return { kind: 'elsewhere', owner, account, region };
  return owner === me.ownerId && tags[RULE_TAG.cluster] === cluster ? { kind: 'ours' } : { kind: 'foreign' };
}

/** `c1.example.com.` and `C1.Example.com` are one name: lower case, no trailing dot (the root is `''`). */
export const canonicalDomain = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** True when `name` is `parent` or lies below it. */
export const isWithin = (name: string, parent: string): boolean =>
  parent === '' || name === parent || name.endsWith(`.${parent}`);

/** An address in one spelling: IPv6 compressed and lower case (`FD00:0::1` → `fd00::1`), IPv4 as is. */
export function canonicalAddress(address: string): string {
  if (!address.includes(':')) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}

export const targetKey = (target: Target): string => `${canonicalAddress(target.address)}#${target.port}`;

/** `rslvr-rr-… (FORWARD c1.example.com)`, for log lines and refusals. */
export const describeRule = (rule: CurrentRule): string =>
  `${rule.id}${rule.name ? ` "${rule.name}"` : ''} (${rule.type} ${rule.domain === '' ? '.' : rule.domain})`;
