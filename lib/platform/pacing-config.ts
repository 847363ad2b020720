/**
 * How fast a container may call Route 53, from the deployment's share of the account's budget.
 *
 * Route 53's budget belongs to the account (since July 2026: 10 requests/s sustained, bursts of 50, per account and
 * per API action), and every container of this deployment and every other Route 53 client of the account draws on
 * it. So the deployment is given a share, `ROUTE53_SHARE` requests/s (default 5: half the account's rate, the rest
 * left to other clients), and each container paces itself at `ROUTE53_RATE` = `ROUTE53_SHARE` ÷ `ROUTE53_CONTAINERS`,
 * the most containers the deployment runs at once (serverless.yml sets it to the functions' reserved concurrencies
 * added up; the CLI is one process: 1). A `ROUTE53_RATE` given explicitly must keep rate × containers within the share.
 *
 * | variable              | default                     | meaning                                             |
 * |-----------------------|-----------------------------|-----------------------------------------------------|
 * | `ROUTE53_SHARE`       | 5                           | requests/s of the account's budget, deployment-wide |
 * | `ROUTE53_CONTAINERS`  | 1                           | containers running at once, at most                 |
 * | `ROUTE53_RATE`        | share ÷ containers          | requests/s per container (adapts down when throttled) |
 * | `ROUTE53_BURST`       | 5                           | requests a container may send at once               |
 */
import { pacingFitsShare, pacingFitsTimeout } from './config-checks.js';
import { type Env, integer, positive } from './env.js';
import type { PacingOptions } from './pacing.js';

export interface PacingConfig extends PacingOptions {
  /** Requests/s the whole deployment may use of the account's Route 53 budget. */
  readonly share: number;
  /** The most containers of the deployment that run at once. */
  readonly containers: number;
  /** True when the rate was derived from the share (ROUTE53_RATE unset). */
  readonly derived: boolean;
}

export const DEFAULT_SHARE = 5;
export const DEFAULT_BURST = 5;

/**
 * Reads the pacing variables, derives the per-container rate when `ROUTE53_RATE` is unset, and checks it against the
 * share and, when `FUNCTION_TIMEOUT_SECONDS` is set, against the function's timeout (config-checks.ts).
 *
 * @throws ConfigError naming the variable when a value is not a positive number; naming ROUTE53_RATE,
 * ROUTE53_CONTAINERS and ROUTE53_SHARE when rate × containers exceeds the share; naming ROUTE53_RATE and
 * FUNCTION_TIMEOUT_SECONDS when one request could wait longer than the function may run.
 * @example pacingFromEnv({ ROUTE53_SHARE: '5', ROUTE53_CONTAINERS: '3' }).ratePerSecond // 1.666…
 */
export function pacingFromEnv(env: Env): PacingConfig {
  const share = positive(env, 'ROUTE53_SHARE', DEFAULT_SHARE, 1000, true);
  const containers = integer(env, 'ROUTE53_CONTAINERS', 1, 1, 10_000);
  const given = positive(env, 'ROUTE53_RATE', Number.NaN, 1000, true);
  const derived = Number.isNaN(given);
  const pacing: PacingConfig = {
    ratePerSecond: derived ? share / containers : given,
    burst: positive(env, 'ROUTE53_BURST', DEFAULT_BURST, 1000, false),
    share,
    containers,
    derived,
  };
  if (!derived) pacingFitsShare(pacing);
  pacingFitsTimeout(pacing.ratePerSecond, env);
  return pacing;
}

/** The line a container logs at cold start: what it will send, and why. */
export function describePacing(pacing: PacingConfig): string {
  const rate = Math.round(pacing.ratePerSecond * 1000) / 1000;
  const how = pacing.derived ? 'ROUTE53_SHARE ÷ ROUTE53_CONTAINERS' : 'ROUTE53_RATE';
  return `Route 53 pacing: ${rate} requests/s per container (${how}), burst ${pacing.burst}; ${pacing.containers} containers at most, within a share of ${pacing.share} requests/s of the account's budget`;
}
