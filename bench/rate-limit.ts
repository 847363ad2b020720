/**
 * Route 53 misbehaving in front of the emulator, through the proxy's interceptor: its rate limits (the emulator's
 * throttling model, answering `Throttling` when a bucket is empty, as Route 53 does), and injected faults.
 */
import type {
  BeforeForward,
  CannedResponse,
  ProxyControl,
  Route53Throttle,
  ThrottleModel,
} from '../tools/emulator/emulator.js';
import { priorRequestNotCompleteError, ROUTE53_UNLIMITED, throttlingError } from '../tools/emulator/emulator.js';
import type { World } from '../tools/world/world.js';

/** An interceptor that refuses some Route 53 requests, counting them per action. */
export interface Route53Refusals {
  readonly interceptor: BeforeForward;
  /** Requests refused, per action: each is retried by the SDK. */
  readonly throttled: ReadonlyMap<string, number>;
}

export function install(proxy: ProxyControl, refusals: Route53Refusals): void {
  proxy.beforeForward = refusals.interceptor;
}

/**
 * Route 53's rate limits (tools/emulator/route53-throttle.ts: the 2026 buckets, or the old 5 requests/s) keyed by the
 * emulator's accounts. A server over its rate refuses at once and a refused request takes no token: not
 * lib/pacing.ts's TokenBucket, which makes its caller wait for the next token (a client pacing itself).
 */
export const route53Limit = (world: World, model: ThrottleModel): Route53Throttle =>
  world.emulator.route53Throttle(model);

/** Refuses nothing and still counts (for runs without a rate limit). */
export const noRateLimit = (world: World): Route53Throttle => world.emulator.route53Throttle(ROUTE53_UNLIMITED);

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
