/**
 * The Route 53 Resolver settings (issue 11), read and validated once at cold start like the rest of the configuration
 * (config.ts adds a `resolver: ResolverConfig` field from {@link resolverConfigFromEnv}).
 *
 * | RESOLVER_ENDPOINT_ID | RESOLVER_RULE        | result                                                          |
 * |----------------------|----------------------|-----------------------------------------------------------------|
 * | unset                | unset or `none`      | `none`: no rule is read or written                              |
 * | unset                | `delegate`/`forward` | ConfigError: a rule needs an outbound endpoint                  |
 * | set                  | unset or `delegate`  | `delegate`: one DELEGATE rule per private cluster               |
 * | set                  | `forward`            | `forward`: one FORWARD rule per private cluster, node targets   |
 * | set                  | `none`               | `none` (the endpoint is left unused)                            |
 *
 * Pacing, as for Route 53 (pacing-config.ts): the Resolver API allows 5 requests per second per account and Region,
 * shared with the console, other tools and every container of this deployment. The deployment takes a share,
 * `RESOLVER_SHARE` (default 4, at most 5: 1/s left to people and other tools), and each container paces itself at
 * `RESOLVER_RATE`, by default the share ÷ `ROUTE53_CONTAINERS` (the most containers at once), at most 2/s. An explicit
 * `RESOLVER_RATE` must keep rate × containers within the share. When throttled anyway, the container's bucket
 * halves (pacing.ts), and the SDK's adaptive retries resend.
 */
import { type Env, integer, positive, present } from './env.js';
import { ConfigError } from './errors.js';
import type { PacingOptions } from './pacing.js';

export type ResolverRuleMode = 'delegate' | 'forward' | 'none';

export interface ResolverConfig {
  /** What each private cluster gets: a DELEGATE rule, a FORWARD rule, or no rule. */
  readonly rule: ResolverRuleMode;
  /** The outbound endpoint the rules use (`rslvr-out-…`); undefined only with `rule` = `none`. */
  readonly endpointId: string | undefined;
  /** The VPCs every rule is associated with; undefined: the private zone's own VPCs (GetHostedZone). */
  readonly vpcIds: readonly string[] | undefined;
  /** Client-side pacing of Resolver requests, a bucket of its own. */
  readonly pacing: PacingOptions;
  /** Requests/s of the account's Resolver budget the whole deployment may use. */
  readonly share: number;
}

export const RESOLVER_DEFAULTS = {
  ratePerSecond: 2,
  /** Small on purpose: the account's whole budget is 5 requests per second. */
  burst: 2,
  /** The Resolver API's documented rate per account and Region: a higher client rate can only be throttled. */
  maxRatePerSecond: 5,
  /** The deployment's share of those 5: 1/s left to people and other tools. */
  share: 4,
} as const;

const ENDPOINT_ID = /^rslvr-out-[0-9a-z]{1,60}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;

function ruleMode(env: Env, endpointId: string | undefined): ResolverRuleMode {
  const raw = present(env, 'RESOLVER_RULE');
  const mode = raw ?? (endpointId === undefined ? 'none' : 'delegate');
  if (mode !== 'delegate' && mode !== 'forward' && mode !== 'none') {
    throw new ConfigError(`RESOLVER_RULE must be "delegate", "forward" or "none", got ${JSON.stringify(raw)}`);
  }
  if (mode !== 'none' && endpointId === undefined) {
    throw new ConfigError(
      `RESOLVER_RULE=${mode} needs RESOLVER_ENDPOINT_ID, the outbound Resolver endpoint (rslvr-out-…) its rules use`,
    );
  }
  return mode;
}

function endpoint(env: Env): string | undefined {
  const value = present(env, 'RESOLVER_ENDPOINT_ID');
  if (value !== undefined && !ENDPOINT_ID.test(value)) {
    throw new ConfigError(
      `RESOLVER_ENDPOINT_ID must be an outbound Resolver endpoint id (rslvr-out-…), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function vpcIds(env: Env): readonly string[] | undefined {
  const raw = present(env, 'RESOLVER_VPC_IDS');
  if (raw === undefined) return undefined;
  const ids = raw.split(',').map((id) => id.trim());
  const bad = ids.find((id) => !VPC_ID.test(id));
  if (bad !== undefined) {
    throw new ConfigError(
      `RESOLVER_VPC_IDS must be a comma-separated list of VPC ids (vpc-…), bad entry ${JSON.stringify(bad)}`,
    );
  }
  return [...new Set(ids)];
}

/**
 * Reads `RESOLVER_ENDPOINT_ID`, `RESOLVER_RULE`, `RESOLVER_VPC_IDS`, `RESOLVER_SHARE`, `RESOLVER_RATE` and
 * `ROUTE53_CONTAINERS` (see the module's comment).
 *
 * @example resolverConfigFromEnv({ RESOLVER_ENDPOINT_ID: 'rslvr-out-0123456789abcdef0' }).rule // 'delegate'
 * @throws ConfigError naming the variable at fault.
 */
export function resolverConfigFromEnv(env: Env): ResolverConfig {
  const endpointId = endpoint(env);
  const rule = ruleMode(env, endpointId);
  const share = positive(env, 'RESOLVER_SHARE', RESOLVER_DEFAULTS.share, RESOLVER_DEFAULTS.maxRatePerSecond, true);
  const containers = integer(env, 'ROUTE53_CONTAINERS', 1, 1, 10_000);
  const given = positive(env, 'RESOLVER_RATE', Number.NaN, RESOLVER_DEFAULTS.maxRatePerSecond, true);
  if (!Number.isNaN(given) && given * containers > share * (1 + 1e-9)) {
    throw new ConfigError(
      `RESOLVER_RATE=${given} requests/s per container × ROUTE53_CONTAINERS=${containers} is more than RESOLVER_SHARE=${share}, the deployment's share of the Resolver API's 5 requests/s per account and Region; lower RESOLVER_RATE or leave it unset (it is then RESOLVER_SHARE ÷ ROUTE53_CONTAINERS, at most ${RESOLVER_DEFAULTS.ratePerSecond}), or raise RESOLVER_SHARE (at most ${RESOLVER_DEFAULTS.maxRatePerSecond})`,
    );
  }
  const ratePerSecond = Number.isNaN(given) ? Math.min(RESOLVER_DEFAULTS.ratePerSecond, share / containers) : given;
  return {
    rule,
    endpointId,
    vpcIds: vpcIds(env),
    pacing: { ratePerSecond, burst: Math.min(RESOLVER_DEFAULTS.burst, Math.max(1, Math.floor(ratePerSecond))) },
    share,
  };
}
