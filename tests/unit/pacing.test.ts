import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/platform/errors.js';
import { type Clock, DEFAULT_PACING, pacingFromEnv, TokenBucket } from '../../lib/platform/pacing.js';

/** A clock that only moves when told to; sleeping moves it. */
class FakeClock implements Clock {
  at = 0;
  readonly slept: number[] = [];
  readonly now = () => this.at;
  readonly sleep = async (ms: number) => {
    this.slept.push(ms);
    this.at += ms;
  };
}

const twoPerSecondBurstThree = { ratePerSecond: 2, burst: 3 };

describe('TokenBucket', () => {
  it('lets a burst go at once', async () => {
    // Prepare
    const clock = new FakeClock();
    const bucket = new TokenBucket(twoPerSecondBurstThree, clock);

    // Act
    const waits = [await bucket.take(), await bucket.take(), await bucket.take()];

    // Assess
    expect(waits).toEqual([0, 0, 0]);
    expect(clock.slept).toEqual([]);
  });

  it('then paces calls at the rate', async () => {
    // Prepare
    const clock = new FakeClock();
    const bucket = new TokenBucket(twoPerSecondBurstThree, clock);
    for (let i = 0; i < 3; i++) await bucket.take();

    // Act
    const waits = [await bucket.take(), await bucket.take()];

    // Assess
    expect(waits).toEqual([500, 500]);
    expect(clock.at).toBe(1000);
  });

  it('hands tokens to concurrent callers in call order, each waiting one interval more', async () => {
    // Prepare
    const clock: Clock = { now: () => 0, sleep: async () => {} };
    const bucket = new TokenBucket({ ratePerSecond: 4, burst: 1 }, clock);

    // Act
    const waits = await Promise.all([bucket.take(), bucket.take(), bucket.take(), bucket.take()]);

    // Assess
    expect(waits).toEqual([0, 250, 500, 750]);
    expect(bucket.waitedMs).toBe(1500);
  });

  it('refills while idle, up to the burst and no further', async () => {
    // Prepare
    const clock = new FakeClock();
    const bucket = new TokenBucket(twoPerSecondBurstThree, clock);
    for (let i = 0; i < 3; i++) await bucket.take();

    // Act
    clock.at += 60_000;
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push(await bucket.take());

    // Assess
    expect(waits).toEqual([0, 0, 0, 500]);
  });

  it.each([
    { ratePerSecond: 0, burst: 1 },
    { ratePerSecond: 1, burst: 0 },
    { ratePerSecond: Number.NaN, burst: 1 },
  ])('refuses a rate of $ratePerSecond with a burst of $burst', (options) => {
    // Act & Assess
    expect(() => new TokenBucket(options)).toThrow(RangeError);
  });
});

describe('pacingFromEnv', () => {
  it('defaults to 2 requests/s with a burst of 5', () => {
    // Act & Assess
    expect(pacingFromEnv({})).toEqual(DEFAULT_PACING);
    expect(DEFAULT_PACING).toEqual({ ratePerSecond: 2, burst: 5 });
  });

  it('reads ROUTE53_RATE, decimals allowed, and ROUTE53_BURST', () => {
    // Act & Assess
    expect(pacingFromEnv({ ROUTE53_RATE: ' 0.5 ', ROUTE53_BURST: '10' })).toEqual({ ratePerSecond: 0.5, burst: 10 });
  });

  it('treats empty values as unset', () => {
    // Act & Assess
    expect(pacingFromEnv({ ROUTE53_RATE: '', ROUTE53_BURST: ' ' })).toEqual(DEFAULT_PACING);
  });

  it.each([
    { env: { ROUTE53_RATE: '0' }, variable: 'ROUTE53_RATE' },
    { env: { ROUTE53_RATE: '-1' }, variable: 'ROUTE53_RATE' },
    { env: { ROUTE53_RATE: 'fast' }, variable: 'ROUTE53_RATE' },
    { env: { ROUTE53_RATE: '5000' }, variable: 'ROUTE53_RATE' },
    { env: { ROUTE53_BURST: '2.5' }, variable: 'ROUTE53_BURST' },
    { env: { ROUTE53_BURST: '0' }, variable: 'ROUTE53_BURST' },
  ])('refuses $env, naming $variable', ({ env, variable }) => {
    // Act & Assess
    expect(() => pacingFromEnv(env)).toThrow(ConfigError);
    expect(() => pacingFromEnv(env)).toThrow(new RegExp(`^${variable} must be`));
  });
  describe('against the function timeout (FUNCTION_TIMEOUT_SECONDS)', () => {
    it.each([
      { rate: '0.0166', timeout: '60', wait: '60.2' },
      { rate: '0.01', timeout: '60', wait: '100' },
      { rate: '0.0033', timeout: '300', wait: '303' },
      { rate: '0.02', timeout: '50', wait: '50' },
    ])(
      'refuses ROUTE53_RATE=$rate, whose $wait s wait outlasts a $timeout s timeout, naming both',
      ({ rate, timeout, wait }) => {
        // Prepare
        const env = { ROUTE53_RATE: rate, FUNCTION_TIMEOUT_SECONDS: timeout };

        // Act & Assess
        expect(() => pacingFromEnv(env)).toThrow(ConfigError);
        expect(() => pacingFromEnv(env)).toThrow(
          `ROUTE53_RATE=${rate} makes a Route 53 request wait up to ${wait} s for its turn, at least the function's timeout (FUNCTION_TIMEOUT_SECONDS=${timeout})`,
        );
      },
    );

    it.each([
      { rate: '0.0167', timeout: '60' },
      { rate: '2', timeout: '60' },
      { rate: '0.004', timeout: '300' },
    ])('accepts ROUTE53_RATE=$rate with a $timeout s timeout', ({ rate, timeout }) => {
      // Act & Assess
      expect(pacingFromEnv({ ROUTE53_RATE: rate, FUNCTION_TIMEOUT_SECONDS: timeout }).ratePerSecond).toBe(Number(rate));
    });

    it('accepts a burst that takes longer than the timeout to refill: calls are slower, not stuck', () => {
      // Prepare: 100 tokens at 0.5/s refill in 200 s; one request waits at most 2 s
      const env = { ROUTE53_RATE: '0.5', ROUTE53_BURST: '100', FUNCTION_TIMEOUT_SECONDS: '60' };

      // Act & Assess
      expect(pacingFromEnv(env)).toEqual({ ratePerSecond: 0.5, burst: 100 });
    });

    it('skips the check when no timeout is set (the CLI, the tests)', () => {
      // Act & Assess
      expect(pacingFromEnv({ ROUTE53_RATE: '0.001' })).toEqual({ ratePerSecond: 0.001, burst: 5 });
    });

    it('refuses a timeout that is not a whole number of seconds, naming it', () => {
      // Act & Assess
      expect(() => pacingFromEnv({ FUNCTION_TIMEOUT_SECONDS: '1m' })).toThrow(/^FUNCTION_TIMEOUT_SECONDS must be/);
    });
  });
});
