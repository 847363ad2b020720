/** What the loop needs: clients, configuration, the zone directory, telemetry, and the invocation's clock. */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import type { Config } from '../platform/config.js';
import type { Telemetry } from '../platform/telemetry.js';
import type { ZoneDirectory } from '../registry/zones.js';
import type { SeenInstances } from '../source/hints.js';
import type { RetryOptions } from './retry.js';

export interface ReconcilerDeps {
  readonly route53: Route53Client;
  readonly ec2: EC2Client;
  /** The Route 53 Resolver (RESOLVER_RULE delegate or forward); absent when no rule is written. */
  readonly resolver?: Route53ResolverClient | undefined;
  readonly config: Config;
  readonly zones: ZoneDirectory;
  readonly telemetry: Telemetry;
  readonly retry?: RetryOptions;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Time left in the invocation (Lambda's `getRemainingTimeInMillis`): clusters not started in time are deferred. */
  readonly timeLeftMs?: () => number;
  /** The clusters this container has seen each instance in (hints for tag changes, checked before use). */
  readonly seen?: SeenInstances;
}

/** A cluster is not started with less time left than this: a deferred cluster is retried, a cut-off one is not. */
export const MIN_TIME_LEFT_MS = 10_000;

export const isShortOfTime = (deps: Pick<ReconcilerDeps, 'timeLeftMs'>): boolean =>
  (deps.timeLeftMs?.() ?? Number.POSITIVE_INFINITY) < MIN_TIME_LEFT_MS;
