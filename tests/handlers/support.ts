/**
 * Shared fixtures for the handler tests: the environment a handler module reads at import, and fakes of the two AWS
 * reads the loop makes (DescribeInstances with filters, ListResourceRecordSets in Route 53's order), so that each
 * test states only the instances and records it is about. The Lambda context is tools/world/lambda-context.ts.
 */
import {
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { createRuntime, type Runtime } from '../../lib/platform/runtime.js';
import { lambdaContext } from '../../tools/world/lambda-context.js';

/**
 * What the handler modules read when they are imported (config at cold start) and what keeps Powertools quiet.
 * Set with vi.stubEnv before the dynamic import; undone with vi.unstubAllEnvs.
 */
export function stubHandlerEnv(): void {
  const env = {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // Dev mode makes Powertools write through the global console, which quietPowertools() can then filter.
    POWERTOOLS_DEV: 'true',
    CLUSTER_TAG_KEY: 'rlec:cluster',
    ADDRESS_TYPE: 'private',
    RECORD_TTL: '60',
    OWNER_ID: 'rlec-dns',
    ACCOUNT_ID: '123456789012',
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  for (const name of ['HOSTED_ZONE_IDS', 'ADDRESS_TYPE_TAG_KEY', 'ZONE_CACHE_SECONDS', 'AWS_ENDPOINT_URL']) {
    vi.stubEnv(name, undefined);
  }
}

/**
 * Swallows the warning Powertools' Metrics prints after every invocation that stored no metric (metrics are disabled
 * in tests), and lets every other warning through. Undone with vi.restoreAllMocks.
 */
export function quietPowertools(): void {
  const warn = console.warn.bind(console);
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('No application metrics to publish')) return;
    warn(...args);
  });
}

/** An EC2 instance as the fake DescribeInstances knows it. */
export interface FakeInstance {
  readonly id: string;
  readonly state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  readonly tags: Readonly<Record<string, string>>;
  readonly privateIp?: string;
}

/**
 * A DescribeInstances that honours the filters the code uses (instance-id, tag-key, instance-state-name), in one
 * page. For `ec2.on(DescribeInstancesCommand).callsFake(describeInstances([...]))`.
 */
export const describeInstances =
  (instances: readonly FakeInstance[]) =>
  (input: DescribeInstancesCommandInput): DescribeInstancesCommandOutput => {
    const filters = input.Filters ?? [];
    const allows = (name: string, values: readonly string[]): boolean => {
      const filter = filters.find((f) => f.Name === name);
      return filter === undefined || values.some((v) => filter.Values?.includes(v));
    };
    const matching = instances.filter(
      (i) =>
        allows('instance-id', [i.id]) &&
        allows('tag-key', Object.keys(i.tags)) &&
        allows('instance-state-name', [i.state]),
    );
    return {
      $metadata: {},
      Reservations: [
        {
          Instances: matching.map((i) => ({
            InstanceId: i.id,
            State: { Name: i.state },
            Tags: Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value })),
            ...(i.privateIp === undefined ? {} : { PrivateIpAddress: i.privateIp }),
          })),
        },
      ],
    };
  };

/** Route 53's listing order: the name with its labels reversed and its trailing dot kept (`com.example.c1.`). */
const sortKey = (name: string): string => `${name.slice(0, -1).split('.').reverse().join('.')}.`;

/**
 * A ListResourceRecordSets over one zone's record sets: sorted as Route 53 sorts them, starting at StartRecordName,
 * in one page. For `route53.on(ListResourceRecordSetsCommand, { HostedZoneId }).callsFake(listRecordSets([...]))`.
 */
export const listRecordSets =
  (records: readonly ResourceRecordSet[]) =>
  (input: ListResourceRecordSetsCommandInput): ListResourceRecordSetsCommandOutput => {
    const keyed = records.map((record) => ({ record, key: sortKey(record.Name ?? '') }));
    const sorted = keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const start = input.StartRecordName === undefined ? '' : sortKey(input.StartRecordName);
    return {
      $metadata: {},
      ResourceRecordSets: sorted.filter((r) => r.key >= start).map((r) => r.record),
      IsTruncated: false,
      MaxItems: 300,
    };
  };

/** A record set in the SDK's shape. */
export const recordSet = (
  Name: string,
  Type: ResourceRecordSet['Type'],
  values: readonly string[],
  TTL = 60,
): ResourceRecordSet => ({
  Name,
  Type,
  TTL,
  ResourceRecords: values.map((Value) => ({ Value })),
});

/** An error shaped as the SDK raises Route 53's account-wide rate limit (after its own retries). */
export const throttlingError = (): Error =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'Throttling',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

/**
 * Registers the hooks a handler test file needs and returns what its tests use: mocks of the Route 53 and EC2
 * clients, reset before each test along with the runtime (so no zone cache carries over); a Lambda context for
 * `functionName`; and the handler, imported by `load` before the first test, once {@link stubHandlerEnv} and
 * {@link quietPowertools} have run (both undone after the last). The returned `handler` forwards to the imported one,
 * so it can be destructured at module level. Hooks the caller registers afterwards run after these.
 */
export function useHandler<H extends (...args: never[]) => unknown>(
  functionName: string,
  load: () => Promise<{ readonly createHandler: (rt: Runtime) => H }>,
) {
  const route53 = mockClient(Route53Client);
  const ec2 = mockClient(EC2Client);
  let loaded: H | undefined;
  let factory: ((rt: Runtime) => H) | undefined;
  let built: Runtime | undefined;
  beforeAll(async () => {
    stubHandlerEnv();
    quietPowertools();
    ({ createHandler: factory } = await load());
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });
  beforeEach(() => {
    route53.reset();
    ec2.reset();
    // A fresh container per test, as the handler module builds one at cold start: no zone cache carries over.
    built = createRuntime(process.env);
    loaded = factory?.(built);
  });
  const handler = ((...args: Parameters<H>) => {
    if (loaded === undefined) throw new Error('useHandler: the handler is imported in beforeAll');
    return loaded(...args);
  }) as H;
  /** The runtime the test's handler was built over: its metrics are the ones the handler flushes. */
  const runtime = (): Runtime => {
    if (built === undefined) throw new Error('useHandler: the runtime is built in beforeEach');
    return built;
  };
  return { route53, ec2, context: lambdaContext(functionName, 'eu-west-1'), handler, runtime };
}
