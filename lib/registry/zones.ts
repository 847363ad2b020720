/**
 * Hosted zones: which one holds a cluster's delegation. Listed once per container and cached for a short time, since
 * zones rarely change and ListHostedZones counts against the account's shared Route 53 rate.
 */
import { paginateListHostedZones, type Route53Client } from '@aws-sdk/client-route-53';
import { canonicalName } from '../plan/names.js';
import { InvalidClusterNameError, NoHostedZoneError } from '../platform/errors.js';

export interface HostedZone {
  /** Without the `/hostedzone/` prefix. */
  readonly id: string;
  /** Canonical: lower case, trailing dot. */
  readonly name: string;
  readonly private: boolean;
}

export interface ZoneDirectoryOptions {
  readonly route53: Route53Client;
  /** When set, only these zones may be written. */
  readonly allowedZoneIds?: readonly string[] | undefined;
  readonly cacheSeconds: number;
  readonly now?: () => number;
}

export const zoneIdOf = (id: string): string => id.replace(/^\/?hostedzone\//, '');

export async function listHostedZones(route53: Route53Client): Promise<HostedZone[]> {
  const zones: HostedZone[] = [];
  for await (const page of paginateListHostedZones({ client: route53 }, {})) {
    for (const zone of page.HostedZones ?? []) {
      if (zone.Id === undefined || zone.Name === undefined) continue;
      zones.push({ id: zoneIdOf(zone.Id), name: canonicalName(zone.Name), private: zone.Config?.PrivateZone === true });
    }
  }
  return zones;
}

/** Finds the zone for a cluster; caches the zone list. */
export class ZoneDirectory {
  readonly #options: ZoneDirectoryOptions;
  #cache: { zones: Promise<HostedZone[]>; at: number } | undefined;

  constructor(options: ZoneDirectoryOptions) {
    this.#options = options;
  }

  /** All hosted zones in the account (cached). */
  async all(): Promise<HostedZone[]> {
    const now = (this.#options.now ?? Date.now)();
    if (this.#cache === undefined || now - this.#cache.at > this.#options.cacheSeconds * 1000) {
      const zones = listHostedZones(this.#options.route53);
      this.#cache = { zones, at: now };
      // A failed listing must not be cached.
      zones.catch(() => {
        this.#cache = undefined;
      });
    }
    return this.#cache.zones;
  }

  /** The public zones this deployment may write: every one, or those in the allow-list. */
  async writable(): Promise<HostedZone[]> {
    const allowed = this.#options.allowedZoneIds;
    return (await this.all()).filter((z) => !z.private && (allowed === undefined || allowed.includes(z.id)));
  }

  /**
   * The zone whose name is the longest proper suffix of the cluster name.
   *
   * @throws InvalidClusterNameError when the cluster is at or above a zone's apex.
   * @throws NoHostedZoneError when no public zone (or no allowed one) holds it.
   */
  async zoneFor(cluster: string): Promise<HostedZone> {
    return pickZone(cluster, await this.all(), this.#options.allowedZoneIds);
  }

  /**
   * Every zone the cluster is published in: its one public zone today. The loop works per (cluster, zone), so a
   * cluster published in more than one zone needs no other change there.
   *
   * @throws InvalidClusterNameError, NoHostedZoneError as {@link zoneFor}.
   */
  async zonesFor(cluster: string): Promise<HostedZone[]> {
    return [await this.zoneFor(cluster)];
  }
}

/** The pure part of zoneFor, exported for tests. */
export function pickZone(cluster: string, zones: readonly HostedZone[], allowed?: readonly string[]): HostedZone {
  const name = `${cluster}.`;
  const apex = zones.find((z) => z.name === name);
  if (apex !== undefined) {
    throw new InvalidClusterNameError(
      cluster,
      `it is the apex of hosted zone ${apex.name} (${apex.id}); a cluster must lie below a zone's apex`,
    );
  }
  const below = zones.find((z) => z.name.endsWith(`.${name}`));
  if (below !== undefined) {
    throw new InvalidClusterNameError(cluster, `it is above the apex of hosted zone ${below.name} (${below.id})`);
  }
  const parents = zones.filter((z) => name.endsWith(`.${z.name}`));
  const longest = Math.max(0, ...parents.filter((z) => !z.private).map((z) => z.name.length));
  const best = parents.filter((z) => !z.private && z.name.length === longest);
  if (best.length === 0) {
    const reason =
      parents.length > 0
        ? 'only private hosted zones match, and a private zone cannot delegate to name servers outside Route 53'
        : 'no hosted zone in the account is a parent of it';
    throw new NoHostedZoneError(cluster, reason);
  }
  const usable = allowed === undefined ? best : best.filter((z) => allowed.includes(z.id));
  if (usable.length === 0) {
    const ids = best.map((z) => z.id).join(', ');
    throw new NoHostedZoneError(cluster, `its hosted zone ${best[0]?.name} (${ids}) is not in HOSTED_ZONE_IDS`);
  }
  if (usable.length > 1) {
    const ids = usable.map((z) => z.id).join(', ');
    throw new NoHostedZoneError(
      cluster,
      `several public hosted zones are named ${usable[0]?.name} (${ids}); set HOSTED_ZONE_IDS to choose one`,
    );
  }
  return usable[0] as HostedZone;
}
