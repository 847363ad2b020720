/**
 * Client-side pacing of Route 53 calls: a token bucket shared by every Route 53 call of a container, so that a burst
 * of work is spread out instead of being thrown at the account's budget and answered with `Throttling`. The Route 53
 * Resolver client has a bucket of its own, built and adapting the same way (its budget, 5 requests/s per account and
 * Region, is apart from Route 53's): {@link addPacing} takes any SDK client, and a bucket names its service.
 *
 * Route 53's budget is the account's (since July 2026: 50 requests, refilling at 10/s, per account and per API
 * action), shared by every container of this deployment and by every other Route 53 client of the account. So:
 * - the rate is derived from a share of that budget (pacing-config.ts): `ROUTE53_SHARE` requests/s for the whole
 *   deployment, divided by the most containers it runs at once (`ROUTE53_CONTAINERS`), and checked at cold start;
 * - when Route 53 throttles anyway (another client of the account is busy, or the share is too large), the
 *   container halves its rate for all its Route 53 calls (down to a floor), and adds a step back after each quiet
 *   period without a throttle (AIMD, as TCP does). Each container backs off on its own; as every container of the
 *   account sees the same throttling, together they back off account-wide, with no shared store.
 *
 * The bucket sits inside the SDK's retry loop (after `retryMiddleware`), so every attempt, retries included, takes a
 * token, and every attempt's answer is seen. The SDK's adaptive retries remain the second line.
 */
import type { FinalizeRequestMiddleware, MiddlewareStack } from '@smithy/types';
import type { Log, MetricSink } from './telemetry.js';
import { METRIC } from './telemetry.js';

// The variables are read in pacing-config.ts; kept importable from here, where callers have always found them.
export { pacingFromEnv } from './pacing-config.js';

export interface PacingOptions {
  /** Sustained requests per second of this container (the most it goes back up to after a throttle). */
  readonly ratePerSecond: number;
  /** Requests that may go at once after a quiet period. */
  readonly burst: number;
}

/** How the rate adapts to throttling (AIMD). */
export interface Adaptation {
  /** The rate is never halved below this (or below the configured rate, if that is lower). */
  readonly floorPerSecond: number;
  /** A throttle-free period after which the rate goes up one step. */
  readonly quietMs: number;
  /** The step, as a fraction of the configured rate. */
  readonly stepFraction: number;
  /** Throttles within this long of a decrease are the same congestion: one halving for them all. */
  readonly holdMs: number;
}

export const DEFAULT_ADAPTATION: Adaptation = { floorPerSecond: 0.2, quietMs: 5_000, stepFraction: 0.2, holdMs: 1_000 };

export interface Clock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The service a bucket paces: named in its log lines, and the metric that counts its throttled attempts. */
export interface PacedService {
  readonly name: string;
  readonly metric: string;
}

export const ROUTE53_SERVICE: PacedService = { name: 'Route 53', metric: METRIC.route53Throttled };
export const RESOLVER_SERVICE: PacedService = { name: 'Route 53 Resolver', metric: METRIC.resolverThrottled };

export interface BucketOptions {
  readonly clock?: Clock;
  readonly adaptation?: Adaptation;
  /** Where rate changes are logged (once per change) and throttles counted (the service's metric). */
  readonly telemetry?: { readonly log: Log; readonly metrics: MetricSink };
  /** Route 53 unless told. */
  readonly service?: PacedService;
}

/**
 * A token bucket that hands out its tokens in call order, and whose rate adapts to throttling. A caller that finds
 * no token reserves the next one (the balance goes negative) and waits until it is due, so waiting callers never race
 * each other.
 *
 * @example
 * const bucket = new TokenBucket({ ratePerSecond: 2, burst: 5 });
 * await bucket.take(); // immediate for the first 5 calls, then one every 500 ms
 * bucket.throttled(); // Route 53 said Throttling: now one every 1,000 ms
 */
export class TokenBucket {
  readonly #max: number;
  readonly #burst: number;
  readonly #clock: Clock;
  readonly #adaptation: Adaptation;
  readonly #telemetry: BucketOptions['telemetry'];
  readonly #service: PacedService;
  #rate: number;
  #tokens: number;
  #at: number;
  #waited = 0;
  #throttles = 0;
  /** When the rate last went down. */
  #loweredAt = Number.NEGATIVE_INFINITY;
  /** When the rate last changed or Route 53 last throttled: a step up waits a quiet period after either. */
  #quietSince: number;

  constructor(options: PacingOptions, bucket: BucketOptions | Clock = {}) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError(
        `a token bucket needs a rate above 0 and a burst of at least 1, got ${JSON.stringify(options)}`,
      );
    }
    const given = 'now' in bucket ? { clock: bucket } : bucket;
    this.#clock = given.clock ?? realClock;
    this.#adaptation = given.adaptation ?? DEFAULT_ADAPTATION;
    this.#telemetry = given.telemetry;
    this.#service = given.service ?? ROUTE53_SERVICE;
    this.#max = options.ratePerSecond;
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#tokens = options.burst;
    this.#at = this.#clock.now();
    this.#quietSince = this.#at;
  }

  /** Waits until a token is available and takes it. Resolves to the time waited, in milliseconds. */
  async take(): Promise<number> {
    const now = this.#refill();
    this.#recover(now);
    this.#tokens -= 1;
    if (this.#tokens >= 0) return 0;
    const wait = (-this.#tokens / this.#rate) * 1000;
    this.#waited += wait;
    await this.#clock.sleep(wait);
    return wait;
  }

  /**
   * The service answered an attempt with `Throttling`: counts it, and halves the rate (down to the floor) unless it was
   * halved within the hold time already. The burst is spent too, so the next call waits a full interval.
   */
  throttled(): void {
    this.#throttles += 1;
    this.#telemetry?.metrics.addMetric(this.#service.metric, 'Count', 1);
    const now = this.#refill();
    this.#quietSince = now;
    if (now - this.#loweredAt < this.#adaptation.holdMs) return;
    this.#loweredAt = now;
    this.#tokens = Math.min(this.#tokens, 0);
    const floor = Math.min(this.#adaptation.floorPerSecond, this.#max);
    this.#change(
      Math.max(floor, this.#rate / 2),
      now,
      `${this.#service.name} throttled this container: pacing lowered`,
    );
  }

  /** The rate in force now, in requests per second. */
  get ratePerSecond(): number {
    return this.#rate;
  }

  /** Attempts answered `Throttling` so far. */
  get throttles(): number {
    return this.#throttles;
  }

  /** Total time callers have waited for a token, in milliseconds (for logs and the benchmark). */
  get waitedMs(): number {
    return this.#waited;
  }

  /** Adds the tokens earned since the last look, at the rate in force; returns now. */
  #refill(): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
    return now;
  }

  /** One step back up towards the configured rate after a quiet period since the last change. */
  #recover(now: number): void {
    if (this.#rate >= this.#max || now - this.#quietSince < this.#adaptation.quietMs) return;
    const step = this.#max * this.#adaptation.stepFraction;
    this.#change(Math.min(this.#max, this.#rate + step), now, `${this.#service.name} quiet again: pacing raised`);
  }

  #change(rate: number, now: number, message: string): void {
    this.#quietSince = now;
    if (rate === this.#rate) return;
    const was = this.#rate;
    this.#rate = rate;
    const attributes = { ratePerSecond: round(rate), was: round(was), configured: round(this.#max) };
    if (rate < was) this.#telemetry?.log.warn(message, { ...attributes, throttles: this.#throttles });
    else this.#telemetry?.log.info(message, attributes);
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * An answer to a request over the account's budget: Route 53's `Throttling` / `Rate exceeded`, the Resolver's
 * `ThrottlingException`.
 */
export function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'Throttling' || error.name === 'ThrottlingException' || error.message === 'Rate exceeded';
}

/**
 * Makes every request the client sends, each retry included, take a token from the bucket first, and tells the
 * bucket of every attempt the service throttled (the error is rethrown unchanged: the SDK still retries it). A
 * finalizeRequest middleware placed inside the retry loop (relative to retryMiddleware); any SDK v3 client.
 */
export function addPacing<I extends object, O extends object>(
  client: { readonly middlewareStack: MiddlewareStack<I, O> },
  bucket: TokenBucket,
): void {
  const pace: FinalizeRequestMiddleware<I, O> = (next) => async (args) => {
    await bucket.take();
    try {
      return await next(args);
    } catch (error) {
      if (isThrottling(error)) bucket.throttled();
      throw error;
    }
  };
  client.middlewareStack.addRelativeTo(pace, {
    name: 'rlecPacing',
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    override: true,
  });
}
