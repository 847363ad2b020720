import { readFileSync } from 'node:fs';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import type { ScheduledEvent } from 'aws-lambda';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../lib/platform/errors.js';
import {
  describeInstances,
  type FakeInstance,
  listRecordSets,
  recordSet,
  throttlingError,
  useHandler,
} from './support.js';

const { route53, ec2, context, handler } = useHandler(
  'rlec-dns-test-reconcile',
  () => import('../../handlers/reconcile.js'),
);

const scheduledEvent = JSON.parse(
  readFileSync(new URL('../events/scheduled.json', import.meta.url), 'utf8'),
) as ScheduledEvent;

const exampleZone = { Id: '/hostedzone/Z1EXAMPLE', Name: 'example.com.', CallerReference: 'a' };

const zoneApex = [
  recordSet('example.com.', 'NS', ['ns-1.awsdns-01.org.', 'ns-2.awsdns-02.net.'], 172_800),
  recordSet('example.com.', 'SOA', ['ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'], 900),
];

/** A cluster this deployment created, whose only member has since gone. */
const goneClusterRecords = [
  recordSet('gone.example.com.', 'NS', ['ns1.gone.example.com.']),
  recordSet('_rlec-dns.gone.example.com.', 'TXT', [
    '"heritage=rlec-dns,owner=rlec-dns,account=123456789012,region=eu-west-1"',
    '"ns1=i-0a1b2c3d4e5f60718"',
  ]),
  recordSet('ns1.gone.example.com.', 'A', ['10.0.1.17']),
];

/** A cluster another deployment (owner id) created: never ours to touch. */
const theirClusterRecords = [
  recordSet('theirs.example.com.', 'NS', ['ns1.theirs.example.com.']),
  recordSet('_rlec-dns.theirs.example.com.', 'TXT', [
    '"heritage=rlec-dns,owner=rlec-dns-staging"',
    '"ns1=i-0123456789abcdef0"',
  ]),
  recordSet('ns1.theirs.example.com.', 'A', ['10.0.9.9']),
];

/** A running member of a cluster that has no records yet. */
const nodeB: FakeInstance = {
  id: 'i-0f9e8d7c6b5a40312',
  state: 'running',
  tags: { 'rlec:cluster': 'new.example.com' },
  privateIp: '10.0.2.23',
};

beforeEach(() => {
  route53.on(ListHostedZonesCommand).resolves({ HostedZones: [exampleZone], IsTruncated: false });
  route53.on(ChangeResourceRecordSetsCommand).resolves({
    ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date('2026-11-25T09:15:02Z') },
  });
});

describe('reconcile handler (scheduled sweep)', () => {
  it('deletes every record of an owned cluster that has no running member, and reports it changed', async () => {
    // Prepare
    route53
      .on(ListResourceRecordSetsCommand)
      .callsFake(listRecordSets([...zoneApex, ...goneClusterRecords, ...theirClusterRecords]));
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([]));

    // Act
    const summary = await handler(scheduledEvent, context);

    // Assess
    expect(summary).toEqual({ changed: ['gone.example.com'], unchanged: [], refused: [], deferred: [] });
    expect(route53).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z1EXAMPLE',
      ChangeBatch: expect.objectContaining({
        Changes: [
          {
            Action: 'DELETE',
            ResourceRecordSet: {
              Name: 'gone.example.com.',
              Type: 'NS',
              TTL: 60,
              ResourceRecords: [{ Value: 'ns1.gone.example.com.' }],
            },
          },
          {
            Action: 'DELETE',
            ResourceRecordSet: {
              Name: '_rlec-dns.gone.example.com.',
              Type: 'TXT',
              TTL: 60,
              ResourceRecords: [
                { Value: '"heritage=rlec-dns,owner=rlec-dns,account=123456789012,region=eu-west-1"' },
                { Value: '"ns1=i-0a1b2c3d4e5f60718"' },
              ],
            },
          },
          {
            Action: 'DELETE',
            ResourceRecordSet: {
              Name: 'ns1.gone.example.com.',
              Type: 'A',
              TTL: 60,
              ResourceRecords: [{ Value: '10.0.1.17' }],
            },
          },
        ],
      }),
    });
  });

  it('creates the records of a tagged cluster that has none, beside the cleanup', async () => {
    // Prepare
    route53.on(ListResourceRecordSetsCommand).callsFake(listRecordSets([...zoneApex, ...goneClusterRecords]));
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeB]));

    // Act
    const summary = await handler(scheduledEvent, context);

    // Assess
    expect(summary).toEqual({
      changed: ['gone.example.com', 'new.example.com'],
      unchanged: [],
      refused: [],
      deferred: [],
    });
    // Both clusters are in one zone: their changes go in one request, each cluster's part its compare-and-swap.
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      ChangeBatch: expect.objectContaining({ Comment: 'rlec-dns rlec-dns: gone.example.com, new.example.com' }),
    });
  });

  it('reports a cluster that is already right as unchanged, and writes nothing', async () => {
    // Prepare
    const settledRecords = [
      recordSet('new.example.com.', 'NS', ['ns1.new.example.com.']),
      recordSet('_rlec-dns.new.example.com.', 'TXT', [
        '"heritage=rlec-dns,owner=rlec-dns,account=123456789012,region=eu-west-1"',
        `"ns1=${nodeB.id}"`,
      ]),
      recordSet('ns1.new.example.com.', 'A', ['10.0.2.23']),
    ];
    route53.on(ListResourceRecordSetsCommand).callsFake(listRecordSets([...zoneApex, ...settledRecords]));
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeB]));

    // Act
    const summary = await handler(scheduledEvent, context);

    // Assess
    expect(summary).toEqual({ changed: [], unchanged: ['new.example.com'], refused: [], deferred: [] });
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it('reports a cluster refused for a foreign record without failing', async () => {
    // Prepare
    const foreignNsRecord = recordSet('new.example.com.', 'NS', ['ns-7.awsdns-07.com.'], 300);
    route53.on(ListResourceRecordSetsCommand).callsFake(listRecordSets([...zoneApex, foreignNsRecord]));
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeB]));

    // Act
    const summary = await handler(scheduledEvent, context);

    // Assess
    expect(summary).toEqual({ changed: [], unchanged: [], refused: ['new.example.com'], deferred: [] });
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it('fails the sweep when the write of the clusters’ zone fails transiently', async () => {
    // Prepare
    route53.on(ListResourceRecordSetsCommand).callsFake(listRecordSets([...zoneApex, ...goneClusterRecords]));
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeB]));
    route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(throttlingError()).resolves({});

    // Act & Assess
    await expect(handler(scheduledEvent, context)).rejects.toThrow(TransientError);
    // One request carried both clusters' changes: throttled, it is not sent again by the loop (the SDK retries).
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
  });
});
