import { ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clients, type Emulator, startEmulator } from '../../tools/emulator/emulator.js';
import { change, changeBatch, createZone, listAll, records } from '../../tools/world/route53-helpers.js';

const NS1 = 'ns1.c1.example.com';
const NS1_KEY = "[name='ns1.c1.example.com.', type='A']";

let emulator: Emulator;
let route53: Route53Client;
let zoneId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  ({ route53 } = clients(emulator.endpoint));
});

afterAll(async () => {
  route53?.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
  zoneId = await createZone(route53);
});

describe('ChangeResourceRecordSets through the Route 53 rules', () => {
  it('rejects a CREATE over an existing record set with InvalidChangeBatch and changes nothing', async () => {
    // Prepare
    await changeBatch(route53, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])]);

    // Act
    const attempt = changeBatch(route53, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.2'])]);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message: `[Tried to create resource record set ${NS1_KEY} but it already exists]`,
      $metadata: { httpStatusCode: 400 },
    });
    expect(await records(route53, zoneId)).toEqual(['ns1.c1.example.com. A 60 10.0.0.1']);
  });

  it('treats names case-insensitively and with or without the trailing dot', async () => {
    // Prepare
    await changeBatch(route53, zoneId, [change('CREATE', 'NS1.C1.Example.com', 'A', 60, ['10.0.0.1'])]);

    // Act
    const attempt = changeBatch(route53, zoneId, [change('CREATE', 'ns1.c1.example.com.', 'A', 60, ['10.0.0.2'])]);

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidChangeBatch' });
    expect(await records(route53, zoneId)).toEqual(['ns1.c1.example.com. A 60 10.0.0.1']);
  });

  it('rejects a DELETE whose TTL differs from the current record set', async () => {
    // Prepare
    await changeBatch(route53, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])]);

    // Act
    const attempt = changeBatch(route53, zoneId, [change('DELETE', NS1, 'A', 300, ['10.0.0.1'])]);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message: `[Tried to delete resource record set ${NS1_KEY} but the values provided do not match the current values]`,
    });
    expect(await records(route53, zoneId)).toEqual(['ns1.c1.example.com. A 60 10.0.0.1']);
  });

  it('rejects a DELETE of values that existed earlier but are not current, which moto alone accepts', async () => {
    // Prepare
    await changeBatch(route53, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])]);
    await changeBatch(route53, zoneId, [change('UPSERT', NS1, 'A', 60, ['10.0.0.2'])]);
    const staleDelete = [change('DELETE', NS1, 'A', 60, ['10.0.0.1'])];

    // Act
    const throughRules = changeBatch(route53, zoneId, staleDelete);

    // Assess
    await expect(throughRules).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message: `[Tried to delete resource record set ${NS1_KEY} but the values provided do not match the current values]`,
    });
    expect(await records(route53, zoneId)).toEqual(['ns1.c1.example.com. A 60 10.0.0.2']);
    const motoAlone = clients(emulator.motoUrl).route53;
    await changeBatch(motoAlone, zoneId, staleDelete);
    expect(await records(route53, zoneId)).toEqual([]);
  });

  it('rejects a DELETE of a record set that does not exist', async () => {
    // Act
    const attempt = changeBatch(route53, zoneId, [change('DELETE', NS1, 'A', 60, ['10.0.0.1'])]);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message: `[Tried to delete resource record set ${NS1_KEY} but it was not found]`,
    });
  });

  it('accepts a DELETE whose values are the current ones in another order', async () => {
    // Prepare
    await changeBatch(route53, zoneId, [change('CREATE', 'c1.example.com', 'NS', 60, ['ns1.c1.', 'ns2.c1.'])]);

    // Act
    await changeBatch(route53, zoneId, [change('DELETE', 'c1.example.com', 'NS', 60, ['ns2.c1.', 'ns1.c1.'])]);

    // Assess
    expect(await records(route53, zoneId)).toEqual([]);
  });

  it('applies nothing when the second change of a batch is invalid, and reports every invalid change', async () => {
    // Prepare
    await changeBatch(route53, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])]);

    // Act
    const attempt = changeBatch(route53, zoneId, [
      change('UPSERT', 'c1.example.com', 'NS', 60, ['ns1.c1.example.com.']),
      change('CREATE', NS1, 'A', 60, ['10.0.0.9']),
      change('DELETE', 'ns2.c1.example.com', 'A', 60, ['10.0.0.2']),
    ]);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message:
        `[Tried to create resource record set ${NS1_KEY} but it already exists, ` +
        "Tried to delete resource record set [name='ns2.c1.example.com.', type='A'] but it was not found]",
    });
    expect(await records(route53, zoneId)).toEqual(['ns1.c1.example.com. A 60 10.0.0.1']);
  });

  it('rejects a name outside the hosted zone', async () => {
    // Act
    const attempt = changeBatch(route53, zoneId, [change('UPSERT', 'c1.example.org', 'A', 60, ['10.0.0.1'])]);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message: '[RRSet with DNS name c1.example.org. is not permitted in zone example.com.]',
    });
  });

  it('applies DELETE then CREATE of the same record set in one batch as a compare-and-swap; the replay fails', async () => {
    // Prepare
    await changeBatch(route53, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])]);
    const swap = [change('DELETE', NS1, 'A', 60, ['10.0.0.1']), change('CREATE', NS1, 'A', 60, ['10.0.0.2'])];

    // Act
    await changeBatch(route53, zoneId, swap);
    const replay = changeBatch(route53, zoneId, swap);

    // Assess
    await expect(replay).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message:
        `[Tried to delete resource record set ${NS1_KEY} but the values provided do not match the current values, ` +
        `Tried to create resource record set ${NS1_KEY} but it already exists]`,
    });
    expect(await records(route53, zoneId)).toEqual(['ns1.c1.example.com. A 60 10.0.0.2']);
  });

  it('re-creates a record set with its original values after deleting it in the same batch', async () => {
    // Prepare: moto alone rejects this batch (its CREATE check ignores the batch's own DELETE); see moto-quirks.
    await changeBatch(route53, zoneId, [change('CREATE', NS1, 'A', 60, ['10.0.0.1'])]);

    // Act
    await changeBatch(route53, zoneId, [
      change('DELETE', NS1, 'A', 60, ['10.0.0.1']),
      change('CREATE', NS1, 'A', 60, ['10.0.0.1']),
    ]);

    // Assess
    expect(await records(route53, zoneId)).toEqual(['ns1.c1.example.com. A 60 10.0.0.1']);
  });

  it('applies UPSERT whether or not the record set exists', async () => {
    // Act
    await changeBatch(route53, zoneId, [change('UPSERT', NS1, 'A', 60, ['10.0.0.1'])]);
    await changeBatch(route53, zoneId, [change('UPSERT', NS1, 'A', 120, ['10.0.0.2', '10.0.0.3'])]);

    // Assess
    expect(await records(route53, zoneId)).toEqual(['ns1.c1.example.com. A 120 10.0.0.2 10.0.0.3']);
  });

  it('rejects more than 1,000 ResourceRecord elements, counting UPSERT twice', async () => {
    // Prepare
    const values = Array.from({ length: 501 }, (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}`);

    // Act
    const attempt = changeBatch(route53, zoneId, [change('UPSERT', NS1, 'A', 60, values)]);

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message: '[Number of records limit of 1000 exceeded.]',
    });
  });

  it('applies 600 CREATEs in one batch, though they reach moto as UPSERTs it counts twice', async () => {
    // Prepare
    const creates = Array.from({ length: 600 }, (_, i) => change('CREATE', `n${i}.example.com`, 'A', 60, ['10.0.0.1']));

    // Act
    await changeBatch(route53, zoneId, creates);

    // Assess
    expect(await records(route53, zoneId)).toHaveLength(600);
  });
});

describe('ListResourceRecordSets through the Route 53 rules', () => {
  const names = [
    ['c1.example.com', 'NS', 'ns1.c1.example.com.'],
    ['ns2.c1.example.com', 'A', '10.0.0.2'],
    ['c1-b.example.com', 'A', '10.0.1.1'],
    ['ns1.c1.example.com', 'A', '10.0.0.1'],
    ['_rlec-dns.c1.example.com', 'TXT', '"heritage=rlec-dns"'],
    ['c10.example.com', 'A', '10.0.2.1'],
    ['a.example.com', 'A', '10.0.3.1'],
  ] as const;

  beforeEach(async () => {
    await changeBatch(
      route53,
      zoneId,
      names.map(([name, type, value]) => change('CREATE', name, type, 60, [value])),
    );
  });

  it('sorts by reversed labels with the trailing dot, so c1-b comes before c1 and names under c1 stay together', async () => {
    // Act
    const sets = await listAll(route53, zoneId);

    // Assess
    expect(sets.map((set) => `${set.Name} ${set.Type}`)).toEqual([
      'example.com. NS',
      'example.com. SOA',
      'a.example.com. A',
      'c1-b.example.com. A',
      'c1.example.com. NS',
      '_rlec-dns.c1.example.com. TXT',
      'ns1.c1.example.com. A',
      'ns2.c1.example.com. A',
      'c10.example.com. A',
    ]);
  });

  it('pages from StartRecordName with MaxItems, naming where the next page starts', async () => {
    // Act
    const pages = [];
    let start: { StartRecordName: string; StartRecordType?: 'A' | 'NS' | 'TXT' } = {
      StartRecordName: 'c1.example.com',
    };
    for (;;) {
      const page = await route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 2, ...start }),
      );
      const { IsTruncated, NextRecordName, NextRecordType, MaxItems } = page;
      pages.push({
        names: page.ResourceRecordSets?.map((set) => set.Name),
        IsTruncated,
        NextRecordName,
        NextRecordType,
        MaxItems,
      });
      if (!NextRecordName) break;
      start = { StartRecordName: NextRecordName, StartRecordType: NextRecordType as 'A' };
    }

    // Assess
    expect(pages).toEqual([
      {
        names: ['c1.example.com.', '_rlec-dns.c1.example.com.'],
        IsTruncated: true,
        NextRecordName: 'ns1.c1.example.com.',
        NextRecordType: 'A',
        MaxItems: 2,
      },
      {
        names: ['ns1.c1.example.com.', 'ns2.c1.example.com.'],
        IsTruncated: true,
        NextRecordName: 'c10.example.com.',
        NextRecordType: 'A',
        MaxItems: 2,
      },
      {
        names: ['c10.example.com.'],
        IsTruncated: false,
        NextRecordName: undefined,
        NextRecordType: undefined,
        MaxItems: 2,
      },
    ]);
  });

  it('starts at the first record set at or after StartRecordName and StartRecordType', async () => {
    // Act
    const page = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: 'C1.example.com.',
        StartRecordType: 'SOA',
      }),
    );

    // Assess
    expect(page.ResourceRecordSets?.[0]?.Name).toBe('_rlec-dns.c1.example.com.');
  });

  it('returns at most 300 record sets per page, also when asked for more', async () => {
    // Prepare
    const many = Array.from({ length: 300 }, (_, i) => change('CREATE', `m${i}.example.com`, 'A', 60, ['10.0.0.1']));
    await changeBatch(route53, zoneId, many);

    // Act
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 1000 }));

    // Assess
    expect(page.ResourceRecordSets).toHaveLength(300);
    expect(page).toMatchObject({ IsTruncated: true, MaxItems: 300 });
    expect(await listAll(route53, zoneId)).toHaveLength(300 + names.length + 2);
  });
});
