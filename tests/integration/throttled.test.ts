/**
 * The loop against an emulator that holds Route 53's requests to a rate limit (tools/emulator/route53-throttle.ts),
 * turned on for the whole file: what it refuses is answered `Throttling`, as Route 53 does, and the SDK retries it.
 */

import type { Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processEvents } from '../../lib/controller/process-events.js';
import { clients } from '../../tools/emulator/emulator.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

/** Far tighter than Route 53's own buckets, so that three nodes are enough to be throttled. */
const TIGHT = { name: 'two requests, 2 a second', account: { capacity: 2, refillPerSecond: 2 } };
const CLUSTER = 'c1.example.com';

const setup = useWorld({ emulator: { route53Throttle: TIGHT } });
/** The SDK's standard retries with room for several refusals in a row. */
let route53: Route53Client;

beforeAll(() => {
  route53 = clients(setup.world.emulator.endpoint, { maxAttempts: 10 }).route53;
});

afterAll(() => {
  route53?.destroy();
});

describe('the loop under a Route 53 rate limit', () => {
  it('delegates a cluster of three nodes, the SDK retrying the requests the account bucket refuses', async () => {
    // Prepare
    const { world } = setup;
    const ips = ['10.0.0.11', '10.0.0.12', '10.0.0.13'];
    const ids: string[] = [];
    for (const privateIp of ips) ids.push(await world.launch({ cluster: CLUSTER, privateIp }));
    world.emulator.throttle?.reset();

    // Act
    const result = await processEvents(
      world.deps({}, { route53 }),
      ids.map((id, i) => ({ id: `e${i}`, body: world.stateEvent(id, 'running') })),
    );

    // Assess
    const refused = [...(world.emulator.throttle?.throttled.values() ?? [])].reduce((a, b) => a + b, 0);
    expect(result.retry).toEqual([]);
    expect(refused).toBeGreaterThan(0);
    // Slots go in instance-id order.
    const byId = ids.map((id, i) => [id, ips[i] ?? ''] as const).sort(([x], [y]) => x.localeCompare(y));
    const members = byId.map(([id, ip], i) => [i + 1, id, ip] as const);
    expect((await world.records(setup.zoneId)).sort()).toEqual(delegation(CLUSTER, members));
  });
});
