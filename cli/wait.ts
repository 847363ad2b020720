/**
 * Waiting for Route 53 to report a change INSYNC (on every one of its name servers, usually within 60 s). Polls
 * GetChange at once, then after 1, 2, 4 and every 5 s, so a fast answer is seen fast and a slow one costs few calls.
 */
import { GetChangeCommand, type Route53Client } from '@aws-sdk/client-route-53';

export interface WaitOptions {
  readonly timeoutMs: number;
  /** Told the ids still PENDING and the time waited so far, after each poll. */
  readonly onProgress?: (pending: readonly string[], elapsedMs: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export interface WaitResult {
  readonly insync: boolean;
  readonly elapsedMs: number;
  /** Ids still PENDING when the time ran out; empty when in sync. */
  readonly pending: readonly string[];
}

const DELAYS_MS = [1_000, 2_000, 4_000, 5_000];
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `/change/C123` → `C123`. */
export const changeIdOf = (id: string): string => id.replace(/^\/?change\//, '');

/**
 * Polls until every change is INSYNC or the time runs out.
 *
 * @example await waitForChanges(route53, ['C2682N5HXP0BZ4'], { timeoutMs: 300_000 }) // { insync: true, … }
 */
export async function waitForChanges(
  route53: Route53Client,
  ids: readonly string[],
  options: WaitOptions,
): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const start = now();
  let pending = [...new Set(ids.map(changeIdOf))];
  for (let poll = 0; ; poll += 1) {
    const statuses = await Promise.all(
      pending.map(async (Id) => ({
        Id,
        status: (await route53.send(new GetChangeCommand({ Id }))).ChangeInfo?.Status,
      })),
    );
    pending = statuses.filter((s) => s.status !== 'INSYNC').map((s) => s.Id);
    const elapsedMs = now() - start;
    options.onProgress?.(pending, elapsedMs);
    if (pending.length === 0) return { insync: true, elapsedMs, pending };
    const delay = DELAYS_MS[Math.min(poll, DELAYS_MS.length - 1)] ?? 5_000;
    if (elapsedMs + delay > options.timeoutMs) return { insync: false, elapsedMs, pending };
    await sleep(delay);
  }
}
