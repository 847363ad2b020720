/**
 * Default AWS clients, in one place. Adaptive retries: the SDK paces itself when Route 53 or EC2 throttles
 * (`Throttling`, `PriorRequestNotComplete` and `RequestLimitExceeded` are retried with backoff and jitter).
 * On top of that, every Route 53 request takes a token from a bucket shared by the container (lib/platform/pacing.ts), so a
 * burst is spread out before Route 53 has to refuse it, and the container slows down when Route 53 throttles.
 * Every error a call ends with is classified there too (lib/platform/aws-errors.ts): permanent (access denied, expired
 * credentials, no such hosted zone) or transient, naming the call and what it was about.
 * `AWS_ENDPOINT_URL` (read by the SDK itself) points both at an emulator in tests and in the demo.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import type { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { classifyAwsError, classifyErrors } from './aws-errors.js';
import { addPacing, type PacingOptions, TokenBucket } from './pacing.js';
import { pacingFromEnv } from './pacing-config.js';

export interface Clients {
  readonly route53: Route53Client;
  readonly ec2: EC2Client;
  /** Built by the factory when Resolver rules are on (resolver-client.ts); a test world passes its own. */
  readonly resolver?: Route53ResolverClient | undefined;
}

export interface ClientOptions {
  readonly region?: string | undefined;
  /** Another endpoint than AWS's (an emulator); `AWS_ENDPOINT_URL` does the same from the environment. */
  readonly endpoint?: string | undefined;
  /**
   * A role every Route 53 call goes through (the zones in another account): its credentials come from
   * `sts:AssumeRole`, by the SDK's own provider, which renews them before they expire. EC2 keeps the caller's own.
   */
  readonly route53Role?: { readonly arn: string; readonly externalId?: string } | undefined;
  /** Added to every request's user agent (tells callers apart, e.g. simulated containers in tests). */
  readonly userAgent?: string | undefined;
  /** Credentials instead of the standard chain (an emulator's). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** A named profile of the shared config files (the CLI's --profile); otherwise the standard chain. */
  readonly profile?: string | undefined;
  readonly maxAttempts?: number;
  /** Connection and request timeouts, so a hung endpoint fails and is retried instead of holding the invocation. */
  readonly timeouts?: { readonly connectionMs: number; readonly requestMs: number };
  /**
   * Pacing of Route 53 requests. Default: from the environment (lib/platform/pacing-config.ts: `ROUTE53_SHARE` ÷
   * `ROUTE53_CONTAINERS`, burst `ROUTE53_BURST`). A bucket may be passed to share it between clients, or to see its
   * rate adapt (createDeps passes one that logs and counts throttles); `false` turns pacing off.
   */
  readonly route53Pacing?: PacingOptions | TokenBucket | false;
}

/** Long enough for any healthy call, short enough to leave a 60 s invocation room to retry. */
export const DEFAULT_TIMEOUTS = { connectionMs: 3_000, requestMs: 10_000 } as const;

/**
 * What every client of the project is built with: adaptive retries, the timeouts, and where and as whom it calls
 * (Region, profile, endpoint, credentials, user agent). The Resolver client (resolver-client.ts) starts from it too.
 */
export function commonConfig(options: ClientOptions) {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  return {
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 8,
    requestHandler: {
      connectionTimeout: timeouts.connectionMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
    },
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.userAgent ? { customUserAgent: options.userAgent } : {}),
  } as const;
}

/** {@link commonConfig} for a client of the zones' side (Route 53, the Resolver): through the DNS role, if one. */
export function dnsSideConfig(options: ClientOptions) {
  const common = commonConfig(options);
  const role = options.route53Role;
  return role === undefined ? common : { ...common, credentials: assumedRole(role, options) };
}

/**
 * The container's clients. Reads the pacing variables when none are given (at cold start, where the handlers call
 * it), so a bad value fails there with a message naming the variable.
 *
 * @example createClients({ route53Pacing: { ratePerSecond: 5, burst: 10 } })
 */
export function createClients(options: ClientOptions = {}): Clients {
  const route53 = new Route53Client(dnsSideConfig(options));
  const pacing = options.route53Pacing ?? pacingFromEnv(process.env);
  if (pacing !== false) addPacing(route53, pacing instanceof TokenBucket ? pacing : new TokenBucket(pacing));
  const ec2 = new EC2Client(commonConfig(options));
  classifyErrors(route53, 'route53');
  classifyErrors(ec2, 'ec2');
  return { route53, ec2 };
}

/**
 * The role's credentials, from the SDK's own provider (it renews them before they expire). A refusal is named as
 * what it is, `sts:AssumeRole` on the role's ARN with STS's reason, not as the Route 53 call that needed them: an
 * AwsPermanentError for a denial (trust policy, external id, no such role), transient for throttling or the network.
 */
export function assumedRole(
  role: NonNullable<ClientOptions['route53Role']>,
  options: ClientOptions,
): ReturnType<typeof fromTemporaryCredentials> {
  const provider = fromTemporaryCredentials({
    params: {
      RoleArn: role.arn,
      RoleSessionName: 'rlec-dns',
      ...(role.externalId === undefined ? {} : { ExternalId: role.externalId }),
    },
    ...(options.credentials ? { masterCredentials: options.credentials } : {}),
    clientConfig: {
      ...(options.region ? { region: options.region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    },
  });
  return async (props) => {
    try {
      return await provider(props);
    } catch (error) {
      throw classifyAwsError(error, { service: 'sts', action: 'AssumeRole', resource: role.arn });
    }
  };
}
