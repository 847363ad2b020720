/**
 * Configurations that pass each variable's own check but cannot work together, or would destroy records. Each check
 * is refused at cold start with a ConfigError naming the variables, before anything is read or written.
 *
 * Only what really cannot work is refused here; a value that is merely unusual (a huge burst, a zone cache of 0 s, the
 * same hosted zone id listed twice) is left alone.
 */

import { MIN_TIME_LEFT_MS } from '../controller/deps.js';
import type { Config } from './config.js';
import { type Env, present } from './env.js';
import { ConfigError } from './errors.js';

/** Lambda's longest timeout. */
const MAX_TIMEOUT_SECONDS = 900;

/**
 * The function's timeout, from `FUNCTION_TIMEOUT_SECONDS` (serverless.yml sets it from each function's `timeout`:
 * Lambda does not tell a function its timeout before the first invocation). Undefined when unset: the CLI and the
 * tests run without a timeout, and the checks that need one are skipped.
 *
 * @throws ConfigError when set to anything but a whole number of seconds from 1 to 900.
 */
export function functionTimeoutSeconds(env: Env): number | undefined {
  const raw = present(env, 'FUNCTION_TIMEOUT_SECONDS');
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_TIMEOUT_SECONDS) {
    throw new ConfigError(
      `FUNCTION_TIMEOUT_SECONDS must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS} (the function's timeout), got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

/**
 * One key for both tags makes every member's address-type tag hold its cluster name, which is neither `private` nor
 * `public`: every member is refused and every cluster's records are deleted.
 *
 * Compared exactly, as EC2 compares them: tag keys are case-sensitive in EC2 (an instance may carry both `Cluster`
 * and `cluster`), in DescribeInstances' `tag-key` filter, in the EventBridge rule's `changed-tag-keys` pattern, and in
 * lib/source/instances.ts, which reads each tag by its exact key. Keys that differ only in case are therefore two independent
 * tags: each instance's cluster tag and address-type tag are read apart, and nothing is refused or deleted because of
 * the likeness. Refusing them would be a naming policy, not a safety check.
 */
function distinctTagKeys(config: Config): void {
  if (config.clusterTagKey === config.addressTypeTagKey) {
    throw new ConfigError(
      `CLUSTER_TAG_KEY and ADDRESS_TYPE_TAG_KEY are both ${JSON.stringify(config.clusterTagKey)} (a variable left unset takes its default): every member's address type would be its cluster name, so every member would be refused and every cluster's records deleted; give the two tags different keys`,
    );
  }
}

/**
 * EC2 accepts any character in a tag key, but DescribeInstances reads a backslash in a filter value as an escape
 * (`\*` is a literal star): the `tag-key` filter for a key holding one would not match the key itself, the sweep
 * would find no member of any cluster, and it would delete every cluster's records. (`*` and `?` are wildcards there
 * too, but they only widen the match: each instance's tag is then read by its exact key, so they are harmless.)
 */
function filterableClusterTagKey(config: Config): void {
  if (config.clusterTagKey.includes('\\')) {
    throw new ConfigError(
      `CLUSTER_TAG_KEY must not contain a backslash, got ${JSON.stringify(config.clusterTagKey)}: EC2's tag-key filter reads it as an escape, so no tagged instance would be found and every cluster's records would be deleted`,
    );
  }
}

/**
 * The reconciler starts no cluster with less than MIN_TIME_LEFT_MS left in the invocation (it defers it instead, so
 * its events come back). A timeout no longer than that defers every cluster of every invocation: nothing is ever done,
 * and every event ends in the dead-letter queue.
 */
function timeoutLeavesRoom(env: Env): void {
  const timeout = functionTimeoutSeconds(env);
  const needed = MIN_TIME_LEFT_MS / 1000;
  if (timeout !== undefined && timeout <= needed) {
    throw new ConfigError(
      `FUNCTION_TIMEOUT_SECONDS=${timeout} is too short: no cluster is started with less than ${needed} s left, so every cluster would be deferred on every invocation; give the function a timeout above ${needed} s`,
    );
  }
}

/**
 * A private zone always gets private addresses, and ZONE_TYPE=private writes no public zone: ADDRESS_TYPE=public
 * there asks for glue that no zone would ever hold. Refused rather than ignored, so that a deployment meant to publish
 * public addresses is not silently publishing private ones. (ADDRESS_TYPE=private, the default, is simply unused.)
 */
function addressTypeHasAZone(config: Config): void {
  if (config.zoneType === 'private' && config.addressType === 'public') {
    throw new ConfigError(
      "ADDRESS_TYPE=public with ZONE_TYPE=private: a private zone always gets the members' private addresses, so no zone would hold public ones; set ZONE_TYPE=both to publish public addresses in the public zone too, or unset ADDRESS_TYPE",
    );
  }
}

/**
 * The checks across variables of {@link loadConfig}, run at its end on the values it read.
 *
 * @throws ConfigError naming the variables of the first combination that cannot work.
 */
export function crossChecks(config: Config, env: Env): void {
  distinctTagKeys(config);
  filterableClusterTagKey(config);
  addressTypeHasAZone(config);
  ruleHasAPrivateZone(config);
  timeoutLeavesRoom(env);
}

/**
 * A Resolver rule leads the VPC Resolver into a private zone's delegation (or stands in for it): with
 * ZONE_TYPE=public no private zone is written, so a rule would point at nothing.
 *
 * @throws ConfigError naming RESOLVER_RULE and ZONE_TYPE.
 */
function ruleHasAPrivateZone(config: Config): void {
  if (config.resolver.rule === 'none' || config.zoneType !== 'public') return;
  throw new ConfigError(
    `RESOLVER_RULE=${config.resolver.rule} needs clusters in private zones, but ZONE_TYPE=public: set ZONE_TYPE=private or both, or RESOLVER_RULE=none`,
  );
}

/**
 * Pacing that outlasts the function: once a container's burst is spent, each Route 53 request waits up to one token
 * interval (1 / ROUTE53_RATE) for its turn. Calls within an invocation are sequential, so that is the longest one
 * request waits; if it is as long as the function's timeout, Lambda kills the invocation while a request still waits,
 * possibly between a cluster's write and its check, and every invocation after the burst does the same. (The time the
 * burst takes to refill, ROUTE53_BURST / ROUTE53_RATE, may well exceed the timeout: calls are then slower, not stuck.)
 *
 * @throws ConfigError naming ROUTE53_RATE and FUNCTION_TIMEOUT_SECONDS.
 */
export function pacingFitsTimeout(ratePerSecond: number, env: Env): void {
  const timeout = functionTimeoutSeconds(env);
  if (timeout === undefined) return;
  const waitSeconds = 1 / ratePerSecond;
  if (waitSeconds >= timeout) {
    const shown = Math.round(waitSeconds * 10) / 10;
    throw new ConfigError(
      `ROUTE53_RATE=${ratePerSecond} makes a Route 53 request wait up to ${shown} s for its turn, at least the function's timeout (FUNCTION_TIMEOUT_SECONDS=${timeout}): invocations would be killed mid-request; set ROUTE53_RATE above 1/${timeout} (one request per timeout)`,
    );
  }
}

/**
 * Pacing that takes more than the deployment's share of the account's Route 53 budget: every container may run at
 * once (reserved concurrency), each at ROUTE53_RATE, so together they send rate × containers requests/s. Over the
 * share, they take budget the account's other clients were promised, and when the sum passes the account's own rate
 * (10/s) Route 53 throttles them all.
 *
 * @throws ConfigError naming ROUTE53_RATE, ROUTE53_CONTAINERS and ROUTE53_SHARE.
 */
export function pacingFitsShare(pacing: { ratePerSecond: number; containers: number; share: number }): void {
  const total = pacing.ratePerSecond * pacing.containers;
  if (total > pacing.share * (1 + 1e-9)) {
    const shown = Math.round(total * 1000) / 1000;
    throw new ConfigError(
      `ROUTE53_RATE=${pacing.ratePerSecond} × ROUTE53_CONTAINERS=${pacing.containers} = ${shown} requests/s is more than ROUTE53_SHARE=${pacing.share}, the deployment's share of the account's Route 53 budget (10 requests/s, shared with every other Route 53 client of the account): lower ROUTE53_RATE, or leave it unset (it is then ROUTE53_SHARE ÷ ROUTE53_CONTAINERS), or raise ROUTE53_SHARE`,
    );
  }
}
