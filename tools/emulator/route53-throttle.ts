/**
 * Route 53's API throttling, as a model the emulator enforces in front of moto (which throttles nothing).
 *
 * Since 30 July 2026 (AWS's "Throttling for Amazon Route 53 API requests") Route 53 keeps, per account, token
 * buckets that refill at a fixed rate up to their capacity:
 * - a request bucket for the account (50, refilling at 10/s), and one per API action (50 at 10/s unless the action
 *   has its own line in AWS's table): a request takes a token from both, and is throttled if either is empty;
 * - a change bucket (1,500 record changes, refilling at 100/s) that requests changing DNS data draw on: each change
 *   of a `ChangeResourceRecordSets` batch costs 1 token for CREATE or DELETE, 2 for UPSERT.
 * Either answers HTTP 400 `Throttling` / `Rate exceeded` (route53-errors.ts). Before that, one account-wide rate of
 * 5 requests/s: {@link ROUTE53_LEGACY}.
 *
 * What AWS does not say, and the model assumes: a refused request takes no token from any bucket (so a client that
 * retries too early only delays itself); a batch is charged when it is admitted, before its changes are checked (an
 * InvalidChangeBatch still spends its tokens); a batch costing more than the change bucket holds is never admitted.
 *
 * The same buckets model the Route 53 Resolver API's limit, 5 requests/s per account and Region ({@link RESOLVER_LIMIT}):
 * a throttle built with `service: 'route53resolver'` keys its buckets by account and Region and answers
 * `ThrottlingException`.
 *
 * The clock is injected, so the arithmetic is tested without sleeping (tests/unit/route53-throttle.test.ts).
 */
import type { BeforeForward, CannedResponse, RequestContext, Service } from './aws-proxy.js';
import { resolverThrottlingError } from './resolver-errors.js';
import { throttlingError } from './route53-errors.js';
import { innerAll, textOf } from './xml.js';

/** One bucket: how many tokens it holds when full (the burst) and how many it gains per second (the sustained rate). */
export interface BucketSize {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/** Which buckets an account has. A bucket left out does not limit anything. */
export interface ThrottleModel {
  readonly name: string;
  /** Every Route 53 request of the account takes a token here. */
  readonly account?: BucketSize;
  /** Each API action's own bucket, for the actions {@link actions} does not name. */
  readonly perAction?: BucketSize;
  /** Actions whose bucket differs from {@link perAction}. */
  readonly actions?: Readonly<Record<string, BucketSize>>;
  /** Record changes: CREATE and DELETE cost 1, UPSERT 2. */
  readonly changes?: BucketSize;
}

/** Route 53 since 30 July 2026. The two action lines are the emulator's actions that AWS's table lists apart. */
export const ROUTE53_2026: ThrottleModel = {
  name: 'Route 53 since 30 July 2026 (requests 50 at 10/s per account and per action, changes 1,500 at 100/s)',
  account: { capacity: 50, refillPerSecond: 10 },
  perAction: { capacity: 50, refillPerSecond: 10 },
  actions: {
    CreateHostedZone: { capacity: 40, refillPerSecond: 2 },
    DeleteHostedZone: { capacity: 40, refillPerSecond: 5 },
  },
  changes: { capacity: 1500, refillPerSecond: 100 },
};

/** Route 53 before 30 July 2026: 5 requests/s per account, burst 5 (the benchmark's model until issue 13). */
export const ROUTE53_LEGACY: ThrottleModel = {
  name: 'Route 53 before 30 July 2026 (5 requests/s per account)',
  account: { capacity: 5, refillPerSecond: 5 },
};

/**
 * The Route 53 Resolver API: 5 requests/s per account and Region (AWS's Resolver quotas); the burst is assumed to be
 * a second's worth. For a throttle built with `service: 'route53resolver'`.
 */
export const RESOLVER_LIMIT: ThrottleModel = {
  name: 'Route 53 Resolver (5 requests/s per account and Region)',
  account: { capacity: 5, refillPerSecond: 5 },
};

/** No bucket at all: nothing is refused, and requests and change tokens are still counted. */
export const ROUTE53_UNLIMITED: ThrottleModel = { name: 'Route 53 not rate-limited' };

/** Milliseconds from an arbitrary origin; `performance.now` by default. */
export type Clock = () => number;

const ROUNDING = 1e-9;

/** A bucket's level, refilled lazily from the clock whenever it is read. */
export class Bucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly size: BucketSize,
    private readonly clock: Clock,
  ) {
    this.#tokens = size.capacity;
    this.#at = clock();
  }

  /** The tokens there now (fractions included: a bucket refilling at 10/s holds 0.5 more after 50 ms). */
  level(): number {
    const now = this.clock();
    const gained = ((now - this.#at) / 1000) * this.size.refillPerSecond;
    this.#tokens = Math.min(this.size.capacity, this.#tokens + gained);
    this.#at = now;
    return this.#tokens;
  }

  /** True when `n` tokens are there now (allowing for the rounding of fractional refills: 0.9 + 0.1 < 1 in floats). */
  holds(n: number): boolean {
    return this.level() >= n - ROUNDING;
  }

  /** Removes `n` tokens; the caller has checked {@link holds} first. */
  take(n: number): void {
    this.#tokens = Math.max(0, this.level() - n);
  }
}

/** One request as the model sees it. */
export interface ThrottledRequest {
  /** Whose buckets: the account (or, when that is unknown, the access key id). */
  readonly account: string;
  readonly action: string;
  /** Change tokens the request needs: {@link changeCost} of its body for ChangeResourceRecordSets, else 0. */
  readonly changeCost: number;
}

/** Which bucket refused a request. */
export type BucketKind = 'account' | 'action' | 'changes';

export type Verdict = { readonly admitted: true } | { readonly admitted: false; readonly emptied: BucketKind };

/** What one account spent and was refused. */
export interface AccountUsage {
  /** Requests admitted. */
  requests: number;
  /** Change tokens taken by admitted requests. */
  changeTokens: number;
  /** Requests refused, per bucket that was empty. */
  refused: Record<BucketKind, number>;
}

/** Tokens a ChangeResourceRecordSets body costs: 1 per CREATE or DELETE, 2 per UPSERT. 0 for anything else. */
export function changeCost(body: string): number {
  let cost = 0;
  for (const change of innerAll(body, 'Change')) {
    const action = textOf(change, 'Action');
    cost += action === 'UPSERT' ? 2 : action === 'CREATE' || action === 'DELETE' ? 1 : 0;
  }
  return cost;
}

/** The access key id a SigV4 request was signed with (`Credential=AKID/…`), or undefined when it is not signed. */
export function accessKeyIdOf(headers: Readonly<Record<string, string>>): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(headers.authorization ?? '')?.[1];
}

/** The Region a SigV4 request was signed for (`Credential=AKID/date/region/service/…`), or undefined. */
export function regionOf(headers: Readonly<Record<string, string>>): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//.exec(headers.authorization ?? '')?.[1];
}

/** Tells whose buckets a request draws on. */
export type AccountOf = (ctx: RequestContext) => Promise<string> | string;

/** Keys requests by the access key id they are signed with: the fallback when no account can be told. */
export const byAccessKey: AccountOf = (ctx) => `key:${accessKeyIdOf(ctx.headers) ?? 'anonymous'}`;

const emptyUsage = (): AccountUsage => ({
  requests: 0,
  changeTokens: 0,
  refused: { account: 0, action: 0, changes: 0 },
});

interface AccountBuckets {
  readonly requests: Bucket | undefined;
  readonly actions: Map<string, Bucket | undefined>;
  readonly changes: Bucket | undefined;
  readonly usage: AccountUsage;
}

/**
 * The buckets of every account, and the proxy interceptor that enforces them on Route 53 requests.
 *
 * @example
 * const throttle = new Route53Throttle(ROUTE53_2026, { accountOf: accounts.accountOf });
 * emulator.proxy.beforeForward = throttle.interceptor;
 */
export class Route53Throttle {
  /** Requests refused, per action (all accounts). */
  readonly throttled = new Map<string, number>();
  readonly #accounts = new Map<string, AccountBuckets>();
  readonly #clock: Clock;
  readonly #accountOf: AccountOf;
  readonly #service: Service;
  readonly #refusal: () => CannedResponse;

  constructor(
    readonly model: ThrottleModel,
    options: {
      readonly clock?: Clock;
      readonly accountOf?: AccountOf;
      /** The service whose requests it limits: Route 53 unless told; the Resolver's are keyed per Region too. */
      readonly service?: 'route53' | 'route53resolver';
    } = {},
  ) {
    this.#clock = options.clock ?? (() => performance.now());
    this.#service = options.service ?? 'route53';
    const accountOf = options.accountOf ?? byAccessKey;
    this.#accountOf =
      this.#service === 'route53'
        ? accountOf
        : async (ctx) => `${await accountOf(ctx)} ${regionOf(ctx.headers) ?? 'no-region'}`;
    this.#refusal = this.#service === 'route53' ? throttlingError : resolverThrottlingError;
  }

  /** Admits the request (taking its tokens from every bucket it draws on) or refuses it (taking none). */
  admit(request: ThrottledRequest): Verdict {
    const buckets = this.#bucketsOf(request.account);
    const action = this.#actionBucket(buckets, request.action);
    const verdict = this.#judge(buckets, action, request.changeCost);
    if (!verdict.admitted) {
      buckets.usage.refused[verdict.emptied] += 1;
      this.throttled.set(request.action, (this.throttled.get(request.action) ?? 0) + 1);
      return verdict;
    }
    buckets.requests?.take(1);
    action?.take(1);
    if (request.changeCost > 0) buckets.changes?.take(request.changeCost);
    buckets.usage.requests += 1;
    buckets.usage.changeTokens += request.changeCost;
    return verdict;
  }

  /** What an account has spent and been refused so far (nothing, for an account not seen). */
  usage(account: string): AccountUsage {
    const seen = this.#accounts.get(account)?.usage;
    return seen === undefined ? emptyUsage() : structuredClone(seen);
  }

  /** Every account seen so far. */
  accounts(): string[] {
    return [...this.#accounts.keys()];
  }

  /** Full buckets and zero counts, as if no request had been made. */
  reset(): void {
    this.#accounts.clear();
    this.throttled.clear();
  }

  /**
   * The proxy interceptor: a request of its service the buckets refuse is answered as that service throttles
   * (Route 53 `Throttling`, the Resolver `ThrottlingException`); nothing else is touched.
   */
  readonly interceptor: BeforeForward = async (ctx) => {
    if (ctx.service !== this.#service) return undefined;
    const account = await this.#accountOf(ctx);
    const cost = ctx.action === 'ChangeResourceRecordSets' ? changeCost(ctx.body) : 0;
    return this.admit({ account, action: ctx.action, changeCost: cost }).admitted ? undefined : this.#refusal();
  };

  #judge(buckets: AccountBuckets, action: Bucket | undefined, cost: number): Verdict {
    if (buckets.requests !== undefined && !buckets.requests.holds(1)) return { admitted: false, emptied: 'account' };
    if (action !== undefined && !action.holds(1)) return { admitted: false, emptied: 'action' };
    if (cost > 0 && buckets.changes !== undefined && !buckets.changes.holds(cost)) {
      return { admitted: false, emptied: 'changes' };
    }
    return { admitted: true };
  }

  #bucketsOf(account: string): AccountBuckets {
    let buckets = this.#accounts.get(account);
    if (buckets === undefined) {
      const bucket = (size: BucketSize | undefined) => (size === undefined ? undefined : new Bucket(size, this.#clock));
      buckets = {
        requests: bucket(this.model.account),
        actions: new Map(),
        changes: bucket(this.model.changes),
        usage: emptyUsage(),
      };
      this.#accounts.set(account, buckets);
    }
    return buckets;
  }

  #actionBucket(buckets: AccountBuckets, action: string): Bucket | undefined {
    if (!buckets.actions.has(action)) {
      const size = this.model.actions?.[action] ?? this.model.perAction;
      buckets.actions.set(action, size === undefined ? undefined : new Bucket(size, this.#clock));
    }
    return buckets.actions.get(action);
  }
}
