/**
 * The benchmark's world on the emulator: hosted zones with unrelated records, clusters of tagged instances, unrelated
 * instances, the EventBridge events EC2 sends for them, and the check that Route 53 ends exactly as expected.
 * Setup and checks use plain SDK clients (no pacing), and happen outside the measured runs.
 */
import {
  type EC2Client,
  type Instance,
  RunInstancesCommand,
  type Tag,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { ChangeResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { planCluster } from '../lib/plan.js';
import type { Member } from '../lib/records.js';
import { readCluster } from '../lib/registry.js';
import { createZone, records } from '../tools/world/route53-helpers.js';

export const CLUSTER_TAG = 'rlec:cluster';
export const OWNER_ID = 'rlec-dns-bench';
const IMAGE_ID = 'ami-03cf127a';
const TTL = 60;

export interface Node {
  readonly id: string;
  readonly privateIp: string;
  readonly cluster: string | undefined;
  running: boolean;
}

export type EventBody = Record<string, unknown>;

/** A small deterministic random generator (mulberry32), so every run shuffles the same way. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export class Fleet {
  readonly nodes = new Map<string, Node>();
  /** zone name (no trailing dot) → zone id */
  readonly zones = new Map<string, string>();
  readonly clusters = new Set<string>();
  /** Each zone's records that are not the clusters', as set up: they must end untouched. */
  readonly #unrelated = new Map<string, string[]>();
  #events = 0;

  constructor(
    readonly route53: Route53Client,
    readonly ec2: EC2Client,
  ) {}

  /** A public zone, with a few records of its own, some sorting right beside the clusters' names. */
  async zone(name: string, clusters: readonly string[]): Promise<void> {
    const id = (await createZone(this.route53, name)).replace('/hostedzone/', '');
    this.zones.set(name, id);
    const record = (host: string, type: string, value: string) => ({
      Action: 'CREATE' as const,
      ResourceRecordSet: {
        Name: `${host}.${name}.`,
        Type: type as never,
        TTL: 300,
        ResourceRecords: [{ Value: value }],
      },
    });
    const changes = [record('www', 'A', '192.0.2.10'), record('api', 'CNAME', `www.${name}.`)];
    for (const cluster of clusters) {
      this.clusters.add(cluster);
      const label = cluster.slice(0, -name.length - 1);
      // `c1-b` sorts before `c1.` in Route 53's order; `node1.c1` lies inside the cluster's names but is not ours.
      changes.push(record(`${label}-b`, 'A', '192.0.2.20'), record(`node1.${label}`, 'A', '192.0.2.30'));
    }
    await this.route53.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: changes } }),
    );
    this.#unrelated.set(name, await records(this.route53, id));
  }

  /** Launches `count` instances in one call, tagged with the cluster when one is given. */
  async launch(count: number, cluster?: string): Promise<Node[]> {
    const tags: Tag[] = [{ Key: 'Name', Value: cluster === undefined ? 'unrelated' : 'redis-node' }];
    if (cluster !== undefined) tags.push({ Key: CLUSTER_TAG, Value: cluster });
    const out = await this.ec2.send(
      new RunInstancesCommand({
        ImageId: IMAGE_ID,
        MinCount: count,
        MaxCount: count,
        TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
      }),
    );
    return (out.Instances ?? []).map((i: Instance) => {
      if (i.InstanceId === undefined || i.PrivateIpAddress === undefined) throw new Error('RunInstances: no id or IP');
      const node = { id: i.InstanceId, privateIp: i.PrivateIpAddress, cluster, running: true };
      this.nodes.set(node.id, node);
      return node;
    });
  }

  async terminate(nodes: readonly Node[]): Promise<void> {
    await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: nodes.map((n) => n.id) }));
    for (const node of nodes) node.running = false;
  }

  zoneOf(cluster: string): [string, string] {
    for (const [name, id] of this.zones) if (cluster.endsWith(`.${name}`)) return [name, id];
    throw new Error(`no zone for ${cluster}`);
  }

  /** The members a cluster must publish, by the benchmark's own bookkeeping (not read back from EC2). */
  expectedMembers(cluster: string): Member[] {
    return [...this.nodes.values()]
      .filter((n) => n.cluster === cluster && n.running)
      .map((n) => ({ instanceId: n.id, address: n.privateIp }));
  }

  /** The event EC2 sends when an instance changes state. */
  stateEvent(node: Node, state: string): EventBody {
    this.#events += 1;
    return {
      version: '0',
      id: `00000000-0000-4000-8000-${String(this.#events).padStart(12, '0')}`,
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'us-east-1',
      resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${node.id}`],
      detail: { 'instance-id': node.id, state },
    };
  }

  /**
   * Checks Route 53 against the bookkeeping: every cluster publishes exactly its expected members (a plan from the
   * records read back to the expected members is empty), and every other record is as set up. Returns the problems.
   */
  async problems(): Promise<string[]> {
    const found: string[] = [];
    for (const cluster of [...this.clusters].sort()) {
      const [, zoneId] = this.zoneOf(cluster);
      const current = await readCluster(this.route53, zoneId, cluster);
      const expected = this.expectedMembers(cluster);
      const plan = planCluster({ cluster, current, members: expected, ownerId: OWNER_ID, ttl: TTL });
      if (plan.changes.length > 0) {
        found.push(`${cluster}: ${plan.changes.length} change(s) still needed, e.g. ${describe(plan.changes[0])}`);
      }
    }
    for (const [name, id] of this.zones) {
      const now = new Set(await records(this.route53, id));
      const missing = (this.#unrelated.get(name) ?? []).filter((r) => !now.has(r));
      if (missing.length > 0) found.push(`${name}: unrelated records changed: ${missing.join('; ')}`);
    }
    return found;
  }
}

const describe = (change: { action: string; record: { name: string; type: string } } | undefined) =>
  change === undefined ? '' : `${change.action} ${change.record.name} ${change.record.type}`;
