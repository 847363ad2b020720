/**
 * The Route 53 Resolver API's rate limit in the emulator (RESOLVER_LIMIT: 5 requests/s per account and Region, in
 * route53-throttle.ts), and the project's Resolver client against it: its own bucket halves when the Resolver
 * answers ThrottlingException, and every call still gets through (lib/platform/pacing.ts).
 *
 * The throttle runs on a clock that moves only when the test (or the project's bucket, sharing it) moves it.
 */
import { ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { ListResolverRulesCommand, type Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RESOLVER_SERVICE, TokenBucket } from '../../lib/platform/pacing.js';
import { createResolverClient } from '../../lib/platform/resolver-client.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import {
  clients,
  type Emulator,
  RESOLVER_LIMIT,
  startEmulator,
  TEST_CREDENTIALS,
} from '../../tools/emulator/emulator.js';
import { CapturedTelemetry } from '../../tools/world/telemetry.js';
import { withoutWaiting } from '../support/fake-answers.js';

const DEFAULT_ACCOUNT = '123456789012';

let now = 0;
let emulator: Emulator;
const made: { destroy(): void }[] = [];

/** A raw Resolver client in a Region, with no retries: a ThrottlingException reaches the test as is. */
function resolverOnce(region = 'us-east-1'): Route53ResolverClient {
  const { resolver } = clients(emulator.endpoint, { maxAttempts: 1, region });
  made.push(resolver);
  return resolver;
}

const list = (client: Route53ResolverClient) => client.send(new ListResolverRulesCommand({}));

beforeAll(async () => {
  emulator = await startEmulator({ resolverThrottle: RESOLVER_LIMIT, clock: () => now });
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(async () => {
  now = 0;
  await emulator.reset();
});

afterEach(() => {
  for (const client of made.splice(0)) client.destroy();
  vi.restoreAllMocks();
});

describe('the Resolver limit in the emulator', () => {
  it('admits 5 requests of an account and Region at once, then answers ThrottlingException', async () => {
    // Prepare
    const resolver = resolverOnce();
    for (let i = 0; i < 5; i++) await list(resolver);

    // Act & Assess
    await expect(list(resolver)).rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
    expect(emulator.resolverThrottle?.throttled.get('ListResolverRules')).toBe(1);
  });

  it('refills at 5 requests a second', async () => {
    // Prepare
    const resolver = resolverOnce();
    for (let i = 0; i < 5; i++) await list(resolver);

    // Act
    now += 1_000;
    for (let i = 0; i < 5; i++) await list(resolver);

    // Assess
    await expect(list(resolver)).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('keeps a bucket per Region: another Region of the account is not throttled', async () => {
    // Prepare
    const east = resolverOnce('us-east-1');
    for (let i = 0; i < 5; i++) await list(east);

    // Act
    const west = resolverOnce('eu-west-1');
    const listed = await list(west);

    // Assess
    expect(listed.ResolverRules).toEqual([]);
    expect(emulator.resolverThrottle?.accounts().sort()).toEqual([
      `${DEFAULT_ACCOUNT} eu-west-1`,
      `${DEFAULT_ACCOUNT} us-east-1`,
    ]);
  });

  it('leaves Route 53 requests alone', async () => {
    // Prepare
    const { route53 } = clients(emulator.endpoint, { maxAttempts: 1 });
    made.push(route53);

    // Act
    for (let i = 0; i < 8; i++) await route53.send(new ListHostedZonesCommand({}));

    // Assess
    expect(emulator.resolverThrottle?.throttled.size).toBe(0);
  });
});

describe('the project’s Resolver client over the limit', () => {
  it('halves its own pacing when throttled, counts it, and gets every call through', async () => {
    // Prepare: a bucket at twice the budget, on the throttle's clock (its waits are the time that passes)
    const telemetry = new CapturedTelemetry();
    const bucket = new TokenBucket(
      { ratePerSecond: 10, burst: 5 },
      {
        clock: {
          now: () => now,
          sleep: async (ms) => {
            now += ms;
          },
        },
        service: RESOLVER_SERVICE,
        telemetry: { log: telemetry.log, metrics: telemetry.sink },
      },
    );
    const { resolver } = createResolverClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      pacing: bucket,
    });
    made.push(resolver);
    await withoutWaiting(resolver);

    // Act
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push(await list(resolver));

    // Assess
    expect(answers).toHaveLength(30);
    expect(bucket.throttles).toBeGreaterThan(0);
    expect(bucket.ratePerSecond).toBeLessThan(10);
    const refused = emulator.resolverThrottle?.throttled.get('ListResolverRules') ?? 0;
    expect(bucket.throttles).toBe(refused);
    expect(telemetry.metrics.filter((m) => m.name === METRIC.resolverThrottled)).toHaveLength(refused);
    expect(telemetry.messages('warn')).toContain('Route 53 Resolver throttled this container: pacing lowered');
  });
});
