/**
 * The benchmark's fleet on the emulator's world (tools/world/world.ts): hosted zones with unrelated records, clusters
 * of tagged instances, unrelated instances, the bookkeeping of who should be published, and the check that Route 53
 * ends exactly as expected. Setup and checks use the world's plain SDK clients (no pacing), outside the measured runs.
 */

import { planCluster } from '../lib/plan/plan.js';
import type { Member } from '../lib/plan/records.js';
import type { Deployment } from '../lib/registry/ownership.js';
import { readCluster } from '../lib/registry/route53.js';
import { change, changeBatch } from '../tools/world/route53-helpers.js';
import type { World } from '../tools/world/world.js';

export const OWNER_ID = 'rlec-dns-bench';
/** The emulator's default account, and the Region the bench's clients sign for. */
export const DEPLOYMENT_ENV = { OWNER_ID, ACCOUNT_ID: '123456789012', AWS_REGION: 'us-east-1' } as const;
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
  readonly deployment: Deployment = {
    ownerId: OWNER_ID,
    account: DEPLOYMENT_ENV.ACCOUNT_ID,
    region: DEPLOYMENT_ENV.AWS_REGION,
    legacyOwnerIds: [],
  };

  constructor(readonly world: World) {}

  /** A public zone, with a few records of its own, some sorting right beside the clusters' names. */
  async zone(name: string, clusters: readonly string[]): Promise<void> {
    const id = await this.world.zone(name);
    this.zones.set(name, id);
    const unrelated = (host: string, type: 'A' | 'CNAME', value: string) =>
      change('CREATE', `${host}.${name}.`, type, 300, [value]);
    const changes = [unrelated('www', 'A', '192.0.2.10'), unrelated('api', 'CNAME', `www.${name}.`)];
    for (const cluster of clusters) {
      this.clusters.add(cluster);
      const label = cluster.slice(0, -name.length - 1);
      // `c1-b` sorts before `c1.` in Route 53's order; `node1.c1` lies inside the cluster's names but is not ours.
      changes.push(unrelated(`${label}-b`, 'A', '192.0.2.20'), unrelated(`node1.${label}`, 'A', '192.0.2.30'));
    }
    await changeBatch(this.world.route53, id, changes);
    this.#unrelated.set(name, await this.world.records(id));
  }

  /** Launches `count` instances in one call, tagged with the cluster when one is given. */
  async launch(count: number, cluster?: string): Promise<Node[]> {
    const tags = { Name: cluster === undefined ? 'unrelated' : 'redis-node' };
    const launched = await this.world.launchMany(count, { ...(cluster === undefined ? {} : { cluster }), tags });
    return launched.map(({ id, privateIp }) => {
      const node = { id, privateIp, cluster, running: true };
      this.nodes.set(id, node);
      return node;
    });
  }

  async terminate(nodes: readonly Node[]): Promise<void> {
    await this.world.terminate(...nodes.map((n) => n.id));
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

  /** The hosted zone of the cluster an event's instance belongs to; undefined for an unrelated instance. */
  zoneOfEvent(body: unknown): string | undefined {
    const event = (typeof body === 'string' ? JSON.parse(body) : body) as { detail?: Record<string, unknown> };
    const id = event.detail?.['instance-id'];
    const cluster = typeof id === 'string' ? this.nodes.get(id)?.cluster : undefined;
    return cluster === undefined ? undefined : this.zoneOf(cluster)[0];
  }

  /**
   * The change tokens of the least a writer could send to bring every cluster from what it publishes now to its
   * expected members in one go: the plan's changes (exact DELETEs and CREATEs, 1 token each).
   */
  async changeTokensToExpected(): Promise<number> {
    let tokens = 0;
    for (const cluster of this.clusters) {
      const [, zoneId] = this.zoneOf(cluster);
      const current = await readCluster(this.world.route53, zoneId, cluster);
      const members = this.expectedMembers(cluster);
      const plan = planCluster({ cluster, current, members, deployment: this.deployment, ttl: TTL });
      tokens += plan.changes.length;
    }
    return tokens;
  }

  /** The event EC2 sends when an instance changes state. */
  stateEvent(node: Node, state: string): EventBody {
    return this.world.stateEvent(node.id, state);
  }

  /**
   * Checks Route 53 against the bookkeeping: every cluster publishes exactly its expected members (a plan from the
   * records read back to the expected members is empty), and every other record is as set up. Returns the problems.
   */
  async problems(): Promise<string[]> {
    const found: string[] = [];
    for (const cluster of [...this.clusters].sort()) {
      const [, zoneId] = this.zoneOf(cluster);
      const current = await readCluster(this.world.route53, zoneId, cluster);
      const expected = this.expectedMembers(cluster);
      const plan = planCluster({ cluster, current, members: expected, deployment: this.deployment, ttl: TTL });
      if (plan.changes.length > 0) {
        found.push(`${cluster}: ${plan.changes.length} change(s) still needed, e.g. ${describe(plan.changes[0])}`);
      }
    }
    for (const [name, id] of this.zones) {
      const now = new Set(await this.world.records(id));
      const missing = (this.#unrelated.get(name) ?? []).filter((r) => !now.has(r));
      if (missing.length > 0) found.push(`${name}: unrelated records changed: ${missing.join('; ')}`);
    }
    return found;
  }
}

const describe = (change: { action: string; record: { name: string; type: string } } | undefined) =>
  change === undefined ? '' : `${change.action} ${change.record.name} ${change.record.type}`;
