/**
 * Backoff for the compare-and-swap loop: when another writer changes a cluster's records between our read and our
 * write, wait a jittered, exponentially growing time and try again, a bounded number of times ("full jitter", after
 * AWS's Architecture Blog: a random delay between 0 and min(max, base × 2^attempt)).
 */

export interface RetryOptions {
  /** Attempts per cluster when another writer changes its records between our read and our write. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseMs: 100, maxMs: 2000 };

/**
 * The delay before the next attempt, in whole milliseconds.
 *
 * @example backoffMs(1, DEFAULT_RETRY, () => 0.5) // 100: half of min(2000, 100 × 2)
 */
export function backoffMs(attempt: number, retry: RetryOptions, random: () => number): number {
  return Math.round(random() * Math.min(retry.maxMs, retry.baseMs * 2 ** attempt));
}

/** True when no attempt is left after `attempt` (1-based). */
export const attemptsLeft = (attempt: number, retry: RetryOptions): boolean => attempt < retry.attempts;

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
