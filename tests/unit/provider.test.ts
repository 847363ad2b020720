import {
  ChangeResourceRecordSetsCommand,
  InvalidChangeBatch,
  NoSuchHostedZone,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Change, RecordSet } from '../../lib/plan/records.js';
import { ChangeRejectedError } from '../../lib/platform/errors.js';
import { applyChanges, ConflictDetected, toRoute53Change } from '../../lib/provider/route53.js';

const route53 = mockClient(Route53Client);
const client = new Route53Client({});

const zoneId = 'Z1EXAMPLE';

const oldGlueRecord: RecordSet = { name: 'ns2.mycluster.example.com.', type: 'A', ttl: 60, values: ['10.0.2.23'] };
const newGlueRecord: RecordSet = { name: 'ns2.mycluster.example.com.', type: 'A', ttl: 60, values: ['10.0.2.99'] };
const nsRecord: RecordSet = {
  name: 'mycluster.example.com.',
  type: 'NS',
  ttl: 300,
  values: ['ns1.mycluster.example.com.', 'ns2.mycluster.example.com.'],
};
const ownerRecord: RecordSet = {
  name: '_rlec-dns.mycluster.example.com.',
  type: 'TXT',
  ttl: 60,
  values: ['"heritage=rlec-dns,owner=rlec-dns"', '"ns1=i-0a1b2c3d4e5f60718"', '"ns2=i-0f9e8d7c6b5a40312"'],
};

const swapGlue: Change[] = [
  { action: 'DELETE', record: oldGlueRecord },
  { action: 'CREATE', record: newGlueRecord },
];

/**
 * An InvalidChangeBatch as the SDK surfaces Route 53's answer today: a standard ErrorResponse whose message lists
 * the problems as `[first, second]`, and an empty `messages` list.
 */
const invalidChangeBatch = (problems: readonly string[]): InvalidChangeBatch =>
  new InvalidChangeBatch({ message: `[${problems.join(', ')}]`, $metadata: { httpStatusCode: 400 }, messages: [] });

const alreadyExists =
  "Tried to create resource record set [name='ns2.mycluster.example.com.', type='A'] but it already exists";
const notFound =
  "Tried to delete resource record set [name='ns2.mycluster.example.com.', type='A'] but it was not found";
const valuesDiffer =
  "Tried to delete resource record set [name='ns2.mycluster.example.com.', type='A'] but the values provided do not match the current values";
const notPermitted = 'RRSet with DNS name mycluster.example.com. is not permitted in zone example.com.';

beforeEach(() => {
  route53.reset();
});

describe('toRoute53Change', () => {
  it('copies name, type, TTL and every value', () => {
    // Act
    const change = toRoute53Change({ action: 'CREATE', record: nsRecord });

    // Assess
    expect(change).toEqual({
      Action: 'CREATE',
      ResourceRecordSet: {
        Name: 'mycluster.example.com.',
        Type: 'NS',
        TTL: 300,
        ResourceRecords: [{ Value: 'ns1.mycluster.example.com.' }, { Value: 'ns2.mycluster.example.com.' }],
      },
    });
  });
});

describe('applyChanges', () => {
  it('sends the DELETEs and CREATEs in one batch, in order, with exact TTLs and values', async () => {
    // Prepare
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
    const changes: Change[] = [
      { action: 'DELETE', record: oldGlueRecord },
      { action: 'DELETE', record: nsRecord },
      { action: 'CREATE', record: { ...nsRecord, ttl: 60 } },
      { action: 'CREATE', record: newGlueRecord },
      { action: 'CREATE', record: ownerRecord },
    ];

    // Act
    await applyChanges(client, zoneId, changes, 'rlec-dns rlec-dns: mycluster.example.com');

    // Assess
    expect(route53).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: zoneId,
      ChangeBatch: {
        Comment: 'rlec-dns rlec-dns: mycluster.example.com',
        Changes: [
          {
            Action: 'DELETE',
            ResourceRecordSet: {
              Name: 'ns2.mycluster.example.com.',
              Type: 'A',
              TTL: 60,
              ResourceRecords: [{ Value: '10.0.2.23' }],
            },
          },
          {
            Action: 'DELETE',
            ResourceRecordSet: {
              Name: 'mycluster.example.com.',
              Type: 'NS',
              TTL: 300,
              ResourceRecords: [{ Value: 'ns1.mycluster.example.com.' }, { Value: 'ns2.mycluster.example.com.' }],
            },
          },
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: 'mycluster.example.com.',
              Type: 'NS',
              TTL: 60,
              ResourceRecords: [{ Value: 'ns1.mycluster.example.com.' }, { Value: 'ns2.mycluster.example.com.' }],
            },
          },
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: 'ns2.mycluster.example.com.',
              Type: 'A',
              TTL: 60,
              ResourceRecords: [{ Value: '10.0.2.99' }],
            },
          },
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: '_rlec-dns.mycluster.example.com.',
              Type: 'TXT',
              TTL: 60,
              ResourceRecords: [
                { Value: '"heritage=rlec-dns,owner=rlec-dns"' },
                { Value: '"ns1=i-0a1b2c3d4e5f60718"' },
                { Value: '"ns2=i-0f9e8d7c6b5a40312"' },
              ],
            },
          },
        ],
      },
    });
  });

  it('returns the change id', async () => {
    // Prepare
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C2', Status: 'PENDING', SubmittedAt: new Date() } });

    // Act
    const changeId = await applyChanges(client, zoneId, swapGlue, 'swap');

    // Assess
    expect(changeId).toBe('/change/C2');
  });

  it('cuts the comment to the 256 characters Route 53 accepts', async () => {
    // Prepare
    route53.on(ChangeResourceRecordSetsCommand).resolves({});

    // Act
    await applyChanges(client, zoneId, swapGlue, 'c'.repeat(300));

    // Assess
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      ChangeBatch: expect.objectContaining({ Comment: 'c'.repeat(256) }),
    });
  });

  it.each([
    { what: 'a CREATE over an existing record', problems: [alreadyExists] },
    { what: 'a DELETE of a missing record', problems: [notFound] },
    { what: 'a DELETE whose values no longer match', problems: [valuesDiffer] },
    { what: 'several lost races at once', problems: [notFound, alreadyExists] },
  ])('reports a conflict when Route 53 refuses $what', async ({ problems }) => {
    // Prepare
    route53.on(ChangeResourceRecordSetsCommand).rejects(invalidChangeBatch(problems));

    // Act & Assess
    await expect(applyChanges(client, zoneId, swapGlue, 'swap')).rejects.toThrow(ConflictDetected);
  });

  it('keeps Route 53 messages in the conflict', async () => {
    // Prepare
    route53.on(ChangeResourceRecordSetsCommand).rejects(invalidChangeBatch([valuesDiffer]));

    // Act & Assess
    await expect(applyChanges(client, zoneId, swapGlue, 'swap')).rejects.toThrow(
      expect.objectContaining({ name: 'ConflictDetected', messages: [valuesDiffer] }),
    );
  });

  it('rejects the batch for good when Route 53 refuses it for another reason', async () => {
    // Prepare
    const error = invalidChangeBatch([notPermitted]);
    route53.on(ChangeResourceRecordSetsCommand).rejects(error);

    // Act & Assess
    await expect(applyChanges(client, zoneId, swapGlue, 'swap')).rejects.toThrow(ChangeRejectedError);
    await expect(applyChanges(client, zoneId, swapGlue, 'swap')).rejects.toThrow(
      expect.objectContaining({
        message: `Route 53 rejected the change batch: ${notPermitted}`,
        permanent: true,
        cause: error,
      }),
    );
  });

  it('lets a throttling error through unchanged', async () => {
    // Prepare
    const throttling = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} });
    route53.on(ChangeResourceRecordSetsCommand).rejects(throttling);

    // Act & Assess
    await expect(applyChanges(client, zoneId, swapGlue, 'swap')).rejects.toBe(throttling);
  });

  it('lets another Route 53 error through unchanged', async () => {
    // Prepare
    const noZone = new NoSuchHostedZone({ message: 'No hosted zone found with ID: Z1EXAMPLE', $metadata: {} });
    route53.on(ChangeResourceRecordSetsCommand).rejects(noZone);

    // Act & Assess
    await expect(applyChanges(client, zoneId, swapGlue, 'swap')).rejects.toBe(noZone);
  });
});
