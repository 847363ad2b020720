/**
 * Which servers `verify` asks, and what it expects of each, from the cluster's zones as `status` sees them: the
 * parent zone's servers (a public zone's delegation set, or --server) for a referral, resolvers inside the VPC
 * (--resolver) for the private zone's answers, and each running member's own server.
 *
 * | options             | public zone                         | private zone only                          |
 * |---------------------|-------------------------------------|--------------------------------------------|
 * | none                | its delegation set: referral        | refused: pass --resolver (or --server)     |
 * | --server            | those servers: the public referral  | those servers: the private zone's referral |
 * | --resolver          | the private zone through a resolver (refused without a private zone)             |
 * | --server --resolver | both: the public referral and the private zone through the resolvers            |
 *
 * The nodes are asked at the addresses of the zone the resolvers check (the private addresses), else of the
 * parent's zone.
 */
import { canonicalName, fqdn, nsName } from '../../lib/plan/names.js';
import type { Plan } from '../../lib/plan/plan.js';
import { integerOption, listOption, type Values } from '../args.js';
import type { Context } from '../context.js';
import type { DnsMessage } from '../dns/message.js';
import { CliError, describeError } from '../failure.js';
import { type ClusterView, clusterStatus } from '../status-view.js';
import { type Expected, nodeNameVerdict, nodeNsVerdict, nodeSoaVerdict, referralVerdict } from './checks.js';
import { delegationSet, parseServer, type Question, type Target } from './probe.js';
import { resolvedGlueVerdict, resolvedNameVerdict, resolvedNsVerdict } from './recursive.js';

type Placed = ClusterView & { readonly zone: NonNullable<ClusterView['zone']>; readonly plan: Plan };

export interface Checks {
  /** What the parent's referral should hold (the public zone's, or the zone --server checks). */
  readonly expected?: Expected;
  /** What the resolvers should answer (the private zone's). */
  readonly expectedPrivate?: Expected;
  readonly targets: Target[];
}

function expectedOf(cluster: string, view: Placed): Expected {
  const zone = fqdn(cluster);
  const published = view.records.filter((r) => r.name === zone && r.type === 'NS').flatMap((r) => r.values);
  const members = view.plan.members;
  const glueOf = (pick: (m: Plan['members'][number]) => string | undefined) =>
    new Map(members.flatMap((m) => (pick(m) === undefined ? [] : [[nsName(cluster, m.slot), pick(m) as string]])));
  return {
    zone,
    published: published.map(canonicalName),
    glue: glueOf((m) => m.address),
    glue6: glueOf((m) => m.ipv6),
  };
}

function resolverQuestions(expected: Expected, nodeNames: readonly string[]): Question[] {
  const { zone, published } = expected;
  const glue = (type: 'A' | 'AAAA', map: ReadonlyMap<string, string>) =>
    [...map].map(([name, want]) => ({
      name,
      type,
      recursive: true,
      judge: (m: DnsMessage) => resolvedGlueVerdict(m, name, type, want),
    }));
  return [
    { name: zone, type: 'NS', recursive: true, judge: (m: DnsMessage) => resolvedNsVerdict(m, zone, published) },
    ...glue('A', expected.glue),
    ...glue('AAAA', expected.glue6 ?? new Map()),
    ...nodeNames.map((name) => ({
      name,
      type: 'A',
      recursive: true,
      judge: (m: DnsMessage) => resolvedNameVerdict(m, name),
    })),
  ];
}

/**
 * The servers to ask and the questions for each.
 *
 * @throws CliError when the cluster has no zone to check (refused, not published), or --resolver names a cluster
 *   with no private zone, or a private-only cluster is given neither --resolver nor --server.
 */
export async function planChecks(ctx: Context, values: Values, cluster: string): Promise<Checks> {
  const [view] = (await clusterStatus(ctx.deps, [cluster])).clusters;
  const zones = (view?.zones?.length ? view.zones : view === undefined ? [] : [view]).filter(
    (z): z is Placed => z.zone !== undefined && z.plan !== undefined,
  );
  if (view === undefined || zones.length === 0) {
    throw new CliError(`cannot verify ${cluster}: ${describeError(view?.error, ctx.io.env)}`);
  }
  const servers = listOption(values, 'server');
  const resolvers = listOption(values, 'resolver');
  const publicZone = zones.find((z) => !z.zone.private);
  const privateZone = zones.find((z) => z.zone.private);
  if (resolvers.length > 0 && privateZone === undefined) {
    throw new CliError(
      `cannot verify ${cluster} through a resolver: it is not published in a private zone (ZONE_TYPE=private or both)`,
    );
  }
  const parentZone = servers.length > 0 || resolvers.length === 0 ? (publicZone ?? privateZone) : undefined;
  if (parentZone?.zone.private === true && servers.length === 0) {
    throw new CliError(
      `cannot verify ${cluster}: it is published in the private zone ${parentZone.zone.name} (${parentZone.zone.id}) only, which has no name servers to ask; pass --resolver HOST[:PORT] (a resolver in the VPC, e.g. its .2 address) or --server`,
    );
  }
  const zone = fqdn(cluster);
  const targets: Target[] = [];
  const expected = parentZone === undefined ? undefined : expectedOf(cluster, parentZone);
  if (parentZone !== undefined && expected !== undefined) {
    const parents = servers.length > 0 ? servers : await delegationSet(ctx.deps.route53, parentZone.zone.id);
    const referral = { name: zone, type: 'NS', judge: (m: DnsMessage) => referralVerdict(m, expected) };
    for (const value of parents)
      targets.push({ role: 'parent', label: value, ...parseServer(value), questions: [referral] });
  }
  const names = listOption(values, 'node-names');
  const nodesZone = resolvers.length > 0 ? privateZone : parentZone;
  const members = nodesZone?.plan.members ?? [];
  const nodeNames = (names.length > 0 ? names : members.map((_, i) => `node${i + 1}`)).map((n) => `${n}.${zone}`);
  const expectedPrivate =
    resolvers.length > 0 && privateZone !== undefined ? expectedOf(cluster, privateZone) : undefined;
  if (expectedPrivate !== undefined) {
    const questions = resolverQuestions(expectedPrivate, nodeNames);
    for (const value of resolvers) {
      targets.push({ role: 'resolver', label: value, ...parseServer(value, 53, 'resolver'), questions });
    }
  }
  const port = integerOption(values, 'node-port', { min: 1, max: 65535, fallback: 53 });
  for (const m of members) {
    const questions = [
      { name: zone, type: 'NS', judge: (msg: DnsMessage) => nodeNsVerdict(msg, zone) },
      { name: zone, type: 'SOA', judge: (msg: DnsMessage) => nodeSoaVerdict(msg, zone) },
      ...nodeNames.map((name) => ({ name, type: 'A', judge: (msg: DnsMessage) => nodeNameVerdict(msg, name) })),
    ];
    targets.push({
      role: 'node',
      label: `ns${m.slot} ${m.instanceId}`,
      host: m.address ?? m.ipv6 ?? '',
      port,
      questions,
    });
  }
  return {
    ...(expected === undefined ? {} : { expected }),
    ...(expectedPrivate === undefined ? {} : { expectedPrivate }),
    targets,
  };
}
