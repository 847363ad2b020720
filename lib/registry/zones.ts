/**
 * Hosted zones: which ones hold a cluster's delegation (ZONE_TYPE: public, private or both). Listed once per container and cached for a short time, since
 * zones rarely change and ListHostedZones counts against the account's shared Route 53 rate.
 */
import { paginateListHostedZones, type Route53Client } from '@aws-sdk/client-route-53';
import { canonicalName } from '../plan/names.js';
import type { ZoneType } from '../platform/config.js';
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
  /** Which kinds of zone a cluster is published in (`ZONE_TYPE`); default `public`. */
  readonly zoneType?: ZoneType | undefined;
  /**
   * Told, on every lookup, of the side of `ZONE_TYPE=both` that has no usable zone while the other side has one (the
   * cluster is published on that other side): the caller logs it loudly.
   */
  readonly onMissingSide?: ((error: NoHostedZoneError) => void) | undefined;
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

/** Finds the zones for a cluster; caches the zone list. */
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

  /**
   * The zones this deployment may write: those of the kinds ZONE_TYPE names (public, private or both), every one or
   * those in the allow-list. The sweep scans them for its ownership records.
   */
  async writable(): Promise<HostedZone[]> {
    const allowed = this.#options.allowedZoneIds;
    const sides = sidesOf(this.#options.zoneType ?? 'public');
    return (await this.all()).filter(
      (z) => sides.includes(sideOf(z)) && (allowed === undefined || allowed.includes(z.id)),
    );
  }

  /**
   * Every zone the cluster is published in (see {@link placeCluster}): its longest matching public zone, its longest
   * matching private zone(s), or both. A side of `both` that has none is reported to `onMissingSide`.
   *
   * @throws InvalidClusterNameError when the cluster is at or above a zone's apex.
   * @throws NoHostedZoneError when no zone (or no allowed one) of any wanted kind holds it.
   */
  async zonesFor(cluster: string): Promise<HostedZone[]> {
    const placed = placeCluster(cluster, await this.all(), {
      zoneType: this.#options.zoneType ?? 'public',
      allowed: this.#options.allowedZoneIds,
    });
    for (const error of placed.missing) this.#options.onMissingSide?.(error);
    return placed.zones;
  }

  /**
   * The cluster's first zone ({@link zonesFor}): its only one unless ZONE_TYPE=both, where it is the public one when
   * there is one. For callers that need one zone (a name's check, export); writers use zonesFor.
   */
  async zoneFor(cluster: string): Promise<HostedZone> {
    return (await this.zonesFor(cluster))[0] as HostedZone;
  }
}

type Side = 'public' | 'private';

const sideOf = (zone: HostedZone): Side => (zone.private ? 'private' : 'public');
const sidesOf = (zoneType: ZoneType): readonly Side[] => (zoneType === 'both' ? ['public', 'private'] : [zoneType]);
const idsOf = (zones: readonly HostedZone[]) => zones.map((z) => z.id).join(', ');

/** Refuses a cluster name that is a zone's apex or lies above one, whatever the zone's kind. */
function checkApex(cluster: string, zones: readonly HostedZone[]): void {
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
}

/**
 * The zones of one side for the cluster, or why there are none. Public: exactly one zone (twin public zones of the
 * same name are refused unless HOSTED_ZONE_IDS picks one: only the twin the registrar delegates to is ever served, so
 * writing to the other would fail silently). Private: every private zone of the longest matching name, since several
 * can share a name, one per set of VPCs, and each is live for its own VPCs; the cluster's clients may be in any of them.
 * Each gets its own ownership record, so a same-named cluster of another deployment in one of them refuses only that
 * placement. HOSTED_ZONE_IDS narrows them.
 */
function sideZones(
  cluster: string,
  zones: readonly HostedZone[],
  side: Side,
  options: PlaceOptions,
): HostedZone[] | string {
  const name = `${cluster}.`;
  const parents = zones.filter((z) => name.endsWith(`.${z.name}`));
  const mine = parents.filter((z) => sideOf(z) === side);
  if (mine.length === 0) {
    const label = options.zoneType === 'public' ? '' : `${side} `;
    if (parents.length === 0) return `no ${label}hosted zone in the account is a parent of it`;
    if (options.zoneType === 'public') {
      return 'only private hosted zones match; set ZONE_TYPE=private (or both) to publish the cluster in them';
    }
    if (options.zoneType === 'private') {
      const names = [...new Set(parents.map((z) => z.name))].join(', ');
      return `no private hosted zone is a parent of it, only public ones (${names}); set ZONE_TYPE=public or both to publish there`;
    }
    return `no ${side} hosted zone is a parent of it`;
  }
  const longest = Math.max(...mine.map((z) => z.name.length));
  const best = mine.filter((z) => z.name.length === longest);
  const allowed = options.allowed;
  const usable = allowed === undefined ? best : best.filter((z) => allowed.includes(z.id));
  if (usable.length === 0) {
    return `its ${side} hosted zone ${best[0]?.name} (${idsOf(best)}) is not in HOSTED_ZONE_IDS`;
  }
  if (side === 'public' && usable.length > 1) {
    return `several public hosted zones are named ${usable[0]?.name} (${idsOf(usable)}); set HOSTED_ZONE_IDS to choose one`;
  }
  return [...usable].sort((a, b) => a.id.localeCompare(b.id));
}

export interface PlaceOptions {
  readonly zoneType: ZoneType;
  readonly allowed?: readonly string[] | undefined;
}

/** Where a cluster goes: its zones, public first, and the sides of `both` that have none. */
export interface Placement {
  readonly zones: HostedZone[];
  readonly missing: NoHostedZoneError[];
}

/**
 * The pure part of zonesFor, exported for tests: the longest matching public zone, the longest matching private
 * zone(s), or both, as ZONE_TYPE says, within HOSTED_ZONE_IDS.
 *
 * With `both`, a side without a usable zone does not stop the other: the cluster is published where it can be, and
 * the missing side is returned (and logged as an error) on every run. That is what a split view's user expects: the
 * clients of the side that works keep resolving, the missing side is said loudly, and the precedent is the private
 * side's refusal for a foreign Resolver rule, where the public side goes on. Only when neither side has a zone is the
 * cluster refused.
 *
 * @throws InvalidClusterNameError when the cluster is at or above a zone's apex.
 * @throws NoHostedZoneError when no wanted side has a usable zone, naming each side's reason.
 */
export function placeCluster(cluster: string, zones: readonly HostedZone[], options: PlaceOptions): Placement {
  checkApex(cluster, zones);
  const placed: HostedZone[] = [];
  const reasons: string[] = [];
  for (const side of sidesOf(options.zoneType)) {
    const found = sideZones(cluster, zones, side, options);
    if (typeof found === 'string') reasons.push(found);
    else placed.push(...found);
  }
  if (placed.length === 0) throw new NoHostedZoneError(cluster, reasons.join('; and '));
  const missing = reasons.map(
    (reason) => new NoHostedZoneError(cluster, `${reason}; published on the other side of ZONE_TYPE=both only`),
  );
  return { zones: placed, missing };
}

/** The cluster's public zone (ZONE_TYPE=public), exported for tests. */
export function pickZone(cluster: string, zones: readonly HostedZone[], allowed?: readonly string[]): HostedZone {
  return placeCluster(cluster, zones, { zoneType: 'public', allowed }).zones[0] as HostedZone;
}
