/**
 * What moto 5.2.5 does on its own, without the Route 53 rules proxy: the reasons the proxy exists and the shape of
 * its workarounds (CREATE sent as UPSERT, DELETE sent with moto's own listed values, listing re-sorted). If a moto
 * upgrade makes one of these fail, revisit the matching workaround in tools/emulator/route53-rules.ts.
 */
import { ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clients, type Emulator, startEmulator } from '../../tools/emulator/emulator.js';
import { change, changeBatch, createZone, listAll, records } from '../../tools/world/route53-helpers.js';

const NS1 = 'ns1.c1.example.com';

let emulator: Emulator;
let motoAlone: Route53Client;
let zoneId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  motoAlone = clients(emulator.motoUrl).route53;
});

afterAll(async () => {
  motoAlone?.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
  zoneId = await createZone(motoAlone);
});

describe('moto alone', () => {
  it('accepts a CREATE over an existing record set and then holds two with the same name and type', async () => {
    // Prepare
    await changeBatch(motoAlone, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])]);

    // Act
    await changeBatch(motoAlone, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.2'])]);

    // Assess
    expect(await records(motoAlone, zoneId)).toEqual([
      'ns1.c1.example.com. A 60 10.0.0.1',
      'ns1.c1.example.com. A 60 10.0.0.2',
    ]);
  });

  it('rejects DELETE X then CREATE X with X’s original values in one batch: its CREATE check ignores the DELETE', async () => {
    // Prepare
    await changeBatch(motoAlone, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])]);

    // Act
    const attempt = changeBatch(motoAlone, zoneId, [
      change('DELETE', NS1, 'A', 60, ['10.0.0.1']),
      change('CREATE', NS1, 'A', 60, ['10.0.0.1']),
    ]);

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidChangeBatch' });
  });

  it('applies DELETE X then UPSERT X in one batch in order', async () => {
    // Prepare
    await changeBatch(motoAlone, zoneId, [change('UPSERT', NS1, 'A', 60, ['10.0.0.1'])]);

    // Act
    await changeBatch(motoAlone, zoneId, [
      change('DELETE', NS1, 'A', 60, ['10.0.0.1']),
      change('UPSERT', NS1, 'A', 60, ['10.0.0.2']),
    ]);

    // Assess
    expect(await records(motoAlone, zoneId)).toEqual(['ns1.c1.example.com. A 60 10.0.0.2']);
  });

  it('rejects a DELETE listing the values in another order than they were written', async () => {
    // Prepare
    await changeBatch(motoAlone, zoneId, [change('UPSERT', 'c1.example.com', 'NS', 60, ['ns1.c1.', 'ns2.c1.'])]);

    // Act
    const attempt = changeBatch(motoAlone, zoneId, [
      change('DELETE', 'c1.example.com', 'NS', 60, ['ns2.c1.', 'ns1.c1.']),
    ]);

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidInput' });
  });

  it('lists c1-b.example.com between c1.example.com and the names under it', async () => {
    // Prepare
    await changeBatch(
      motoAlone,
      zoneId,
      ['c1.example.com', 'c1-b.example.com', NS1].map((name) => change('CREATE', name, 'A', 60, ['10.0.0.1'])),
    );

    // Act
    const names = (await listAll(motoAlone, zoneId)).map((set) => set.Name);

    // Assess
    expect(names).toEqual(['example.com.', 'example.com.', 'c1.example.com.', 'c1-b.example.com.', `${NS1}.`]);
  });

  it('lists the SOA value as a Python dict, which the proxy unwraps', async () => {
    // Act
    const fromMoto = await motoAlone.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    const throughProxy = await clients(emulator.endpoint).route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
    );

    // Assess
    const soa = (sets: typeof fromMoto.ResourceRecordSets) => sets?.find((set) => set.Type === 'SOA')?.ResourceRecords;
    expect(soa(fromMoto.ResourceRecordSets)?.[0]?.Value).toMatch(/^\{'Value': 'ns-\d+\.awsdns-\d+\.com\. hostmaster/);
    expect(soa(throughProxy.ResourceRecordSets)?.[0]?.Value).toMatch(
      /^ns-\d+\.awsdns-\d+\.com\. hostmaster\.example\.com\. 1 /,
    );
  });
});
