/**
 * A small AWS world on the emulator, for the tests, the demo and the benchmark: the emulator, plain SDK clients,
 * hosted zones, tagged instances, and the EventBridge events EC2 and the tagging service send for them. Telemetry is
 * captured, so tests can assert on log lines and metrics.
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
import type { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import type { ReconcilerDeps } from '../../lib/controller/deps.js';
import { classifyErrors } from '../../lib/platform/aws-errors.js';
import { type Config, loadConfig } from '../../lib/platform/config.js';
import { createDeps } from '../../lib/platform/factory.js';
import { clients, type Emulator, type EmulatorOptions, startEmulator, TEST_REGION } from '../emulator/emulator.js';
import { DEPLOYMENT_ENV } from './deployment.js';
import {
  associateVpc,
  createDualStackSubnet,
  createOutboundEndpoint,
  createPrivateZone,
  createVpc,
  type OutboundEndpoint,
  zoneVpcIds,
} from './resolver-helpers.js';
import { createZone, records } from './route53-helpers.js';
import { CapturedTelemetry } from './telemetry.js';

export const CLUSTER_TAG = 'rlec:cluster';
const IMAGE_ID = 'ami-03cf127a';

export interface LaunchOptions {
  readonly cluster?: string;
  readonly privateIp?: string;
  readonly tags?: Record<string, string>;
  /** Launch in this Region's EC2 (another deployment's) instead of the world's own (us-east-1). */
  readonly region?: string;
  /** Launch in this subnet (e.g. {@link World.dualStackSubnet}'s) instead of the default one. */
  readonly subnetId?: string;
  /** Give each instance one IPv6 address (its subnet must have an IPv6 block). */
  readonly ipv6?: boolean;
}

/** An instance as launched. */
export interface Launched {
  readonly id: string;
  readonly privateIp: string;
}

export class World {
  readonly route53: Route53Client;
  readonly ec2: EC2Client;
  readonly resolver: Route53ResolverClient;
  readonly telemetry = new CapturedTelemetry();
  #eventCount = 0;
  readonly #regional = new Map<string, EC2Client>();

  private constructor(readonly emulator: Emulator) {
    ({ route53: this.route53, ec2: this.ec2, resolver: this.resolver } = clients(emulator.endpoint));
    // As lib/platform/clients.ts builds them: every error a call ends with is classified, permanent or transient.
    classifyErrors(this.route53, 'route53');
    classifyErrors(this.ec2, 'ec2');
  }

  #classifiedResolver: Route53ResolverClient | undefined;

  /**
   * The Resolver client the loop's dependencies get: classified as lib/platform/clients.ts classifies, unlike
   * {@link resolver}, which the emulator tests use to see the service's own errors.
   */
  #loopResolver(): Route53ResolverClient {
    if (this.#classifiedResolver === undefined) {
      this.#classifiedResolver = clients(this.emulator.endpoint).resolver;
      classifyErrors(this.#classifiedResolver, 'route53resolver');
    }
    return this.#classifiedResolver;
  }

  /** Starts a world on a fresh emulator; `options` turn on Route 53's rate limits from the start, for instance. */
  static async start(options: EmulatorOptions = {}): Promise<World> {
    return new World(await startEmulator(options));
  }

  async stop(): Promise<void> {
    for (const client of this.#regional.values()) client.destroy();
    this.#classifiedResolver?.destroy();
    await this.emulator.stop();
  }

  /** An EC2 client for another Region of the emulator: EC2 is regional, Route 53 is not. */
  ec2In(region: string | undefined): EC2Client {
    if (region === undefined) return this.ec2;
    let client = this.#regional.get(region);
    if (client === undefined) {
      client = clients(this.emulator.endpoint, { region }).ec2;
      classifyErrors(client, 'ec2');
      this.#regional.set(region, client);
    }
    return client;
  }

  /** Empties the emulator, its counters and interceptor, and the captured telemetry. */
  async reset(): Promise<void> {
    await this.emulator.reset();
    this.telemetry.clear();
  }

  /**
   * The loop's dependencies for a test: this world's clients and captured telemetry, owner `rlec-dns-test` unless
   * `env` says otherwise, no zone cache and no waiting between retries; `over` replaces any of them.
   */
  deps(env: Record<string, string> = {}, over: Partial<ReconcilerDeps> = {}): ReconcilerDeps {
    const config: Config = loadConfig({ ...DEPLOYMENT_ENV, OWNER_ID: 'rlec-dns-test', ...env });
    const { close: _close, ...deps } = createDeps(config, {
      use: { route53: this.route53, ec2: this.ec2, resolver: this.#loopResolver() },
      telemetry: { log: this.telemetry.log, metrics: this.telemetry.sink },
      zoneCacheSeconds: 0,
      extra: { sleep: async () => {} },
    });
    return { ...deps, ...over };
  }

  /** Creates a public hosted zone; returns its id without the `/hostedzone/` prefix. */
  async zone(name = 'example.com'): Promise<string> {
    return (await createZone(this.route53, name)).replace('/hostedzone/', '');
  }

  /** Creates a VPC; returns its id. */
  async vpc(): Promise<string> {
    return (await createVpc(this.ec2)).vpcId;
  }

  /** Creates a dual-stack subnet (in a VPC of its own) for instances with IPv6 addresses; returns its ids. */
  dualStackSubnet(): Promise<{ vpcId: string; subnetId: string; cidr: string }> {
    return createDualStackSubnet(this.ec2);
  }

  /** Creates an OUTBOUND Resolver endpoint in a new VPC (two subnets, a security group): what a rule needs. */
  outboundEndpoint(): Promise<OutboundEndpoint> {
    return createOutboundEndpoint(this.ec2, this.resolver, TEST_REGION);
  }

  /** Creates a private hosted zone answering `vpcId`; returns its id without the `/hostedzone/` prefix. */
  async privateZone(name: string, vpcId: string): Promise<string> {
    return (await createPrivateZone(this.route53, name, vpcId, TEST_REGION)).replace('/hostedzone/', '');
  }

  /** Adds a VPC to a private zone (as a user does after the cluster is published). */
  associateVpc(zoneId: string, vpcId: string): Promise<void> {
    return associateVpc(this.route53, zoneId, vpcId, TEST_REGION);
  }

  /** The VPCs a private zone answers. */
  zoneVpcs(zoneId: string): Promise<string[]> {
    return zoneVpcIds(this.route53, zoneId);
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

  /** Launches one instance (tagged with its cluster, if any); returns its id. */
  async launch(options: LaunchOptions = {}): Promise<string> {
    const [instance] = await this.launchMany(1, options);
    if (instance === undefined) throw new Error('RunInstances returned no instance');
    return instance.id;
  }

  /** Launches `count` instances in one call, alike but for their addresses (`privateIp` only with a count of 1). */
  async launchMany(count: number, options: LaunchOptions = {}): Promise<Launched[]> {
    const tags: Tag[] = Object.entries({
      ...(options.cluster === undefined ? {} : { [CLUSTER_TAG]: options.cluster }),
      ...options.tags,
    }).map(([Key, Value]) => ({ Key, Value }));
    const out = await this.ec2In(options.region).send(
      new RunInstancesCommand({
        ImageId: IMAGE_ID,
        MinCount: count,
        MaxCount: count,
        ...(options.privateIp === undefined ? {} : { PrivateIpAddress: options.privateIp }),
        ...(options.subnetId === undefined ? {} : { SubnetId: options.subnetId }),
        ...(options.ipv6 === true ? { Ipv6AddressCount: 1 } : {}),
        ...(tags.length === 0 ? {} : { TagSpecifications: [{ ResourceType: 'instance', Tags: tags }] }),
      }),
    );
    return (out.Instances ?? []).map((instance) => {
      if (instance.InstanceId === undefined || instance.PrivateIpAddress === undefined) {
        throw new Error('RunInstances returned an instance without an id or address');
      }
      return { id: instance.InstanceId, privateIp: instance.PrivateIpAddress };
    });
  }

  async terminate(...ids: string[]): Promise<void> {
    await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  }

  /** Terminates instances of another Region's EC2. */
  async terminateIn(region: string, ...ids: string[]): Promise<void> {
    await this.ec2In(region).send(new TerminateInstancesCommand({ InstanceIds: ids }));
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
