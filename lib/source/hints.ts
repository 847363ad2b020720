/**
 * What a warm container remembers of its earlier EC2 views: which clusters it has seen each instance in. When a tag
 * change takes an instance out of a cluster, the event shows only the tags after it, and EC2 no longer says which
 * cluster the instance left; a remembered cluster whose ownership record still lists the instance answers that with
 * one one-record read, instead of a scan of every ownership record of every zone. A hint is only ever a candidate:
 * one that the ownership record does not confirm leaves the instance to the scan, as a cold container does.
 */

import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Config } from '../platform/config.js';
import { RlecDnsError } from '../platform/errors.js';
import { claimOf } from '../registry/ownership.js';
import { readOwnership } from '../registry/route53.js';
import type { ZoneDirectory } from '../registry/zones.js';
import { clusterOf, type Instance } from './instances.js';

/** Instances remembered at most; the oldest are forgotten first (a Map keeps insertion order). */
const LIMIT = 50_000;

/** instance id → the clusters a container has seen it in. One per container, kept across invocations. */
export class SeenInstances {
  readonly #clusters = new Map<string, Set<string>>();

  /** Remembers the cluster each instance's tag names (instances in any state; refused tag values are skipped). */
  rememberInstances(instances: readonly Instance[], config: Pick<Config, 'clusterTagKey'>): void {
    for (const instance of instances) {
      const cluster = clusterOf(instance, config);
      if (typeof cluster === 'string') this.remember(instance.id, cluster);
    }
  }

  /** Remembers the instances a fleet or an ownership record names for a cluster. */
  rememberMembers(cluster: string, instanceIds: Iterable<string>): void {
    for (const id of instanceIds) this.remember(id, cluster);
  }

  remember(instanceId: string, cluster: string): void {
    const known = this.#clusters.get(instanceId) ?? new Set<string>();
    this.#clusters.delete(instanceId);
    this.#clusters.set(instanceId, known.add(cluster));
    if (this.#clusters.size > LIMIT) {
      const oldest = this.#clusters.keys().next().value;
      if (oldest !== undefined) this.#clusters.delete(oldest);
    }
  }

  /** The clusters the instance was seen in, the given ones (where it is now) left out. */
  clustersOf(instanceId: string, now: ReadonlySet<string> = new Set()): string[] {
    return [...(this.#clusters.get(instanceId) ?? [])].filter((c) => !now.has(c));
  }
}

interface HintDeps {
  readonly route53: Route53Client;
  readonly zones: ZoneDirectory;
  readonly config: Config;
}

/**
 * Checks hints: for each candidate cluster, reads its ownership record (one one-record listing per cluster, in its
 * zone) and keeps the instances it lists. Returns instance id → the clusters confirmed for it. A cluster that cannot
 * be placed or read, or is not this deployment's, confirms nothing: its instances go to the scan.
 */
export async function confirmHints(
  deps: HintDeps,
  hints: ReadonlyMap<string, readonly string[]>,
): Promise<Map<string, string[]>> {
  const byCluster = new Map<string, string[]>();
  for (const [id, clusters] of hints) for (const c of clusters) byCluster.set(c, [...(byCluster.get(c) ?? []), id]);
  const confirmed = new Map<string, string[]>();
  for (const [cluster, ids] of byCluster) {
    let listed: ReadonlySet<string>;
    try {
      const ownership = await readOwnership(deps.route53, (await deps.zones.zoneFor(cluster)).id, cluster);
      const claim = claimOf(ownership, deps.config).kind;
      listed = claim === 'ours' || claim === 'legacy' ? new Set(ownership?.slots.keys()) : new Set();
    } catch (error) {
      // No zone for it any more, or AWS refused the read: the scan, which reports what it must, decides instead.
      if (!(error instanceof RlecDnsError)) throw error;
      continue;
    }
    for (const id of ids.filter((i) => listed.has(i))) confirmed.set(id, [...(confirmed.get(id) ?? []), cluster]);
  }
  return confirmed;
}
