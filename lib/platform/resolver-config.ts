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
 * `RESOLVER_RATE` (requests per second, default 2, at most 5): the Resolver API allows 5 requests per second per
 * account and Region, shared with the console, other tools and every other container of this deployment. 2 leaves
 * room for the event function and the sweep to run at once (4/s together) under the account's 5, with 1/s to spare
 * for people and other tools; the SDK's adaptive retries handle a `ThrottlingException` beyond that.
 */
import { type Env, positive, present } from './env.js';
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
}

export const RESOLVER_DEFAULTS = {
  ratePerSecond: 2,
  /** Small on purpose: the account's whole budget is 5 requests per second. */
  burst: 2,
  /** The Resolver API's documented rate per account and Region: a higher client rate can only be throttled. */
  maxRatePerSecond: 5,
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
 * Reads `RESOLVER_ENDPOINT_ID`, `RESOLVER_RULE`, `RESOLVER_VPC_IDS` and `RESOLVER_RATE` (see the module's table).
 *
 * @example resolverConfigFromEnv({ RESOLVER_ENDPOINT_ID: 'rslvr-out-0123456789abcdef0' }).rule // 'delegate'
 * @throws ConfigError naming the variable at fault.
 */
export function resolverConfigFromEnv(env: Env): ResolverConfig {
  const endpointId = endpoint(env);
  const rule = ruleMode(env, endpointId);
  const ratePerSecond = positive(
    env,
    'RESOLVER_RATE',
    RESOLVER_DEFAULTS.ratePerSecond,
    RESOLVER_DEFAULTS.maxRatePerSecond,
    true,
  );
  return {
    rule,
    endpointId,
    vpcIds: vpcIds(env),
    pacing: { ratePerSecond, burst: Math.min(RESOLVER_DEFAULTS.burst, Math.max(1, Math.floor(ratePerSecond))) },
  };
}
