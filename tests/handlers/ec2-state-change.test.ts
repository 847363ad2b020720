import { readFileSync } from 'node:fs';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import type { EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { TransientError } from '../../lib/platform/errors.js';
import type { Runtime } from '../../lib/platform/runtime.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import {
  describeInstances,
  type FakeInstance,
  listRecordSets,
  recordSet,
  throttlingError,
  useHandler,
} from './support.js';

const { route53, ec2, context, handler, runtime } = useHandler(
  'rlec-dns-test-stateChange',
  () => import('../../handlers/ec2-state-change.js'),
);

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8')) as T;

type StateChangeEvent = EventBridgeEvent<
  'EC2 Instance State-change Notification',
  { 'instance-id': string; state: string }
>;

const runningEvent = fixture<StateChangeEvent>('ec2-state-change-running.json');
/** AWS's own sample, as the EC2 user guide prints it: no `version` field, an instance entering `pending`. */
const awsSampleEvent = fixture<Omit<StateChangeEvent, 'version'>>('ec2-state-change-aws-sample.json');
const joinedEvent =
  fixture<EventBridgeEvent<'Tag Change on Resource', Record<string, unknown>>>('tag-change-joined.json');
const scheduledEvent = fixture<EventBridgeEvent<'Scheduled Event', Record<string, never>>>('scheduled.json');
const sqsBatch = fixture<SQSEvent>('sqs-batch.json');

const cluster = 'mycluster.example.com';
const otherCluster = 'redis.other.org';

const exampleZone = { Id: '/hostedzone/Z1EXAMPLE', Name: 'example.com.', CallerReference: 'a' };
const otherZone = { Id: '/hostedzone/Z4OTHER', Name: 'other.org.', CallerReference: 'b' };

/** The instance the sample running event is about. */
const nodeA: FakeInstance = {
  id: 'i-0a1b2c3d4e5f60718',
  state: 'running',
  tags: { Name: 'redis-a', 'rlec:cluster': cluster },
  privateIp: '10.0.1.17',
};
const untaggedNodeA: FakeInstance = { ...nodeA, tags: { Name: 'web' } };
/** The instance of AWS's sample event, running by the time EC2 is asked. */
const sampleNode: FakeInstance = {
  id: 'i-1234567890abcdef0',
  state: 'running',
  tags: { 'rlec:cluster': cluster },
  privateIp: '10.0.1.30',
};
const otherNode: FakeInstance = {
  id: 'i-0b2c3d4e5f6071829',
  state: 'running',
  tags: { 'rlec:cluster': otherCluster },
  privateIp: '10.9.0.5',
};

/** What the parent zone holds around the cluster: its own apex records and a neighbour, nothing of the cluster. */
const exampleZoneRecords = [
  recordSet('example.com.', 'NS', ['ns-1.awsdns-01.org.', 'ns-2.awsdns-02.net.'], 172_800),
  recordSet('app.example.com.', 'A', ['192.0.2.10'], 300),
  recordSet('zzz.example.com.', 'A', ['192.0.2.11'], 300),
];
const foreignNsRecord = recordSet(`${cluster}.`, 'NS', ['ns-7.awsdns-07.com.', 'ns-8.awsdns-08.co.uk.'], 300);

const stateChangeEvent = (instanceId: string, id: string): StateChangeEvent => ({
  ...runningEvent,
  id,
  resources: [`arn:aws:ec2:eu-west-1:123456789012:instance/${instanceId}`],
  detail: { 'instance-id': instanceId, state: 'running' },
});

const sqsRecord = (messageId: string, body: string): SQSRecord => ({
  ...(sqsBatch.Records[0] as SQSRecord),
  messageId,
  body,
});

/** The first ChangeResourceRecordSets a cluster of one member, nodeA, should cause. */
const createNodeA = [
  {
    Action: 'CREATE',
    ResourceRecordSet: {
      Name: 'mycluster.example.com.',
      Type: 'NS',
      TTL: 60,
      ResourceRecords: [{ Value: 'ns1.mycluster.example.com.' }],
    },
  },
  {
    Action: 'CREATE',
    ResourceRecordSet: {
      Name: '_rlec-dns.mycluster.example.com.',
      Type: 'TXT',
      TTL: 60,
      ResourceRecords: [
        { Value: '"heritage=rlec-dns,owner=rlec-dns,account=123456789012,region=eu-west-1"' },
        { Value: '"ns1=i-0a1b2c3d4e5f60718"' },
      ],
    },
  },
  {
    Action: 'CREATE',
    ResourceRecordSet: {
      Name: 'ns1.mycluster.example.com.',
      Type: 'A',
      TTL: 60,
      ResourceRecords: [{ Value: '10.0.1.17' }],
    },
  },
];

let addMetric: MockInstance<Runtime['metrics']['addMetric']>;

beforeEach(() => {
  addMetric = vi.spyOn(runtime().metrics, 'addMetric');
  route53.on(ListHostedZonesCommand).resolves({ HostedZones: [exampleZone, otherZone], IsTruncated: false });
  route53
    .on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z1EXAMPLE' })
    .callsFake(listRecordSets(exampleZoneRecords));
  route53.on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z4OTHER' }).callsFake(listRecordSets([]));
  route53.on(ChangeResourceRecordSetsCommand).resolves({
    ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date('2026-11-25T09:14:05Z') },
  });
});

describe('ec2-state-change handler, event from EventBridge', () => {
  it('creates the NS, ownership and glue records of a new cluster in one batch', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeA]));

    // Act
    const result = await handler(runningEvent, context);

    // Assess
    expect(result).toBeUndefined();
    expect(route53).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z1EXAMPLE',
      ChangeBatch: expect.objectContaining({ Changes: createNodeA }),
    });
  });

  it('reads only the cluster’s own names before writing', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeA]));

    // Act
    await handler(runningEvent, context);

    // Assess
    expect(route53).toHaveReceivedCommandWith(ListResourceRecordSetsCommand, {
      HostedZoneId: 'Z1EXAMPLE',
      StartRecordName: 'mycluster.example.com.',
    });
  });

  it('makes no Route 53 call at all for an untagged instance', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([untaggedNodeA]));

    // Act
    const result = await handler(runningEvent, context);

    // Assess
    expect(result).toBeUndefined();
    expect(route53).not.toHaveReceivedAnyCommand();
  });

  it('fails the invocation when the write fails transiently, so Lambda retries it', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeA]));
    route53.on(ChangeResourceRecordSetsCommand).rejects(throttlingError());

    // Act & Assess
    await expect(handler(runningEvent, context)).rejects.toThrow(TransientError);
    await expect(handler(runningEvent, context)).rejects.toThrow(
      `event ${runningEvent.id} not settled; Lambda will retry it`,
    );
  });

  it('fails the invocation when EC2 does not show the running instance yet', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([]));

    // Act & Assess
    await expect(handler(runningEvent, context)).rejects.toThrow(TransientError);
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it('writes nothing and succeeds when the cluster’s name holds a foreign NS record', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeA]));
    route53
      .on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z1EXAMPLE' })
      .callsFake(listRecordSets([...exampleZoneRecords, foreignNsRecord]));

    // Act
    const result = await handler(runningEvent, context);

    // Assess
    expect(result).toBeUndefined();
    expect(addMetric).toHaveBeenCalledWith(METRIC.clustersRefused, 'Count', 1);
    expect(route53).toHaveReceivedCommand(ListResourceRecordSetsCommand);
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it('writes nothing when the records are already right', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeA]));
    const current = createNodeA.map((c) => ({ ...c.ResourceRecordSet, Type: c.ResourceRecordSet.Type as 'A' }));
    route53
      .on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z1EXAMPLE' })
      .callsFake(listRecordSets([...exampleZoneRecords, ...current]));

    // Act
    const result = await handler(runningEvent, context);

    // Assess
    expect(result).toBeUndefined();
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });
});

describe('ec2-state-change handler, events as AWS publishes them', () => {
  it('acts on AWS’s own sample state-change event, which has no version field', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([sampleNode]));

    // Act
    const result = await handler(awsSampleEvent as StateChangeEvent, context);

    // Assess
    expect(result).toBeUndefined();
    expect(addMetric).not.toHaveBeenCalledWith(METRIC.malformedEvents, 'Count', 1);
    // Found in the read of the tagged instances (the fleet the run plans with): no read by id.
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [{ Name: 'tag-key', Values: ['rlec:cluster'] }],
    });
    expect(ec2).not.toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [{ Name: 'instance-id', Values: [sampleNode.id] }],
    });
    expect(route53).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z1EXAMPLE',
      ChangeBatch: expect.objectContaining({
        Changes: expect.arrayContaining([
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: 'ns1.mycluster.example.com.',
              Type: 'A',
              TTL: 60,
              ResourceRecords: [{ Value: sampleNode.privateIp }],
            },
          },
        ]),
      }),
    });
  });

  it('counts events that are not for us apart from malformed ones, retries none, and calls no AWS API for them', async () => {
    // Prepare
    const volumeTagChange = {
      ...joinedEvent,
      resources: ['arn:aws:ec2:eu-west-1:123456789012:volume/vol-0123456789abcdef0'],
      detail: { ...joinedEvent.detail, 'resource-type': 'volume' },
    };
    const rdsTagChange = { ...joinedEvent, detail: { ...joinedEvent.detail, service: 'rds', 'resource-type': 'db' } };
    const batch: SQSEvent = {
      Records: [
        sqsRecord('msg-volume', JSON.stringify(volumeTagChange)),
        sqsRecord('msg-rds', JSON.stringify(rdsTagChange)),
        sqsRecord('msg-schedule', JSON.stringify(scheduledEvent)),
      ],
    };

    // Act
    const result = await handler(batch, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(addMetric.mock.calls).toEqual([
      [METRIC.eventsIgnored, 'Count', 1],
      [METRIC.eventsIgnored, 'Count', 1],
      [METRIC.eventsIgnored, 'Count', 1],
    ]);
    expect(ec2).not.toHaveReceivedAnyCommand();
    expect(route53).not.toHaveReceivedAnyCommand();
  });
});

describe('ec2-state-change handler, batch from SQS', () => {
  it('processes the sample batch and retries nothing', async () => {
    // Prepare
    const taggedNode: FakeInstance = {
      id: 'i-0f9e8d7c6b5a40312',
      state: 'running',
      tags: { Name: 'redis-node', 'rlec:cluster': cluster },
      privateIp: '10.0.2.23',
    };
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeA, taggedNode]));

    // Act
    const result = await handler(sqsBatch, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(route53).toHaveReceivedCommandOnce(ChangeResourceRecordSetsCommand);
    // One read of the tagged instances resolves both events; no read by id.
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [{ Name: 'tag-key', Values: ['rlec:cluster'] }],
    });
    expect(ec2).not.toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [expect.objectContaining({ Name: 'instance-id' })],
    });
  });

  it('drops a malformed message without retrying it, and processes the good one', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeA]));
    const malformed = sqsRecord('msg-malformed', '{"source": "aws.ec2", "detail": ');
    const good = sqsRecord('msg-good', JSON.stringify(runningEvent));
    const batch: SQSEvent = { Records: [malformed, good] };

    // Act
    const result = await handler(batch, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(addMetric).toHaveBeenCalledWith(METRIC.malformedEvents, 'Count', 1);
    expect(route53).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z1EXAMPLE',
      ChangeBatch: expect.objectContaining({ Changes: createNodeA }),
    });
  });

  it('retries only the message whose cluster’s write was throttled', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeA, otherNode]));
    route53.on(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z4OTHER' }).rejects(throttlingError());
    const mine = sqsRecord('msg-mycluster', JSON.stringify(stateChangeEvent(nodeA.id, 'event-mycluster')));
    const throttled = sqsRecord('msg-other', JSON.stringify(stateChangeEvent(otherNode.id, 'event-other')));
    const batch: SQSEvent = { Records: [mine, throttled] };

    // Act
    const result = await handler(batch, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-other' }] });
    expect(addMetric).toHaveBeenCalledWith(METRIC.eventsRetried, 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith(METRIC.changeBatches, 'Count', 1);
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z1EXAMPLE' });
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z4OTHER' });
  });

  it('retries nothing when a cluster is refused for a foreign NS record', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).callsFake(describeInstances([nodeA]));
    route53
      .on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z1EXAMPLE' })
      .callsFake(listRecordSets([...exampleZoneRecords, foreignNsRecord]));
    const batch: SQSEvent = { Records: [sqsRecord('msg-foreign', JSON.stringify(runningEvent))] };

    // Act
    const result = await handler(batch, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(addMetric).toHaveBeenCalledWith(METRIC.clustersRefused, 'Count', 1);
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });
});
