/**
 * Client-side pacing of Route 53 calls: a token bucket shared by every Route 53 call of a container, so that a burst
 * of work is spread out instead of being thrown at the account's shared rate limit (historically 5 requests/s) and
 * answered with `Throttling`. The SDK's adaptive retries remain the second line: they retry `Throttling` and
 * `PriorRequestNotComplete` with jittered backoff and slow the client down further when throttled anyway.
 *
 * The bucket sits inside the SDK's retry loop (after `retryMiddleware`), so every attempt, retries included, takes a
 * token. It paces one container only: the account-wide rate is this rate times the containers running at once
 * (the functions' reserved concurrency bounds that).
 */
import type { Route53Client } from '@aws-sdk/client-route-53';
import { pacingFitsTimeout } from './config-checks.js';
import { type Env, positive } from './env.js';

export interface PacingOptions {
  /** Sustained requests per second. */
  readonly ratePerSecond: number;
  /** Requests that may go at once after a quiet period. */
  readonly burst: number;
}

export const DEFAULT_PACING: PacingOptions = { ratePerSecond: 2, burst: 5 };

export interface Clock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A token bucket that hands out its tokens in call order. A caller that finds no token reserves the next one (the
 * balance goes negative) and waits until it is due, so waiting callers never race each other.
 *
 * @example
 * const bucket = new TokenBucket({ ratePerSecond: 2, burst: 5 });
 * await bucket.take(); // immediate for the first 5 calls, then one every 500 ms
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #at: number;
  #waited = 0;

  constructor(options: PacingOptions, clock: Clock = realClock) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError(
        `a token bucket needs a rate above 0 and a burst of at least 1, got ${JSON.stringify(options)}`,
      );
    }
    this.#rate = options.ratePerSecond / 1000;
    this.#burst = options.burst;
    this.#clock = clock;
    this.#tokens = options.burst;
    this.#at = clock.now();
  }

  /** Waits until a token is available and takes it. Resolves to the time waited, in milliseconds. */
  async take(): Promise<number> {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#rate);
    this.#at = now;
    this.#tokens -= 1;
    if (this.#tokens >= 0) return 0;
    const wait = -this.#tokens / this.#rate;
    this.#waited += wait;
    await this.#clock.sleep(wait);
    return wait;
  }

  /** Total time callers have waited for a token, in milliseconds (for logs and the benchmark). */
  get waitedMs(): number {
    return this.#waited;
  }
}

type Next = (args: unknown) => Promise<unknown>;
type Route53Middleware = Parameters<Route53Client['middlewareStack']['addRelativeTo']>[0];

/** Makes every request the client sends, each retry included, take a token from the bucket first. */
export function addPacing(client: Route53Client, bucket: TokenBucket): Route53Client {
  const pace = (next: Next) => async (args: unknown) => {
    await bucket.take();
    return next(args);
  };
  // The stack's middleware type is a union over its steps; this one is a finalizeRequest middleware, placed inside
  // the retry loop (relative to retryMiddleware), and it passes arguments and results through untouched.
  client.middlewareStack.addRelativeTo(pace as unknown as Route53Middleware, {
    name: 'rlecPacing',
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    override: true,
  });
  return client;
}

/**
 * Reads `ROUTE53_RATE` (requests per second, decimals allowed, default 2) and `ROUTE53_BURST` (a whole number,
 * default 5) from the environment, and checks the rate against the function's timeout when `FUNCTION_TIMEOUT_SECONDS`
 * is set (lib/platform/config-checks.ts).
 *
 * @throws ConfigError naming the variable when a value is not a positive number, or naming ROUTE53_RATE and
 * FUNCTION_TIMEOUT_SECONDS when one request could wait longer than the function may run.
 */
export function pacingFromEnv(env: Env): PacingOptions {
  const pacing = {
    ratePerSecond: positive(env, 'ROUTE53_RATE', DEFAULT_PACING.ratePerSecond, 1000, true),
    burst: positive(env, 'ROUTE53_BURST', DEFAULT_PACING.burst, 1000, false),
  };
  pacingFitsTimeout(pacing.ratePerSecond, env);
  return pacing;
}
