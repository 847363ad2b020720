/**
 * The source: what EC2 says should exist. Instances tagged with a cluster name are its members while they run and
 * have an address of the configured kind.
 */
import { type EC2Client, type Filter, paginateDescribeInstances } from '@aws-sdk/client-ec2';
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

export interface Fleet {
  /** cluster name → its members, in instance-id order. */
  readonly clusters: ReadonlyMap<string, readonly Member[]>;
  /** cluster name → every running instance tagged with it, published or not (to name them in refusals). */
  readonly tagged: ReadonlyMap<string, readonly string[]>;
  readonly problems: readonly MemberProblem[];
}

type SourceConfig = Pick<Config, 'clusterTagKey' | 'addressType' | 'addressTypeTagKey'>;

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

function addressOf(instance: Instance, cluster: string, config: SourceConfig): string | MemberProblem {
  const override = instance.tags[config.addressTypeTagKey];
  if (override !== undefined && override !== 'private' && override !== 'public') {
    const message = `instance ${instance.id}: tag ${config.addressTypeTagKey}=${JSON.stringify(override)} refused: must be "private" or "public"`;
    return { instanceId: instance.id, kind: 'invalid-address-type', message, cluster };
  }
  const kind: AddressType = override ?? config.addressType;
  const address = kind === 'public' ? instance.publicIp : instance.privateIp;
  if (address === undefined || address === '') {
    const message = `instance ${instance.id} of cluster ${cluster} is running but has no ${kind} address; not published`;
    return { instanceId: instance.id, kind: 'no-address', message, cluster };
  }
  return address;
}

/** Groups running tagged instances into clusters. Pure. */
export function groupMembers(instances: readonly Instance[], config: SourceConfig): Fleet {
  const clusters = new Map<string, Member[]>();
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
    const address = addressOf(instance, cluster, config);
    if (typeof address !== 'string') {
      problems.push(address);
      continue;
    }
    const members = clusters.get(cluster) ?? [];
    members.push({ instanceId: instance.id, address });
    clusters.set(cluster, members);
  }
  return { clusters, tagged, problems };
}
