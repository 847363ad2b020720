/**
 * A small world for integration tests and the demo: the emulator, the real SDK clients, hosted zones, tagged
 * instances, and the EventBridge events EC2 would send for them. Telemetry is captured, so tests can assert on
 * log lines and metrics.
 */
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  type EC2Client,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type Tag,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { classifyErrors } from '../../lib/aws-errors.js';
import { type Config, loadConfig } from '../../lib/config.js';
import type { ReconcilerDeps } from '../../lib/reconciler.js';
import type { Log, MetricSink } from '../../lib/telemetry.js';
import { ZoneDirectory } from '../../lib/zones.js';
import { createZone, records } from './route53-helpers.js';
import { clients, type Emulator, startEmulator } from './route53-rules.js';

export const CLUSTER_TAG = 'rlec:cluster';
const IMAGE_ID = 'ami-03cf127a';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

/** Captures what the loop logs and counts. */
export class CapturedTelemetry {
  readonly lines: LogLine[] = [];
  readonly metrics: { name: string; value: number }[] = [];

  readonly log: Log = {
    debug: (message: unknown, ...rest: unknown[]) => this.#push('debug', message, rest),
    info: (message: unknown, ...rest: unknown[]) => this.#push('info', message, rest),
    warn: (message: unknown, ...rest: unknown[]) => this.#push('warn', message, rest),
    error: (message: unknown, ...rest: unknown[]) => this.#push('error', message, rest),
  } as Log;

  readonly sink: MetricSink = {
    addMetric: (name: string, _unit: unknown, value: number) => {
      this.metrics.push({ name, value });
    },
  } as MetricSink;

  #push(level: LogLine['level'], message: unknown, rest: unknown[]): void {
    const attributes = Object.assign({}, ...rest.filter((r) => typeof r === 'object' && r !== null));
    this.lines.push({ level, message: String(message), attributes });
  }

  /** Sum of a metric's values. */
  count(name: string): number {
    return this.metrics.filter((m) => m.name === name).reduce((sum, m) => sum + m.value, 0);
  }

  /** Log messages of a level, for readable assertions. */
  messages(level: LogLine['level']): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }

  clear(): void {
    this.lines.length = 0;
    this.metrics.length = 0;
  }
}

/** A published member as tests state it: [slot, instance id, address]. */
export type SlotEntry = readonly [slot: number, instanceId: string, address: string];

/**
 * The sorted {@link World.records} lines a cluster with these members should have: NS, ownership TXT, one glue A per
 * member (TTL 60). None for no members.
 */
export function delegation(cluster: string, members: readonly SlotEntry[], owner = 'rlec-dns-test'): string[] {
  if (members.length === 0) return [];
  const bySlot = [...members].sort((x, y) => x[0] - y[0]);
  const ns = bySlot.map(([n]) => `ns${n}.${cluster}.`).sort();
  const txt = [`"heritage=rlec-dns,owner=${owner}"`, ...bySlot.map(([n, id]) => `"ns${n}=${id}"`)].sort();
  return [
    `${cluster}. NS 60 ${ns.join(' ')}`,
    `_rlec-dns.${cluster}. TXT 60 ${txt.join(' ')}`,
    ...bySlot.map(([n, , ip]) => `ns${n}.${cluster}. A 60 ${ip}`),
  ].sort();
}

export interface LaunchOptions {
  readonly cluster?: string;
  readonly privateIp?: string;
  readonly tags?: Record<string, string>;
}

export class World {
  readonly route53: Route53Client;
  readonly ec2: EC2Client;
  readonly telemetry = new CapturedTelemetry();
  #eventCount = 0;

  private constructor(readonly emulator: Emulator) {
    ({ route53: this.route53, ec2: this.ec2 } = clients(emulator.endpoint));
    // As lib/clients.ts builds them: every error a call ends with is classified, permanent or transient.
    classifyErrors(this.route53, 'route53');
    classifyErrors(this.ec2, 'ec2');
  }

  static async start(): Promise<World> {
    return new World(await startEmulator());
  }

  async stop(): Promise<void> {
    await this.emulator.stop();
  }

  /** Empties the emulator, its counters and interceptor, and the captured telemetry. */
  async reset(): Promise<void> {
    await this.emulator.reset();
    this.telemetry.clear();
  }

  /** The loop's dependencies, as a handler builds them, with this world's clients and captured telemetry. */
  deps(env: Record<string, string> = {}, over: Partial<ReconcilerDeps> = {}): ReconcilerDeps {
    const config: Config = loadConfig({ OWNER_ID: 'rlec-dns-test', ...env });
    const zones = new ZoneDirectory({ route53: this.route53, allowedZoneIds: config.hostedZoneIds, cacheSeconds: 0 });
    const telemetry = { log: this.telemetry.log, metrics: this.telemetry.sink };
    return { route53: this.route53, ec2: this.ec2, config, zones, telemetry, sleep: async () => {}, ...over };
  }

  /** Creates a public hosted zone; returns its id without the `/hostedzone/` prefix. */
  async zone(name = 'example.com'): Promise<string> {
    return (await createZone(this.route53, name)).replace('/hostedzone/', '');
  }

  /** The zone's records other than its apex NS and SOA, as `name type ttl values…` lines. */
  records(zoneId: string): Promise<string[]> {
    return records(this.route53, zoneId);
  }

  /** The {@link records} lines at or below a cluster's name, sorted. */
  async clusterRecords(zoneId: string, cluster: string): Promise<string[]> {
    const within = (line: string) => {
      const name = line.slice(0, line.indexOf(' '));
      return name === `${cluster}.` || name.endsWith(`.${cluster}.`);
    };
    return (await this.records(zoneId)).filter(within).sort();
  }

  async launch(options: LaunchOptions = {}): Promise<string> {
    const tags: Tag[] = Object.entries({
      ...(options.cluster === undefined ? {} : { [CLUSTER_TAG]: options.cluster }),
      ...options.tags,
    }).map(([Key, Value]) => ({ Key, Value }));
    const out = await this.ec2.send(
      new RunInstancesCommand({
        ImageId: IMAGE_ID,
        MinCount: 1,
        MaxCount: 1,
        ...(options.privateIp === undefined ? {} : { PrivateIpAddress: options.privateIp }),
        ...(tags.length === 0 ? {} : { TagSpecifications: [{ ResourceType: 'instance', Tags: tags }] }),
      }),
    );
    const id = out.Instances?.[0]?.InstanceId;
    if (id === undefined) throw new Error('RunInstances returned no instance');
    return id;
  }

  async terminate(id: string): Promise<void> {
    await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  }

  async stopInstance(id: string): Promise<void> {
    await this.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
  }

  async startInstance(id: string): Promise<void> {
    await this.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
  }

  async tag(id: string, key: string, value: string): Promise<void> {
    await this.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: key, Value: value }] }));
  }

  async untag(id: string, key: string): Promise<void> {
    await this.ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: key }] }));
  }

  /** The EventBridge event EC2 sends when an instance changes state. */
  stateEvent(instanceId: string, state: string): Record<string, unknown> {
    return {
      ...this.#envelope(instanceId),
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      detail: { 'instance-id': instanceId, state },
    };
  }

  /** The EventBridge event the tagging service sends; `tags` are the instance's tags after the change. */
  tagEvent(instanceId: string, changedKeys: string[], tags: Record<string, string>): Record<string, unknown> {
    return {
      ...this.#envelope(instanceId),
      'detail-type': 'Tag Change on Resource',
      source: 'aws.tag',
      detail: { 'changed-tag-keys': changedKeys, service: 'ec2', 'resource-type': 'instance', version: 1, tags },
    };
  }

  /** Wraps events as an SQS batch, as a queue between EventBridge and the function delivers them. */
  sqsBatch(events: readonly Record<string, unknown>[]): { Records: Record<string, unknown>[] } {
    return {
      Records: events.map((event, i) => ({
        messageId: `msg-${i}-${String(event.id)}`,
        receiptHandle: `handle-${i}`,
        body: JSON.stringify(event),
        attributes: { ApproximateReceiveCount: '1' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:rlec-dns-test-events',
        awsRegion: 'us-east-1',
      })),
    };
  }

  #envelope(instanceId: string) {
    this.#eventCount += 1;
    return {
      version: '0',
      id: `00000000-0000-4000-8000-${String(this.#eventCount).padStart(12, '0')}`,
      account: '123456789012',
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'us-east-1',
      resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
    };
  }
}
