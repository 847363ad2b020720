/**
 * The real Lambda handler modules against the emulator: configuration read from the environment at import, default
 * clients pointed at the emulator through AWS_ENDPOINT_URL, and the sample events of tests/events/.
 */
import { readFileSync } from 'node:fs';
import type { EventBridgeEvent, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { handler as StateChangeHandler } from '../../handlers/ec2-state-change.js';
import type { handler as ReconcileHandler } from '../../handlers/reconcile.js';
import { processEvents } from '../../lib/controller/process-events.js';
import { TransientError } from '../../lib/platform/errors.js';
import { createRuntime } from '../../lib/platform/runtime.js';
import { emulatorEnv } from '../../tools/emulator/emulator.js';
import { route53Error } from '../../tools/emulator/route53-errors.js';
import { lambdaContext } from '../../tools/world/lambda-context.js';
import { change, changeBatch } from '../../tools/world/route53-helpers.js';
import { World } from '../../tools/world/world.js';
import { quietPowertools } from '../handlers/support.js';
import { delegation } from '../support/delegation.js';

const OWNER = 'rlec-dns-test';
const C1 = 'c1.example.com';
const C2 = 'c2.example.com';
const C3 = 'c3.example.com';
const nodeIp = '10.0.0.11';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8')) as T;

type AnyEventBridgeEvent = EventBridgeEvent<string, unknown>;

/** The samples name instances the emulator has never seen (`i-0a1b2c3d4e5f60718`, `i-0f9e8d7c6b5a40312`). */
const runningSample = fixture<AnyEventBridgeEvent>('ec2-state-change-running.json');
const terminatedSample = fixture<AnyEventBridgeEvent>('ec2-state-change-terminated.json');
const sqsSample = fixture<SQSEvent>('sqs-batch.json');
const scheduledSample = fixture<ScheduledEvent>('scheduled.json');
const taggedSample = fixture<AnyEventBridgeEvent>('tag-change-joined.json');
const untaggedSample = fixture<AnyEventBridgeEvent>('tag-change-left.json');
const sampleInstance = 'i-0a1b2c3d4e5f60718';
const untaggedSampleInstance = 'i-0f9e8d7c6b5a40312';
const sampleCluster = 'mycluster.example.com';

/** The changes that publish the sample cluster with one member, as this deployment would have. */
const publishedAlone = (instanceId: string) => [
  change('CREATE', sampleCluster, 'NS', 60, [`ns1.${sampleCluster}.`]),
  change('CREATE', `_rlec-dns.${sampleCluster}`, 'TXT', 60, [
    `"heritage=rlec-dns,owner=${OWNER},account=123456789012,region=us-east-1"`,
    `"ns1=${instanceId}"`,
  ]),
  change('CREATE', `ns1.${sampleCluster}`, 'A', 60, ['10.0.1.17']),
];

const stateChangeContext = lambdaContext('rlec-dns-test-stateChange');
const reconcileContext = lambdaContext('rlec-dns-test-reconcile');

let world: World;
let zoneId: string;
let stateChange: typeof StateChangeHandler;
let reconcile: typeof ReconcileHandler;
let stateModule: typeof import('../../handlers/ec2-state-change.js');
let sweepModule: typeof import('../../handlers/reconcile.js');

beforeAll(async () => {
  world = await World.start();
  const env = {
    ...emulatorEnv(world.emulator.endpoint),
    OWNER_ID: OWNER,
    ACCOUNT_ID: '123456789012',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  for (const name of ['HOSTED_ZONE_IDS', 'CLUSTER_TAG_KEY', 'ADDRESS_TYPE', 'ADDRESS_TYPE_TAG_KEY', 'RECORD_TTL']) {
    vi.stubEnv(name, undefined);
  }
  quietPowertools();
  // Imported only now: a handler module builds its runtime (config, clients) from the environment at import.
  stateModule = await import('../../handlers/ec2-state-change.js');
  sweepModule = await import('../../handlers/reconcile.js');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await world.stop();
});
beforeEach(async () => {
  await world.reset();
  zoneId = await world.zone('example.com');
  // A fresh container: its zone cache must not keep the zones of the previous test's emulator state.
  stateChange = stateModule.createHandler(createRuntime(process.env));
  reconcile = sweepModule.createHandler(createRuntime(process.env));
});

/** The world builds events as plain records; the handler takes them typed as aws-lambda declares them. */
const asEventBridge = (event: Record<string, unknown>) => event as unknown as AnyEventBridgeEvent;

const current = async () => (await world.records(zoneId)).sort();

describe('the state-change handler', () => {
  it('publishes the instance of a raw EventBridge event', async () => {
    // Prepare
    const node = await world.launch({ cluster: C1, privateIp: nodeIp });

    // Act
    const result = await stateChange(asEventBridge(world.stateEvent(node, 'running')), stateChangeContext);

    // Assess
    expect(result).toBeUndefined();
    expect(await current()).toEqual(delegation(C1, [[1, node, nodeIp]]));
  });

  it('publishes from an SQS batch and drops a malformed message without failing the batch', async () => {
    // Prepare
    const node = await world.launch({ cluster: C1, privateIp: nodeIp });
    const batch = world.sqsBatch([world.stateEvent(node, 'running')]);
    const malformedMessage = { ...batch.Records[0], messageId: 'malformed-1', body: '{"source": "aws.ec2", "det' };
    const event = { Records: [...batch.Records, malformedMessage] } as unknown as SQSEvent;

    // Act
    const result = await stateChange(event, stateChangeContext);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await current()).toEqual(delegation(C1, [[1, node, nodeIp]]));
  });
});

describe('the metrics a real invocation flushes', () => {
  /** The EMF documents the invocation printed (Powertools prints each as one JSON line). */
  function emfLines(log: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
    return log.mock.calls
      .map((call) => String(call[0]))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it("prints the namespace, the service dimension and the loop's counts in CloudWatch's embedded metric format", async () => {
    // Prepare: metrics on, as in Lambda; the handler built by its factory over one runtime, as at cold start
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const handler = stateModule.createHandler(createRuntime(process.env));
    const node = await world.launch({ cluster: C1, privateIp: nodeIp });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);

    // Act
    let printed: Record<string, unknown>[];
    try {
      await handler(asEventBridge(world.stateEvent(node, 'running')), stateChangeContext);
    } finally {
      printed = emfLines(log);
      log.mockRestore();
      vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    }

    // Assess
    const [emf, ...more] = printed;
    expect(more).toEqual([]);
    expect(emf?._aws).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: 'RlecDns',
          Dimensions: [['service']],
          Metrics: expect.arrayContaining([
            { Name: 'RecordsChanged', Unit: 'Count' },
            { Name: 'ChangeBatches', Unit: 'Count' },
          ]),
        },
      ],
    });
    expect(emf).toMatchObject({ service: 'rlec-dns', RecordsChanged: 3, ChangeBatches: 1 });
  });
});

describe('the reconcile handler', () => {
  it('returns the clusters it changed, found unchanged and refused', async () => {
    // Prepare: c1 missed its events, c2 is already right, c3's name holds someone else's NS record
    const nodeC1 = await world.launch({ cluster: C1, privateIp: '10.0.1.11' });
    const nodeC2 = await world.launch({ cluster: C2, privateIp: '10.0.2.11' });
    await processEvents(world.deps(), [{ id: 'c2', body: world.stateEvent(nodeC2, 'running') }]);
    await changeBatch(world.route53, zoneId, [change('CREATE', C3, 'NS', 300, ['ns-7.awsdns-07.com.'])]);
    await world.launch({ cluster: C3, privateIp: '10.0.3.11' });

    // Act
    const summary = await reconcile(scheduledSample, reconcileContext);

    // Assess
    expect(summary).toEqual({ changed: [C1], unchanged: [C2], refused: [C3], deferred: [] });
    expect(await world.clusterRecords(zoneId, C1)).toEqual(delegation(C1, [[1, nodeC1, '10.0.1.11']]));
    expect(await world.clusterRecords(zoneId, C3)).toEqual([`${C3}. NS 300 ns-7.awsdns-07.com.`]);
  });

  it('finishes without throwing when AWS denies one cluster’s change, and reports that cluster refused', async () => {
    // Prepare: c3 lies outside the role's recordNames patterns, so Route 53 denies every change of its records
    const nodeC1 = await world.launch({ cluster: C1, privateIp: '10.0.1.11' });
    await world.launch({ cluster: C3, privateIp: '10.0.3.11' });
    world.emulator.proxy.beforeForward = ({ action, body }) =>
      action === 'ChangeResourceRecordSets' && body.includes(`${C3}.`)
        ? route53Error('AccessDenied', `User is not authorized to perform: route53:ChangeResourceRecordSets`, 403)
        : undefined;

    // Act
    const summary = await reconcile(scheduledSample, reconcileContext);

    // Assess
    expect(summary).toEqual({ changed: [C1], unchanged: [], refused: [C3], deferred: [] });
    expect(await world.clusterRecords(zoneId, C1)).toEqual(delegation(C1, [[1, nodeC1, '10.0.1.11']]));
    expect(await world.clusterRecords(zoneId, C3)).toEqual([]);
  });

  it('finishes without throwing when it has no time left, and reports the clusters deferred', async () => {
    // Prepare
    await world.launch({ cluster: C1, privateIp: '10.0.1.11' });
    const shortOfTime = { ...reconcileContext, getRemainingTimeInMillis: () => 5_000 };

    // Act
    const summary = await reconcile(scheduledSample, shortOfTime);

    // Assess
    expect(summary).toEqual({ changed: [], unchanged: [], refused: [], deferred: [C1] });
    expect(await world.clusterRecords(zoneId, C1)).toEqual([]);
  });
});

describe('the sample events, for instances EC2 does not show', () => {
  it('retries a running event from EventBridge: EC2 not showing the instance yet is transient', async () => {
    // Act & Assess
    await expect(stateChange(runningSample, stateChangeContext)).rejects.toThrow(TransientError);
    expect(await current()).toEqual([]);
  });

  it('retries a tag-change event from EventBridge that tags an instance EC2 does not show yet', async () => {
    // Act & Assess
    await expect(stateChange(taggedSample, stateChangeContext)).rejects.toThrow(TransientError);
    expect(await current()).toEqual([]);
  });

  it('returns both messages of the SQS sample (running, then tagged) as batch item failures', async () => {
    // Prepare
    const messageIds = sqsSample.Records.map((r) => r.messageId);

    // Act
    const result = await stateChange(sqsSample, stateChangeContext);

    // Assess
    expect(messageIds).toHaveLength(2);
    expect(result).toEqual({ batchItemFailures: messageIds.map((itemIdentifier) => ({ itemIdentifier })) });
    expect(await current()).toEqual([]);
  });

  it('accepts a terminated event, and removes the instance from the cluster its ownership record lists', async () => {
    // Prepare: records this deployment made for the sample instance, which EC2 has since forgotten
    await changeBatch(world.route53, zoneId, publishedAlone(sampleInstance));

    // Act
    const result = await stateChange(terminatedSample, stateChangeContext);

    // Assess
    expect(result).toBeUndefined();
    expect(await current()).toEqual([]);
  });

  it('accepts an untagging event, and removes the instance from the cluster its ownership record lists', async () => {
    // Prepare
    await changeBatch(world.route53, zoneId, publishedAlone(untaggedSampleInstance));

    // Act
    const result = await stateChange(untaggedSample, stateChangeContext);

    // Assess
    expect(result).toBeUndefined();
    expect(await current()).toEqual([]);
  });

  it('accepts a terminated event for an instance nobody published, and writes nothing', async () => {
    // Prepare
    world.emulator.proxy.resetCounts();

    // Act
    const result = await stateChange(terminatedSample, stateChangeContext);

    // Assess
    expect(result).toBeUndefined();
    expect(world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
  });
});
