/**
 * The Route 53 Resolver client, built as clients.ts builds the others: adaptive retries, timeouts, the same endpoint
 * (`AWS_ENDPOINT_URL` or `endpoint`), user agent and credentials, the DNS role (`DNS_ROLE_ARN`) when one is set (the
 * role of the dns-account template holds the optional Resolver actions), every failed attempt logged
 * (attempt-log.ts) and every error classified (aws-errors.ts, service `route53resolver`).
 *
 * Its requests take tokens from a bucket of their own (not Route 53's): the Resolver's limit, 5 requests per second
 * per account and Region, is apart from Route 53's. The bucket adapts to throttling as Route 53's does (pacing.ts:
 * halved on `ThrottlingException`, counted as `ResolverThrottled`, raised again after quiet periods).
 */
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { logFailedAttempts } from './attempt-log.js';
import { classifyErrors } from './aws-errors.js';
import { type ClientOptions, dnsSideConfig } from './clients.js';
import { addPacing, type PacingOptions, RESOLVER_SERVICE, TokenBucket } from './pacing.js';
import { RESOLVER_DEFAULTS } from './resolver-config.js';
import type { Log, MetricSink } from './telemetry.js';

export interface ResolverClientOptions
  extends Pick<
    ClientOptions,
    'region' | 'endpoint' | 'userAgent' | 'credentials' | 'profile' | 'maxAttempts' | 'timeouts' | 'route53Role'
  > {
  /** Pacing of Resolver requests (default 2/s, burst 2); a bucket to share, or `false` for none. */
  readonly pacing?: PacingOptions | TokenBucket | false;
  /** Where failed attempts are logged; none when absent. */
  readonly attemptLog?: Log;
  /** Where the bucket it builds logs its rate changes and counts throttles (`ResolverThrottled`). */
  readonly telemetry?: { readonly log: Log; readonly metrics: MetricSink };
}

/** The built client and its bucket (for the benchmark's and tests' counts of waiting). */
export interface PacedResolver {
  readonly resolver: Route53ResolverClient;
  readonly bucket: TokenBucket | undefined;
}

/**
 * Builds the Resolver client.
 *
 * @example createResolverClient({ route53Role: config.dnsRole, pacing: config.resolver.pacing })
 */
export function createResolverClient(options: ResolverClientOptions = {}): PacedResolver {
  const resolver = new Route53ResolverClient(dnsSideConfig(options));
  const pacing = options.pacing ?? { ratePerSecond: RESOLVER_DEFAULTS.ratePerSecond, burst: RESOLVER_DEFAULTS.burst };
  const bucket =
    pacing === false
      ? undefined
      : pacing instanceof TokenBucket
        ? pacing
        : new TokenBucket(pacing, {
            service: RESOLVER_SERVICE,
            ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
          });
  if (bucket !== undefined) addPacing(resolver, bucket);
  if (options.attemptLog !== undefined) logFailedAttempts(resolver, options.attemptLog, 'route53resolver');
  classifyErrors(resolver, 'route53resolver');
  return { resolver, bucket };
}
