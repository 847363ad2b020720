import { DescribeInstancesCommand, type EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clients,
  type Emulator,
  legacyInvalidChangeBatchBody,
  priorRequestNotCompleteError,
  startEmulator,
  throttlingError,
} from '../../tools/emulator/emulator.js';
import { change, changeBatch, createZone, records } from '../../tools/world/route53-helpers.js';

const NS1 = 'ns1.c1.example.com';

let emulator: Emulator;
let route53: Route53Client;
let ec2: EC2Client;
/** No retries: an injected error reaches the test as is. */
let route53Once: Route53Client;

beforeAll(async () => {
  emulator = await startEmulator();
  ({ route53, ec2 } = clients(emulator.endpoint));
  route53Once = clients(emulator.endpoint, { maxAttempts: 1 }).route53;
});

afterAll(async () => {
  for (const client of [route53, ec2, route53Once]) client?.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
});

describe('the emulator proxy', () => {
  it('passes EC2 traffic through to moto', async () => {
    // Prepare
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 }));
    const instanceId = run.Instances?.[0]?.InstanceId;

    // Act
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceId ? [instanceId] : [] }));

    // Assess
    expect(instanceId).toMatch(/^i-[0-9a-f]+$/);
    expect(described.Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe(instanceId);
  });

  it('counts calls per API action', async () => {
    // Prepare
    const zoneId = await createZone(route53);
    await ec2.send(new DescribeInstancesCommand({}));

    // Act
    await route53.send(new ListHostedZonesCommand({}));
    await route53.send(new ListHostedZonesCommand({}));
    await changeBatch(route53, zoneId, [change('UPSERT', NS1, 'A', 60, ['10.0.0.1'])]);
    await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    await route53.send(new GetChangeCommand({ Id: '/change/C2682N5HXP0BZ4' }));

    // Assess
    expect(emulator.proxy.counts()).toEqual({
      CreateHostedZone: 1,
      DescribeInstances: 1,
      ListHostedZones: 2,
      ChangeResourceRecordSets: 1,
      ListResourceRecordSets: 1,
      GetChange: 1,
    });
    expect(emulator.proxy.count('RunInstances')).toBe(0);
  });

  it('lets the interceptor answer with a Throttling error, which the SDK surfaces', async () => {
    // Prepare
    const zoneId = await createZone(route53);
    emulator.proxy.beforeForward = ({ action }) =>
      action === 'ListResourceRecordSets' ? throttlingError() : undefined;

    // Act
    const attempt = route53Once.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'Throttling',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(route53Once.send(new ListHostedZonesCommand({}))).resolves.toBeDefined();
  });

  it('shows the SDK retrying an injected Throttling error by default', async () => {
    // Prepare
    const zoneId = await createZone(route53);
    let throttled = 0;
    emulator.proxy.beforeForward = ({ action }) =>
      action === 'ListResourceRecordSets' && throttled++ === 0 ? throttlingError() : undefined;

    // Act
    const listed = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));

    // Assess
    expect(listed.$metadata.attempts).toBe(2);
    expect(emulator.proxy.count('ListResourceRecordSets')).toBe(2);
  });

  it('lets the interceptor answer with PriorRequestNotComplete', async () => {
    // Prepare
    const zoneId = await createZone(route53);
    emulator.proxy.beforeForward = ({ action }) =>
      action === 'ChangeResourceRecordSets' ? priorRequestNotCompleteError() : undefined;

    // Act
    const attempt = changeBatch(route53Once, zoneId, [change('UPSERT', NS1, 'A', 60, ['10.0.0.1'])]);

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'PriorRequestNotComplete' });
    emulator.proxy.beforeForward = undefined;
    expect(await records(route53, zoneId)).toEqual([]);
  });

  it('lets the interceptor make a conflicting write first, so a compare-and-swap based on a stale read fails', async () => {
    // Prepare
    const zoneId = await createZone(route53);
    await changeBatch(route53, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])]);
    let raced = false;
    emulator.proxy.beforeForward = async ({ action }) => {
      if (action !== 'ChangeResourceRecordSets' || raced) return undefined;
      raced = true; // The interceptor sees its own write too: act once.
      await changeBatch(route53, zoneId, [change('UPSERT', NS1, 'A', 60, ['10.0.0.7'])]);
      return undefined;
    };

    // Act
    const swap = changeBatch(route53, zoneId, [
      change('DELETE', NS1, 'A', 60, ['10.0.0.1']),
      change('CREATE', NS1, 'A', 60, ['10.0.0.2']),
    ]);

    // Assess
    await expect(swap).rejects.toMatchObject({ name: 'InvalidChangeBatch' });
    expect(await records(route53, zoneId)).toEqual(['ns1.c1.example.com. A 60 10.0.0.7']);
  });

  it("documents why the rules answer InvalidChangeBatch in Route 53's current form: the legacy body reads as Unknown", async () => {
    // Prepare
    const zoneId = await createZone(route53);
    emulator.proxy.beforeForward = () => ({ status: 400, body: legacyInvalidChangeBatchBody(['Tried to create …']) });

    // Act
    const attempt = route53Once.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])] },
      }),
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'Unknown', $metadata: { httpStatusCode: 400 } });
  });
});

describe('hosted zone ids', () => {
  it('are returned as /hostedzone/ID, and record calls accept the id with or without that prefix', async () => {
    // Prepare
    const zoneId = await createZone(route53);
    const bareId = zoneId.replace('/hostedzone/', '');

    // Act
    await changeBatch(route53, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])]);
    await changeBatch(route53, bareId, [change('CREATE', 'ns2.c1.example.com', 'A', 60, ['10.0.0.2'])]);

    // Assess
    expect(zoneId).toMatch(/^\/hostedzone\/[A-Z0-9]+$/);
    expect(await records(route53, bareId)).toEqual(await records(route53, zoneId));
    expect(await records(route53, bareId)).toEqual([
      'ns1.c1.example.com. A 60 10.0.0.1',
      'ns2.c1.example.com. A 60 10.0.0.2',
    ]);
  });
});
