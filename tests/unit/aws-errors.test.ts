/**
 * The classification of SDK errors at the edge (lib/platform/aws-errors.ts): the real clients of lib/platform/clients.ts, answered by a
 * fake HTTP handler, so the SDK's own deserialisation and retries decide what reaches the classifier.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { classifyAwsError, resourceOf } from '../../lib/platform/aws-errors.js';
import { createClients } from '../../lib/platform/clients.js';
import { AwsPermanentError, AwsTransientError, ForeignRecordsError } from '../../lib/platform/errors.js';
import { answerWith, ec2Answer, route53Answer, withoutWaiting } from '../support/fake-answers.js';

beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
  vi.stubEnv('AWS_ENDPOINT_URL', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const clientsForTest = () => createClients({ region: 'us-east-1', route53Pacing: false });
const listRecords = new ListResourceRecordSetsCommand({ HostedZoneId: '/hostedzone/Z1EXAMPLE' });
const denied =
  'User: arn:aws:sts::123456789012:assumed-role/rlec-dns/fn is not authorized to perform: ' +
  'route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/Z1EXAMPLE';

/** The error a call ends with (the test fails if it succeeds). */
async function failureOf(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.unreachable('the call succeeded'),
    (error: unknown) => error,
  );
}

describe('errors that retrying cannot fix', () => {
  const route53Cases: [code: string, status: number][] = [
    ['AccessDenied', 403],
    ['NoSuchHostedZone', 404],
    ['InvalidInput', 400],
    ['ExpiredToken', 403],
    ['InvalidClientTokenId', 403],
    ['UnrecognizedClientException', 400],
    ['SignatureDoesNotMatch', 403],
    ['SomeNewClientError', 400],
  ];
  it.each(route53Cases)(
    'makes Route 53 %s (HTTP %i) permanent on the first answer, naming the call',
    async (code, status) => {
      // Prepare
      const { route53 } = clientsForTest();
      const seen = answerWith(route53, [route53Answer(code, status, `${code} happened`)]);

      // Act
      const error = await failureOf(route53.send(listRecords));

      // Assess
      expect(error).toBeInstanceOf(AwsPermanentError);
      expect(error).toMatchObject({
        service: 'route53',
        action: 'ListResourceRecordSets',
        resource: 'hostedzone/Z1EXAMPLE',
        code,
        message: `AWS refused route53:ListResourceRecordSets on hostedzone/Z1EXAMPLE: ${code}: ${code} happened`,
        cause: expect.objectContaining({ name: code }),
      });
      expect(seen.requests).toBe(1);
    },
  );

  it.each([
    ['UnauthorizedOperation', 403],
    ['AuthFailure', 401],
  ])('makes EC2 %s (HTTP %i) permanent', async (code, status) => {
    // Prepare
    const { ec2 } = clientsForTest();
    answerWith(ec2, [ec2Answer(code, status)]);

    // Act
    const error = await failureOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-1', 'i-2'] })));

    // Assess
    expect(error).toBeInstanceOf(AwsPermanentError);
    expect(error).toMatchObject({ service: 'ec2', action: 'DescribeInstances', resource: 'instances i-1, i-2', code });
  });

  it('names the zone and the records of a denied change, as the IAM message does not', async () => {
    // Prepare
    const { route53 } = clientsForTest();
    answerWith(route53, [route53Answer('AccessDenied', 403, denied)]);
    const changes = ['c1.example.com.', 'ns1.c1.example.com.', 'ns2.c1.example.com.', 'ns3.c1.example.com.'].map(
      (Name) => ({
        Action: 'CREATE' as const,
        ResourceRecordSet: { Name, Type: 'A' as const, TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] },
      }),
    );

    // Act
    const error = await failureOf(
      route53.send(
        new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1EXAMPLE', ChangeBatch: { Changes: changes } }),
      ),
    );

    // Assess
    expect(error).toMatchObject({
      action: 'ChangeResourceRecordSets',
      resource: 'hostedzone/Z1EXAMPLE, records c1.example.com., ns1.c1.example.com., ns2.c1.example.com. and 1 more',
      code: 'AccessDenied',
    });
    expect((error as Error).message).toContain(denied);
  });
});

describe('errors that retrying may fix', () => {
  it.each([
    ['Throttling', 400],
    ['PriorRequestNotComplete', 400],
    ['ConcurrentModification', 400],
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
    ['SomeNewServerError', 501],
  ])('makes Route 53 %s (HTTP %i) transient once the SDK gives up on it', async (code, status) => {
    // Prepare
    const { route53 } = createClients({ region: 'us-east-1', route53Pacing: false, maxAttempts: 2 });
    answerWith(route53, [route53Answer(code, status)]);
    await withoutWaiting(route53);

    // Act
    const error = await failureOf(route53.send(new ListHostedZonesCommand({})));

    // Assess
    expect(error).toBeInstanceOf(AwsTransientError);
    expect(error).toMatchObject({ service: 'route53', action: 'ListHostedZones', resource: undefined, code });
  });

  it('makes a connection reset transient, with the network code', async () => {
    // Prepare
    const { ec2 } = createClients({ region: 'us-east-1', maxAttempts: 1 });
    answerWith(ec2, [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })]);

    // Act
    const error = await failureOf(ec2.send(new DescribeInstancesCommand({})));

    // Assess
    expect(error).toBeInstanceOf(AwsTransientError);
    expect(error).toMatchObject({
      code: 'ECONNRESET',
      message: 'ec2:DescribeInstances failed: ECONNRESET: socket hang up',
    });
  });
});

describe('errors left as they are', () => {
  it('leaves InvalidChangeBatch to the provider, which tells a lost race from a rejection', async () => {
    // Prepare
    const { route53 } = clientsForTest();
    answerWith(route53, [
      route53Answer('InvalidChangeBatch', 400, '[Tried to create resource record set but it already exists]'),
    ]);
    const changes = [
      {
        Action: 'CREATE' as const,
        ResourceRecordSet: {
          Name: 'a.example.com.',
          Type: 'A' as const,
          TTL: 60,
          ResourceRecords: [{ Value: '10.0.0.1' }],
        },
      },
    ];

    // Act
    const error = await failureOf(
      route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1', ChangeBatch: { Changes: changes } })),
    );

    // Assess
    expect(error).not.toBeInstanceOf(AwsPermanentError);
    expect(error).toMatchObject({ name: 'InvalidChangeBatch', $fault: 'client' });
  });

  it('leaves our own errors, and errors that are not answers from AWS, unchanged', () => {
    // Prepare
    const call = { service: 'route53', action: 'ListHostedZones' };
    const ours = new ForeignRecordsError('c1.example.com', [
      { name: 'c1.example.com.', type: 'A', ttl: 60, values: ['192.0.2.1'] },
    ]);
    const bug = new TypeError('x is undefined');

    // Act, Assess
    expect(classifyAwsError(ours, call)).toBe(ours);
    expect(classifyAwsError(bug, call)).toBe(bug);
    expect(classifyAwsError('a string', call)).toBe('a string');
  });
});

describe('resourceOf', () => {
  it('names the instances of an instance-id filter, and nothing for a call about no resource', () => {
    // Act, Assess
    expect(resourceOf({ Filters: [{ Name: 'instance-id', Values: ['i-1'] }] })).toBe('instances i-1');
    expect(resourceOf({ Filters: [{ Name: 'tag-key', Values: ['rlec:cluster'] }] })).toBeUndefined();
    expect(resourceOf(undefined)).toBeUndefined();
  });
});
