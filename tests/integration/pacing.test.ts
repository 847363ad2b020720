/**
 * The container's pacing against the emulator's model of Route 53's 2026 limits (tools/emulator/route53-throttle.ts:
 * 50 requests refilling at 10/s, per account and per action), with a second Route 53 client of the same account
 * spending most of the budget meanwhile (bench/second-client.ts): the container is throttled, lowers its rate for all
 * its Route 53 calls, and still converges.
 */

import { ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { startSecondClient } from '../../bench/second-client.js';
import { processEvents, settled } from '../../lib/controller/process-events.js';
import { createDeps } from '../../lib/platform/factory.js';
import { TokenBucket } from '../../lib/platform/pacing.js';
import { clients, ROUTE53_2026, TEST_CREDENTIALS, TEST_REGION } from '../../tools/emulator/emulator.js';
import { CapturedTelemetry } from '../../tools/world/telemetry.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld({ emulator: { route53Throttle: ROUTE53_2026 } });
const CLUSTER = 'c1.example.com';
const LOAD_ZONE = 'other-tool.example';
/** Deliveries of the batch at most, as the queue would redeliver it (maxReceiveCount). */
const DELIVERIES = 5;

/** Empties the account's request bucket (requests at once, no retries), as a busy moment of another tool would. */
async function spendTheBurst(endpoint: string): Promise<void> {
  const once = clients(endpoint, { maxAttempts: 1 }).route53;
  const burst = Array.from({ length: 80 }, () => once.send(new ListHostedZonesCommand({})).catch(() => undefined));
  await Promise.all(burst);
  once.destroy();
}

describe('pacing under the 2026 limits, with another client of the account spending most of the budget', () => {
  it('lowers the container rate when throttled, and the batch still converges', async () => {
    // Prepare
    const { world } = setup;
    const loadZone = await world.zone(LOAD_ZONE);
    const ips = ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14'];
    const ids: string[] = [];
    for (const privateIp of ips) ids.push(await world.launch({ cluster: CLUSTER, privateIp }));
    const telemetry = new CapturedTelemetry();
    const sink = { log: telemetry.log, metrics: telemetry.sink };
    const bucket = new TokenBucket({ ratePerSecond: 5, burst: 5 }, { telemetry: sink });
    const deps = createDeps(world.deps().config, {
      clients: {
        endpoint: world.emulator.endpoint,
        region: TEST_REGION,
        credentials: TEST_CREDENTIALS,
        route53Pacing: bucket,
      },
      telemetry: sink,
      attemptLog: false,
      zoneCacheSeconds: 0,
    });
    world.emulator.throttle?.reset();
    await spendTheBurst(world.emulator.endpoint);
    const other = startSecondClient({
      endpoint: world.emulator.endpoint,
      zoneId: loadZone,
      zoneName: LOAD_ZONE,
      model: ROUTE53_2026,
      requestFraction: 0.8,
      maxRequests: 2_000,
      maxSeconds: 120,
    });

    // Act: the batch, delivered again while events are left to retry
    const items = ids.map((id, i) => ({ id: `e${i}`, body: world.stateEvent(id, 'running') }));
    let deliveries = 0;
    let result = await processEvents(deps, items);
    for (deliveries = 1; !settled(result) && deliveries < DELIVERIES; deliveries++) {
      result = await processEvents(
        deps,
        items.filter((item) => result.retry.includes(item.id)),
      );
    }
    await other.stop();
    deps.close();

    // Assess
    const lowered = telemetry.lines.filter((l) => l.message === 'Route 53 throttled this container: pacing lowered');
    expect(telemetry.count('Route53Throttled')).toBeGreaterThan(0);
    expect(lowered.length).toBeGreaterThan(0);
    expect(lowered[0]?.attributes).toMatchObject({ ratePerSecond: 2.5, was: 5, configured: 5 });
    expect(settled(result)).toBe(true);
    world.emulator.throttle?.reset();
    const byId = ids.map((id, i) => [id, ips[i] ?? ''] as const).sort(([x], [y]) => x.localeCompare(y));
    expect((await world.records(setup.zoneId)).sort()).toEqual(
      delegation(
        CLUSTER,
        byId.map(([id, ip], i) => [i + 1, id, ip] as const),
      ),
    );
  }, 120_000);
});
