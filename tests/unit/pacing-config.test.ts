import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/platform/errors.js';
import { describePacing, pacingFromEnv } from '../../lib/platform/pacing-config.js';

const derived = (ratePerSecond: number, share = 5, containers = 1) => ({
  ratePerSecond,
  burst: 5,
  share,
  containers,
  derived: true,
});

describe('pacingFromEnv: the deployment share of the account budget', () => {
  it('defaults to a share of 5 requests/s for one container, burst 5', () => {
    // Act & Assess
    expect(pacingFromEnv({})).toEqual(derived(5));
  });

  it('divides ROUTE53_SHARE among ROUTE53_CONTAINERS when ROUTE53_RATE is unset', () => {
    // Act
    const pacing = pacingFromEnv({ ROUTE53_SHARE: '5', ROUTE53_CONTAINERS: '6' });

    // Assess
    expect(pacing).toEqual(derived(5 / 6, 5, 6));
    expect(pacing.ratePerSecond * pacing.containers).toBeLessThanOrEqual(pacing.share);
  });

  it('treats empty values as unset', () => {
    // Act & Assess
    expect(pacingFromEnv({ ROUTE53_RATE: '', ROUTE53_BURST: ' ', ROUTE53_SHARE: '', ROUTE53_CONTAINERS: '' })).toEqual(
      derived(5),
    );
  });

  it('takes an explicit ROUTE53_RATE, decimals allowed, and ROUTE53_BURST, when they fit the share', () => {
    // Act & Assess
    expect(pacingFromEnv({ ROUTE53_RATE: ' 0.5 ', ROUTE53_BURST: '10', ROUTE53_CONTAINERS: '6' })).toEqual({
      ratePerSecond: 0.5,
      burst: 10,
      share: 5,
      containers: 6,
      derived: false,
    });
  });

  it.each([
    { rate: '2', containers: '6', share: '5', total: '12' },
    { rate: '1', containers: '6', share: '5', total: '6' },
    { rate: '6', containers: '1', share: '5', total: '6' },
  ])(
    'refuses ROUTE53_RATE=$rate × ROUTE53_CONTAINERS=$containers over ROUTE53_SHARE=$share, naming all three',
    ({ rate, containers, share, total }) => {
      // Prepare
      const env = { ROUTE53_RATE: rate, ROUTE53_CONTAINERS: containers, ROUTE53_SHARE: share };

      // Act & Assess
      expect(() => pacingFromEnv(env)).toThrow(ConfigError);
      expect(() => pacingFromEnv(env)).toThrow(
        `ROUTE53_RATE=${rate} × ROUTE53_CONTAINERS=${containers} = ${total} requests/s is more than ROUTE53_SHARE=${share}`,
      );
    },
  );

  it('accepts a rate that uses the share exactly', () => {
    // Act & Assess
    expect(pacingFromEnv({ ROUTE53_RATE: '0.5', ROUTE53_CONTAINERS: '10', ROUTE53_SHARE: '5' }).ratePerSecond).toBe(
      0.5,
    );
  });

  it.each([
    { env: { ROUTE53_RATE: '0' }, variable: 'ROUTE53_RATE' },
    { env: { ROUTE53_RATE: '-1' }, variable: 'ROUTE53_RATE' },
    { env: { ROUTE53_RATE: 'fast' }, variable: 'ROUTE53_RATE' },
    { env: { ROUTE53_RATE: '5000' }, variable: 'ROUTE53_RATE' },
    { env: { ROUTE53_BURST: '2.5' }, variable: 'ROUTE53_BURST' },
    { env: { ROUTE53_BURST: '0' }, variable: 'ROUTE53_BURST' },
    { env: { ROUTE53_SHARE: '0' }, variable: 'ROUTE53_SHARE' },
    { env: { ROUTE53_SHARE: 'half' }, variable: 'ROUTE53_SHARE' },
    { env: { ROUTE53_CONTAINERS: '0' }, variable: 'ROUTE53_CONTAINERS' },
    { env: { ROUTE53_CONTAINERS: '2.5' }, variable: 'ROUTE53_CONTAINERS' },
  ])('refuses $env, naming $variable', ({ env, variable }) => {
    // Act & Assess
    expect(() => pacingFromEnv(env)).toThrow(ConfigError);
    expect(() => pacingFromEnv(env)).toThrow(new RegExp(`^${variable} must be`));
  });

  it('says at cold start what each container sends and why', () => {
    // Act & Assess
    expect(describePacing(pacingFromEnv({ ROUTE53_SHARE: '5', ROUTE53_CONTAINERS: '6' }))).toBe(
      "Route 53 pacing: 0.833 requests/s per container (ROUTE53_SHARE ÷ ROUTE53_CONTAINERS), burst 5; 6 containers at most, within a share of 5 requests/s of the account's budget",
    );
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

    it('checks a derived rate against the timeout too', () => {
      // Prepare: 1 request/s shared by 100 containers: one request every 100 s each
      const env = { ROUTE53_SHARE: '1', ROUTE53_CONTAINERS: '100', FUNCTION_TIMEOUT_SECONDS: '60' };

      // Act & Assess
      expect(() => pacingFromEnv(env)).toThrow(/^ROUTE53_RATE=0.01 makes a Route 53 request wait up to 100 s/);
    });

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
      expect(pacingFromEnv(env)).toMatchObject({ ratePerSecond: 0.5, burst: 100 });
    });

    it('skips the check when no timeout is set (the CLI, the tests)', () => {
      // Act & Assess
      expect(pacingFromEnv({ ROUTE53_RATE: '0.001' })).toMatchObject({ ratePerSecond: 0.001, burst: 5 });
    });

    it('refuses a timeout that is not a whole number of seconds, naming it', () => {
      // Act & Assess
      expect(() => pacingFromEnv({ FUNCTION_TIMEOUT_SECONDS: '1m' })).toThrow(/^FUNCTION_TIMEOUT_SECONDS must be/);
    });
  });
});
