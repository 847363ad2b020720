import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SECOND_CLIENT_KEY, startSecondClient } from '../../bench/second-client.js';
import { clients, type Emulator, ROUTE53_2026, startEmulator } from '../../tools/emulator/emulator.js';
import { createZone, records } from '../../tools/world/route53-helpers.js';

const DEFAULT_ACCOUNT = '123456789012';
const ZONE = 'load.example';

let emulator: Emulator;
let zoneId: string;

beforeAll(async () => {
  emulator = await startEmulator({ route53Throttle: ROUTE53_2026 });
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
  const { route53 } = clients(emulator.endpoint);
  zoneId = await createZone(route53, ZONE);
  route53.destroy();
  emulator.throttle?.reset();
});

const load = (over: Partial<Parameters<typeof startSecondClient>[0]> = {}) =>
  startSecondClient({
    endpoint: emulator.endpoint,
    zoneId,
    zoneName: ZONE,
    model: ROUTE53_2026,
    requestFraction: 0.5,
    maxRequests: 1_000,
    maxSeconds: 1,
    ...over,
  });

describe('the second Route 53 client', () => {
  it("spends the given fraction of the account's request rate: half of 10/s for 1 s is 5 requests", async () => {
    // Act
    const report = await load().finished();

    // Assess
    expect(report.ratePerSecond).toBe(5);
    expect(report.sent).toEqual({ ListResourceRecordSets: 5 });
    expect(report).toMatchObject({ throttled: {}, failed: 0, changeTokens: 0 });
    expect(emulator.throttle?.usage(DEFAULT_ACCOUNT).requests).toBe(5);
    expect(await emulator.accountOfKey(SECOND_CLIENT_KEY)).toBe(DEFAULT_ACCOUNT);
  });

  it('spends a fraction of the change budget too: a quarter of 100 tokens/s is one request of 13 UPSERTs a second', async () => {
    // Act
    const report = await load({ changeFraction: 0.25 }).finished();

    // Assess
    expect(report.sent).toEqual({ ChangeResourceRecordSets: 1, ListResourceRecordSets: 4 });
    expect(report.changeTokens).toBe(26);
    expect(emulator.throttle?.usage(DEFAULT_ACCOUNT).changeTokens).toBe(26);
    const { route53 } = clients(emulator.endpoint);
    expect(await records(route53, zoneId)).toHaveLength(13);
    route53.destroy();
  });

  it('stops at its request bound before its time bound, and at once when stopped', async () => {
    // Act
    const bounded = await load({ requestFraction: 1, maxRequests: 3, maxSeconds: 60 }).finished();
    const stopped = await load({ maxSeconds: 60 }).stop();

    // Assess
    expect(bounded.sent).toEqual({ ListResourceRecordSets: 3 });
    expect(bounded.seconds).toBeLessThan(1);
    expect(stopped.seconds).toBeLessThan(1);
  });

  it('counts the requests the account bucket refuses when it asks for more than the budget', async () => {
    // Prepare
    const greedy = { name: 'tiny', account: { capacity: 2, refillPerSecond: 2 } };
    emulator.proxy.beforeForward = emulator.route53Throttle(greedy).interceptor;

    // Act
    const report = await load({
      model: { ...greedy, account: { capacity: 2, refillPerSecond: 20 } },
      requestFraction: 0.5,
    }).finished();

    // Assess
    expect(report.sent.ListResourceRecordSets).toBe(10);
    expect(report.throttled.ListResourceRecordSets).toBeGreaterThanOrEqual(5);
    expect(report.failed).toBe(0);
  });

  it('refuses an endpoint off the loopback interface and a fraction above 1, naming the option', () => {
    // Act
    const remote = () => load({ endpoint: 'https://route53.amazonaws.com' });
    const greedy = () => load({ requestFraction: 1.5 });

    // Assess
    expect(remote).toThrow(/endpoint must be a loopback address/);
    expect(greedy).toThrow(/requestFraction must be between 0 and 1, got 1.5/);
  });
});
