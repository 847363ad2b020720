/**
 * Route 53 misbehaving in front of the emulator, through the proxy's interceptor: its account-wide rate limit (a token
 * bucket, historically 5 requests/s, answering `Throttling` when empty, as Route 53 does), and injected faults.
 */
import type { BeforeForward, CannedResponse, ProxyControl } from '../tools/emulator/emulator.js';
import { priorRequestNotCompleteError, throttlingError } from '../tools/emulator/emulator.js';

/** An interceptor that refuses some Route 53 requests, counting them per action. */
export interface Route53Refusals {
  readonly interceptor: BeforeForward;
  /** Requests refused, per action: each is retried by the SDK. */
  readonly throttled: Map<string, number>;
}

/**
 * Route 53's side of the rate limit. Not lib/platform/pacing.ts's TokenBucket: that one makes its caller wait for the next
 * token (a client pacing itself); a server that is over its rate refuses the request at once, and a refused request
 * takes no token.
 */
export class Route53RateLimit implements Route53Refusals {
  readonly throttled = new Map<string, number>();
  #tokens: number;
  #at = performance.now();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number = ratePerSecond,
  ) {
    this.#tokens = burst;
  }

  /** True when a request may go now (and takes its token). */
  admit(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.ratePerSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** The proxy interceptor: Route 53 requests over the rate are answered `Throttling`; nothing else is touched. */
  readonly interceptor: BeforeForward = (ctx) => {
    if (ctx.service !== 'route53' || this.admit()) return undefined;
    this.throttled.set(ctx.action, (this.throttled.get(ctx.action) ?? 0) + 1);
    return throttlingError();
  };
}

export function install(proxy: ProxyControl, refusals: Route53Refusals): void {
  proxy.beforeForward = refusals.interceptor;
}

/** Counts throttled requests without limiting anything (for runs without a rate limit). */
export const noRateLimit = (): Route53RateLimit => new Route53RateLimit(Number.POSITIVE_INFINITY, 1e9);

/**
 * Route 53 having a bad moment: every ChangeResourceRecordSets is first answered `PriorRequestNotComplete` (the zone
 * is still applying an earlier change), and one in three other Route 53 requests `Throttling`. Both must be retried by
 * the SDK alone, with nothing failing above it.
 */
export class Route53Faults implements Route53Refusals {
  readonly throttled = new Map<string, number>();
  /** Faults injected, per error code. */
  readonly injected = new Map<string, number>();
  readonly #seenChanges = new Set<string>();
  #requests = 0;

  readonly interceptor: BeforeForward = (ctx) => {
    if (ctx.service !== 'route53') return undefined;
    if (ctx.action === 'ChangeResourceRecordSets') {
      if (this.#seenChanges.has(ctx.body)) return undefined;
      this.#seenChanges.add(ctx.body);
      return this.#inject(ctx.action, 'PriorRequestNotComplete', priorRequestNotCompleteError());
    }
    this.#requests += 1;
    return this.#requests % 3 === 0 ? this.#inject(ctx.action, 'Throttling', throttlingError()) : undefined;
  };

  #inject(action: string, code: string, response: CannedResponse): CannedResponse {
    this.throttled.set(action, (this.throttled.get(action) ?? 0) + 1);
    this.injected.set(code, (this.injected.get(code) ?? 0) + 1);
    return response;
  }
}
