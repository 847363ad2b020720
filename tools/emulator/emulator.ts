/**
 * The emulator: moto server behind a proxy that holds it to Route 53's exact record rules, which moto 5.2.5 does not
 * keep (each gap is pinned in tests/emulator/moto-quirks.test.ts):
 * - CREATE needs no record set there: moto accepts a CREATE over an existing one and then holds two.
 * - DELETE needs the exact TTL and values of the current record set: moto checks a journal of past requests instead
 *   (accepting values that are no longer current, refusing the current ones listed in another order).
 * - A batch is all-or-nothing and evaluated in order, each change against the state the previous ones left; every
 *   failing change is reported, as `InvalidChangeBatch` in Route 53's current error form.
 * - Listing order is Route 53's (reversed labels, trailing dot kept, so `c1-b` sorts before `c1.` and the names under
 *   a cluster stay together), with its paging and 300 record sets a page at most; names compare case-insensitively.
 * - STS AssumeRole honours the role's trust policy (sts-trust.ts): moto assumes any role, trusted or not, with any
 *   external id; the proxy refuses what AWS refuses, with STS's AccessDenied. moto keeps accounts apart by the
 *   caller's access key (identity.ts; iam-accounts.ts makes credentials and roles per account; accounts.ts tells a request's account).
 *  * In front of moto's Route 53 Resolver, resolver-rules.ts serves the rule API as AWS has it since June 2025 (the
 * `DELEGATE` type, UpdateResolverRule, IPv6 targets, the one-domain-per-VPC check; gaps pinned in
 * tests/emulator/resolver-moto-quirks.test.ts).
 * The proxy also counts calls per API action and lets a caller answer a request itself (faults, a rival write
 * first). Route 53's rate limits (route53-throttle.ts) can be enforced per account: from the start
 * (`route53Throttle`, kept across resets, after the caller's interceptor), or by installing a throttle built with
 * {@link Emulator.route53Throttle} as the interceptor; the Resolver API's (`resolverThrottle`: RESOLVER_LIMIT, per
 * account and Region) likewise. The tests, the demo (`npm start`) and the benchmark
 * (`npm run bench`) all use it:
 *
 * ```ts
 * const emulator = await startEmulator({ route53Throttle: ROUTE53_2026 });
 * const { route53, ec2, resolver } = clients(emulator.endpoint);
 * ```
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { MotoAccounts } from './accounts.js';
import { type ProxyControl, type RequestContext, type RequestHandler, startAwsProxy } from './aws-proxy.js';
import { resetMoto, startMoto } from './moto.js';
import { type ResolverControl, resolverRules } from './resolver-rules.js';
import { route53Rules } from './route53-rules.js';
import { type Clock, Route53Throttle, type ThrottleModel } from './route53-throttle.js';
import { stsTrust } from './sts-trust.js';

export type { BeforeForward, CannedResponse, ProxyControl, RequestContext, Service } from './aws-proxy.js';
export {
  accountCredentials,
  createOrganization,
  createRole,
  type TrustPolicy,
  trustAccounts,
  trustOrganization,
} from './iam-accounts.js';
export { resolverError, resolverThrottlingError } from './resolver-errors.js';
export type { ResolverControl } from './resolver-rules.js';
export {
  ec2Error,
  invalidChangeBatchError,
  legacyInvalidChangeBatchBody,
  priorRequestNotCompleteError,
  route53Error,
  route53ErrorBody,
  throttlingError,
} from './route53-errors.js';
export {
  type AccountUsage,
  type BucketSize,
  type Clock,
  RESOLVER_LIMIT,
  ROUTE53_2026,
  ROUTE53_LEGACY,
  ROUTE53_UNLIMITED,
  Route53Throttle,
  type ThrottleModel,
} from './route53-throttle.js';
export { assumeRoleDenied, stsError } from './sts-trust.js';

/** Region and fake credentials every client of the emulator uses. */
export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** A running emulator. */
export interface Emulator {
  /** The proxy's URL: give it to SDK clients as `endpoint` (or set AWS_ENDPOINT_URL to it). */
  endpoint: string;
  /** moto itself, bypassing the Route 53 rules (to set up state, or to show what moto alone would do). */
  motoUrl: string;
  /** Call counters and the fault-injection hook. */
  proxy: ProxyControl;
  /** How the Resolver layer answers where AWS's documentation leaves the behaviour open. */
  resolver: ResolverControl;
  /** The throttle enforced since the start (`route53Throttle`), if any: its refusals and each account's usage. */
  throttle: Route53Throttle | undefined;
  /** The Resolver API's throttle enforced since the start (`resolverThrottle`), if any. */
  resolverThrottle: Route53Throttle | undefined;
  /** A throttle that keys its buckets by this emulator's accounts (see accounts.ts), not installed anywhere. */
  route53Throttle(model: ThrottleModel, clock?: Clock): Route53Throttle;
  /** The account a request signed with this access key id is in. */
  accountOfKey(accessKeyId: string): Promise<string>;
  /** Wipes moto's state, the Resolver layer's, the counters and the interceptor; refills the start's throttle. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** What {@link startEmulator} may be told. */
export interface EmulatorOptions {
  /** Route 53's rate limits to enforce on every Route 53 request, per account, from the start. */
  readonly route53Throttle?: ThrottleModel;
  /** The Route 53 Resolver API's rate limit to enforce, per account and Region, from the start (RESOLVER_LIMIT). */
  readonly resolverThrottle?: ThrottleModel;
  /** The clock of those throttles (ms); `performance.now` by default. */
  readonly clock?: Clock;
}

/** Starts moto and the proxy in front of it, with Route 53's record rules and the Resolver's rule API. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const moto = await startMoto();
  try {
    const accounts = new MotoAccounts(moto.url);
    const throttleOf = (model: ThrottleModel, clock?: Clock, service?: 'route53resolver') =>
      new Route53Throttle(model, {
        accountOf: accounts.accountOf,
        ...(clock === undefined ? {} : { clock }),
        ...(service === undefined ? {} : { service }),
      });
    const route53Throttle = (model: ThrottleModel, clock?: Clock) => throttleOf(model, clock);
    const throttle = options.route53Throttle && throttleOf(options.route53Throttle, options.clock);
    const resolverThrottle =
      options.resolverThrottle && throttleOf(options.resolverThrottle, options.clock, 'route53resolver');
    const throttles = [throttle, resolverThrottle].filter((t) => t !== undefined);
    const route53 = route53Rules(moto.url);
    const resolver = resolverRules(moto.url);
    const rules = firstAnswer(route53, stsTrust(moto.url), resolver.handler);
    const proxy = await startAwsProxy(
      moto.url,
      throttles.length === 0
        ? rules
        : firstAnswer(...throttles.map((t) => async (ctx: RequestContext) => t.interceptor(ctx)), rules),
    );
    return {
      endpoint: proxy.url,
      motoUrl: moto.url,
      proxy: proxy.control,
      resolver: resolver.control,
      throttle,
      resolverThrottle,
      route53Throttle,
      accountOfKey: (accessKeyId) => accounts.accountOfKey(accessKeyId),
      reset: async () => {
        proxy.control.beforeForward = undefined;
        proxy.control.resetCounts();
        resolver.reset();
        throttle?.reset();
        resolverThrottle?.reset();
        accounts.forget();
        await resetMoto(moto.url);
      },
      stop: async () => {
        await proxy.close();
        await moto.stop();
      },
    };
  } catch (error) {
    await moto.stop();
    throw error;
  }
}

/** The first answer of these handlers, in order; undefined (forward to moto) when none answers. */
function firstAnswer(...handlers: RequestHandler[]): RequestHandler {
  return async (ctx) => {
    for (const handler of handlers) {
      const answer = await handler(ctx);
      if (answer) return answer;
    }
    return undefined;
  };
}

/** SDK client settings a test may override. */
export interface ClientOptions {
  /** Total attempts including retries; the SDK default is 3. Use 1 to see an injected error as is. */
  maxAttempts?: number;
  /** The Region the clients sign for (EC2 is regional in the emulator too); default us-east-1. */
  region?: string;
  /** Whose calls these are (moto's account is the one holding the key); default TEST_CREDENTIALS, account 123456789012. */
  credentials?: AwsCredentialIdentity;
}

/** Real SDK clients pointed at `endpoint`, with fake credentials and region us-east-1 (SDK defaults otherwise). */
export function clients(
  endpoint: string,
  options: ClientOptions = {},
): { route53: Route53Client; ec2: EC2Client; resolver: Route53ResolverClient } {
  const config = { endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, ...options };
  return {
    route53: new Route53Client(config),
    ec2: new EC2Client(config),
    resolver: new Route53ResolverClient(config),
  };
}

/** A real STS client pointed at `endpoint`, with the same defaults as {@link clients}. */
export function stsClient(endpoint: string, options: ClientOptions = {}): STSClient {
  return new STSClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, ...options });
}

/**
 * The environment that points a process's AWS SDK at the emulator, as a user would point it at AWS: the endpoint,
 * the region and fake credentials, and no instance metadata lookup.
 */
export function emulatorEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
