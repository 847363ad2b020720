/**
 * The source: what EC2 says should exist. Instances tagged with a cluster name are its members while they run and
 * have the addresses the cluster's zones need: per kind of zone (ZONE_TYPE), the IPv4 address of the zone's kind
 * (a private zone: the private address; a public zone: ADDRESS_TYPE or the instance's own tag) and, per
 * ADDRESS_FAMILY, the primary IPv6 address. EC2's IPv6 addresses are the same in both kinds of zone (there is no
 * private IPv6 beside a public one). lib/source/members.ts picks a zone's members from the fleet.
 */
import {
  type EC2Client,
  type Instance as Ec2Instance,
  type Filter,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { normaliseClusterName } from '../plan/names.js';
import type { Member } from '../plan/records.js';
import type { AddressType, Config } from '../platform/config.js';
import { InvalidClusterNameError } from '../platform/errors.js';

export interface Instance {
  readonly id: string;
  readonly state: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly privateIp?: string | undefined;
  readonly publicIp?: string | undefined;
  /** Its primary IPv6 address ({@link primaryIpv6}). */
  readonly ipv6?: string | undefined;
}

/**
 * The instance's primary IPv6 address: `Ipv6Address`, which EC2 sets once the primary network interface has a
 * primary IPv6 (`IsPrimaryIpv6`, an address that never changes while the interface lives); else the one marked
 * primary on the interface at device index 0; else that interface's first IPv6 address, which stays while it is
 * assigned (moto marks none primary and sets no `Ipv6Address`).
 */
export function primaryIpv6(instance: Ec2Instance): string | undefined {
  if (instance.Ipv6Address !== undefined && instance.Ipv6Address !== '') return instance.Ipv6Address;
  const primary = (instance.NetworkInterfaces ?? []).find((n) => n.Attachment?.DeviceIndex === 0);
  const addresses = (primary?.Ipv6Addresses ?? []).filter((a) => a.Ipv6Address !== undefined && a.Ipv6Address !== '');
  return (addresses.find((a) => a.IsPrimaryIpv6 === true) ?? addresses[0])?.Ipv6Address;
}

/** The EC2 filter takes at most 200 values. */
const FILTER_VALUES = 200;

async function describe(ec2: EC2Client, filters: Filter[]): Promise<Instance[]> {
  const instances: Instance[] = [];
  for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 1000 }, { Filters: filters })) {
    for (const reservation of page.Reservations ?? []) {
      for (const i of reservation.Instances ?? []) {
        if (i.InstanceId === undefined) continue;
        const tags = Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
        instances.push({
          id: i.InstanceId,
          state: i.State?.Name ?? 'unknown',
          tags,
          privateIp: i.PrivateIpAddress,
          publicIp: i.PublicIpAddress,
          ipv6: primaryIpv6(i),
        });
      }
    }
  }
  return instances;
}

/**
 * The instances with these ids that EC2 still shows. Uses the `instance-id` filter, not `InstanceIds`: with
 * `InstanceIds` one unknown id fails the whole call, and vanished instances are normal here.
 */
export async function instancesByIds(ec2: EC2Client, ids: readonly string[]): Promise<Instance[]> {
  const unique = [...new Set(ids)];
  const found: Instance[] = [];
  for (let i = 0; i < unique.length; i += FILTER_VALUES) {
    const chunk = unique.slice(i, i + FILTER_VALUES);
    found.push(...(await describe(ec2, [{ Name: 'instance-id', Values: chunk }])));
  }
  return found;
}

/** Every running instance that carries the cluster tag, whatever its value. */
export const taggedRunningInstances = (ec2: EC2Client, tagKey: string): Promise<Instance[]> =>
  describe(ec2, [
    { Name: 'tag-key', Values: [tagKey] },
    { Name: 'instance-state-name', Values: ['running'] },
  ]);

/** Every instance that carries the cluster tag, in any state (for operators; the loop asks for running ones). */
export const taggedInstances = (ec2: EC2Client, tagKey: string): Promise<Instance[]> =>
  describe(ec2, [{ Name: 'tag-key', Values: [tagKey] }]);

/** Why a tagged instance is not published. Each is logged and counted; none stops the others. */
export interface MemberProblem {
  readonly instanceId: string;
  readonly kind: 'invalid-cluster-tag' | 'invalid-address-type' | 'no-address';
  readonly message: string;
  readonly cluster?: string;
}

/** A running tagged instance: its glue in each kind of zone ZONE_TYPE writes, where it has the addresses needed. */
export interface Candidate {
  readonly instanceId: string;
  /** Its glue in a public zone; undefined when it lacks an address that zone needs, or no public zone is written. */
  readonly public?: Member | undefined;
  /** Its glue in a private zone (always its private IPv4 address); undefined likewise. */
  readonly private?: Member | undefined;
}

export interface Fleet {
  /** cluster name → its candidates (publishable in at least one of its zones), in instance-id order. */
  readonly clusters: ReadonlyMap<string, readonly Candidate[]>;
  /** cluster name → every running instance tagged with it, published or not (to name them in refusals). */
  readonly tagged: ReadonlyMap<string, readonly string[]>;
  readonly problems: readonly MemberProblem[];
}

type SourceConfig = Pick<Config, 'clusterTagKey' | 'addressType' | 'addressTypeTagKey'> &
  Partial<Pick<Config, 'zoneType' | 'addressFamily'>>;

/** The cluster an instance's tag names, or a problem. Undefined when it carries no cluster tag. */
export function clusterOf(
  instance: Instance,
  config: Pick<Config, 'clusterTagKey'>,
): string | MemberProblem | undefined {
  const value = instance.tags[config.clusterTagKey];
  if (value === undefined) return undefined;
  try {
    return normaliseClusterName(value);
  } catch (error) {
    if (!(error instanceof InvalidClusterNameError)) throw error;
    return {
      instanceId: instance.id,
      kind: 'invalid-cluster-tag',
      message: `instance ${instance.id}: tag ${config.clusterTagKey}=${JSON.stringify(value)} refused: ${error.reason}`,
    };
  }
}

type Side = 'public' | 'private';

/** The instance's glue for one kind of zone, or what it lacks for it ("public address", "IPv6 address"). */
function glueFor(instance: Instance, side: Side, kind: AddressType, config: SourceConfig): Member | string[] {
  const family = config.addressFamily ?? 'ipv4';
  const ipv4 = kind === 'public' ? instance.publicIp : instance.privateIp;
  const missing: string[] = [];
  const member: { instanceId: string; address?: string; ipv6?: string } = { instanceId: instance.id };
  if (family !== 'ipv6') {
    if (ipv4 === undefined || ipv4 === '') missing.push(`${side === 'private' ? 'private' : kind} address`);
    else member.address = ipv4;
  }
  if (family !== 'ipv4') {
    if (instance.ipv6 === undefined || instance.ipv6 === '') missing.push('IPv6 address');
    else member.ipv6 = instance.ipv6;
  }
  return missing.length > 0 ? missing : member;
}

/** One problem for an instance that lacks addresses: naming the zones it is left out of when it is in another. */
function noAddress(instance: Instance, cluster: string, failed: [Side, string[]][], sides: number): MemberProblem {
  const same = failed.every(([, missing]) => missing.join() === failed[0]?.[1].join());
  const lacks = (missing: string[]) => `no ${missing.join(' and no ')}`;
  const what =
    same && failed.length === sides
      ? lacks(failed[0]?.[1] ?? [])
      : failed.map(([side, missing]) => `${lacks(missing)} for its ${side} zone`).join(', and ');
  const where = failed.length === sides ? 'not published' : `not published in its ${failed[0]?.[0]} zone`;
  const message = `instance ${instance.id} of cluster ${cluster} is running but has ${what}; ${where}`;
  return { instanceId: instance.id, kind: 'no-address', message, cluster };
}

/** The instance's glue in each kind of zone written, and the problem when it lacks addresses for some. */
function candidateOf(
  instance: Instance,
  cluster: string,
  config: SourceConfig,
): { candidate?: Candidate; problem?: MemberProblem } {
  const zoneType = config.zoneType ?? 'public';
  const sides: Side[] = zoneType === 'both' ? ['public', 'private'] : [zoneType];
  const override = instance.tags[config.addressTypeTagKey];
  // The tag says which address goes into a public zone: with no public zone it has no effect, and is not read.
  if (sides.includes('public') && override !== undefined && override !== 'private' && override !== 'public') {
    const message = `instance ${instance.id}: tag ${config.addressTypeTagKey}=${JSON.stringify(override)} refused: must be "private" or "public"`;
    return { problem: { instanceId: instance.id, kind: 'invalid-address-type', message, cluster } };
  }
  const kind: AddressType = (override as AddressType | undefined) ?? config.addressType;
  const candidate: { instanceId: string; public?: Member; private?: Member } = { instanceId: instance.id };
  const failed: [Side, string[]][] = [];
  for (const side of sides) {
    const glue = glueFor(instance, side, side === 'private' ? 'private' : kind, config);
    if (Array.isArray(glue)) failed.push([side, glue]);
    else candidate[side] = glue;
  }
  const problem = failed.length === 0 ? undefined : noAddress(instance, cluster, failed, sides.length);
  return {
    ...(failed.length === sides.length ? {} : { candidate }),
    ...(problem === undefined ? {} : { problem }),
  };
}

/** Groups running tagged instances into clusters. Pure. */
export function groupMembers(instances: readonly Instance[], config: SourceConfig): Fleet {
  const clusters = new Map<string, Candidate[]>();
  const tagged = new Map<string, string[]>();
  const problems: MemberProblem[] = [];
  for (const instance of [...instances].sort((a, b) => a.id.localeCompare(b.id))) {
    if (instance.state !== 'running') continue;
    const cluster = clusterOf(instance, config);
    if (cluster === undefined) continue;
    if (typeof cluster !== 'string') {
      problems.push(cluster);
      continue;
    }
    tagged.set(cluster, [...(tagged.get(cluster) ?? []), instance.id]);
    const { candidate, problem } = candidateOf(instance, cluster, config);
    if (problem !== undefined) problems.push(problem);
    if (candidate !== undefined) clusters.set(cluster, [...(clusters.get(cluster) ?? []), candidate]);
  }
  return { clusters, tagged, problems };
}
