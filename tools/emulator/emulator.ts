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
 *   caller's access key (identity.ts; accounts.ts makes credentials and roles per account).
 * The proxy also counts calls per API action and lets a caller answer a request itself (faults, rate limits, a rival
 * write first). The tests, the demo (`npm start`) and the benchmark (`npm run bench`) all use it:
 *
 * ```ts
 * const emulator = await startEmulator();
 * const { route53, ec2 } = clients(emulator.endpoint);
 * ```
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { type ProxyControl, type RequestHandler, startAwsProxy } from './aws-proxy.js';
import { resetMoto, startMoto } from './moto.js';
import { route53Rules } from './route53-rules.js';
import { stsTrust } from './sts-trust.js';

export {
  accountCredentials,
  createOrganization,
  createRole,
  type TrustPolicy,
  trustAccounts,
  trustOrganization,
} from './accounts.js';
export type { BeforeForward, CannedResponse, ProxyControl, RequestContext, Service } from './aws-proxy.js';
export {
  ec2Error,
  invalidChangeBatchError,
  legacyInvalidChangeBatchBody,
  priorRequestNotCompleteError,
  route53Error,
  route53ErrorBody,
  throttlingError,
} from './route53-errors.js';
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
  /** Wipes moto's state, the counters and the interceptor. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts moto and the Route 53 rules proxy in front of it. */
export async function startEmulator(): Promise<Emulator> {
  const moto = await startMoto();
  try {
    const proxy = await startAwsProxy(moto.url, firstAnswer(route53Rules(moto.url), stsTrust(moto.url)));
    return {
      endpoint: proxy.url,
      motoUrl: moto.url,
      proxy: proxy.control,
      reset: async () => {
        proxy.control.beforeForward = undefined;
        proxy.control.resetCounts();
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
export function clients(endpoint: string, options: ClientOptions = {}): { route53: Route53Client; ec2: EC2Client } {
  const config = { endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, ...options };
  return { route53: new Route53Client(config), ec2: new EC2Client(config) };
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
