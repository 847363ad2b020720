import { describe, expect, it } from 'vitest';
import { type Clock, isThrottling, TokenBucket } from '../../lib/platform/pacing.js';
import { CapturedTelemetry } from '../../tools/world/telemetry.js';

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

const warnings = (telemetry: CapturedTelemetry) =>
  telemetry.lines.filter((l) => l.level === 'warn').map((l) => l.attributes);

describe('TokenBucket when Route 53 throttles (AIMD)', () => {
  const oneEverySecond = { ratePerSecond: 1, burst: 1 };
  const adaptation = { floorPerSecond: 0.2, quietMs: 5_000, stepFraction: 0.25, holdMs: 1_000 };

  /** A bucket at 1/s on a fake clock, whose telemetry is captured. */
  function throttledBucket() {
    const clock = new FakeClock();
    const telemetry = new CapturedTelemetry();
    const bucket = new TokenBucket(oneEverySecond, {
      clock,
      adaptation,
      telemetry: { log: telemetry.log, metrics: telemetry.sink },
    });
    return { clock, telemetry, bucket };
  }

  it('halves the rate for every later call, and the next call waits a full interval at the new rate', async () => {
    // Prepare
    const { clock, bucket } = throttledBucket();
    await bucket.take();

    // Act
    bucket.throttled();
    const waits = [await bucket.take(), await bucket.take()];

    // Assess
    expect(bucket.ratePerSecond).toBe(0.5);
    expect(waits).toEqual([2000, 2000]);
    expect(clock.at).toBe(4000);
  });

  it('halves once for throttles that come together, counting every one of them', async () => {
    // Prepare
    const { telemetry, bucket } = throttledBucket();

    // Act: three throttled attempts within the hold time
    bucket.throttled();
    bucket.throttled();
    bucket.throttled();

    // Assess
    expect(bucket.ratePerSecond).toBe(0.5);
    expect(bucket.throttles).toBe(3);
    expect(telemetry.count('Route53Throttled')).toBe(3);
    expect(telemetry.messages('warn')).toEqual(['Route 53 throttled this container: pacing lowered']);
  });

  it('halves again for a throttle after the hold time, down to the floor and no lower', () => {
    // Prepare
    const { clock, bucket } = throttledBucket();
    const rates: number[] = [];

    // Act
    for (let i = 0; i < 5; i++) {
      bucket.throttled();
      rates.push(bucket.ratePerSecond);
      clock.at += 1_000;
    }

    // Assess
    expect(rates).toEqual([0.5, 0.25, 0.2, 0.2, 0.2]);
  });

  it('logs each change of the rate once, with the new and the former rate', () => {
    // Prepare
    const { clock, telemetry, bucket } = throttledBucket();

    // Act
    bucket.throttled();
    clock.at += 1_000;
    bucket.throttled();

    // Assess
    expect(warnings(telemetry)).toEqual([
      { ratePerSecond: 0.5, was: 1, configured: 1, throttles: 1 },
      { ratePerSecond: 0.25, was: 0.5, configured: 1, throttles: 2 },
    ]);
  });

  it('goes back up one step per quiet period, to the configured rate and no higher', async () => {
    // Prepare
    const { clock, telemetry, bucket } = throttledBucket();
    bucket.throttled();
    const rates: number[] = [];

    // Act: a call every 5 s, none throttled
    for (let i = 0; i < 4; i++) {
      clock.at += 5_000;
      await bucket.take();
      rates.push(bucket.ratePerSecond);
    }

    // Assess
    expect(rates).toEqual([0.75, 1, 1, 1]);
    expect(telemetry.lines.filter((l) => l.level === 'info').map((l) => l.attributes.ratePerSecond)).toEqual([0.75, 1]);
  });

  it('does not go back up while Route 53 keeps throttling', async () => {
    // Prepare
    const { clock, bucket } = throttledBucket();
    bucket.throttled();

    // Act: a throttle every 3 s (never a quiet 5 s), each within the hold time of nothing
    for (let i = 0; i < 4; i++) {
      clock.at += 3_000;
      await bucket.take();
      bucket.throttled();
    }

    // Assess
    expect(bucket.ratePerSecond).toBe(0.2);
  });

  it('keeps a configured rate below the floor as its own floor', () => {
    // Prepare
    const bucket = new TokenBucket({ ratePerSecond: 0.1, burst: 1 }, { clock: new FakeClock(), adaptation });

    // Act
    bucket.throttled();

    // Assess
    expect(bucket.ratePerSecond).toBe(0.1);
  });
});

describe('isThrottling', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it.each([
    { error: named('Throttling', 'Rate exceeded'), throttling: true },
    { error: named('ThrottlingException', 'slow down'), throttling: true },
    { error: named('Error', 'Rate exceeded'), throttling: true },
    { error: named('PriorRequestNotComplete', 'still processing a prior request'), throttling: false },
    { error: named('InvalidChangeBatch', 'Tried to create a record that already exists'), throttling: false },
    { error: 'Throttling', throttling: false },
  ])('tells $error apart: $throttling', ({ error, throttling }) => {
    // Act & Assess
    expect(isThrottling(error)).toBe(throttling);
  });
});
