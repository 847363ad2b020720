/**
 * `rlec-dns verify`: the field guide's `dig` check, automated. Asks the parent zone's servers for the cluster's NS
 * (expecting a referral to exactly the published names, with the running members' addresses as glue), then each
 * node's own DNS server for the cluster's NS, SOA and node names.
 */
import { canonicalName, fqdn, nsName } from '../../lib/plan/names.js';
import { integerOption, listOption, UsageError, type Values } from '../args.js';
import { type Command, namedCluster } from '../command.js';
import type { Context } from '../context.js';
import type { DnsMessage } from '../dns/message.js';
import { CliError, describeError, EXIT } from '../failure.js';
import { paint, plural, printJson, table } from '../output.js';
import { clusterStatus } from '../status-view.js';
import { type Expected, nodeNameVerdict, nodeNsVerdict, nodeSoaVerdict, referralVerdict } from '../verify/checks.js';
import { delegationSet, parseServer, probe, type ServerResult, type Target } from '../verify/probe.js';

interface Checks {
  readonly expected: Expected;
  readonly targets: Target[];
}

async function planChecks(ctx: Context, values: Values, cluster: string): Promise<Checks> {
  const [view] = (await clusterStatus(ctx.deps, [cluster])).clusters;
  if (view?.zone === undefined || view.plan === undefined) {
    throw new CliError(`cannot verify ${cluster}: ${describeError(view?.error, ctx.io.env)}`);
  }
  const zone = fqdn(cluster);
  const published = view.records.filter((r) => r.name === zone && r.type === 'NS').flatMap((r) => r.values);
  const members = view.plan.members;
  const expected: Expected = {
    zone,
    published: published.map(canonicalName),
    // IPv4 glue only: the referral check reads A records (AAAA glue is not checked yet).
    glue: new Map(members.flatMap((m) => (m.address === undefined ? [] : [[nsName(cluster, m.slot), m.address]]))),
  };
  const given = listOption(values, 'server');
  const parents = given.length > 0 ? given : await delegationSet(ctx.deps.route53, view.zone.id);
  const referral = { name: zone, type: 'NS', judge: (m: DnsMessage) => referralVerdict(m, expected) };
  const targets: Target[] = parents.map((value) => ({
    role: 'parent',
    label: value,
    ...parseServer(value),
    questions: [referral],
  }));
  const port = integerOption(values, 'node-port', { min: 1, max: 65535, fallback: 53 });
  const names = listOption(values, 'node-names');
  const nodeNames = (names.length > 0 ? names : members.map((_, i) => `node${i + 1}`)).map((n) => `${n}.${zone}`);
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
  return { expected, targets };
}

/** `parent ns-2048.awsdns-64.com (205.251.192.0:53)`, `node ns1 i-0abc… (10.0.1.17:53)`, `parent 10.0.0.2:53`. */
const serverName = (r: ServerResult): string =>
  `${r.role} ${r.label}${r.server === undefined || r.server === r.label ? '' : ` (${r.server})`}`;

function render(ctx: Context, cluster: string, results: readonly ServerResult[]): void {
  const p = paint(ctx.io);
  for (const r of results) {
    const verdict = r.pass ? p.green('pass') : p.red('FAIL');
    ctx.io.out(`${p.bold(serverName(r))}  ${verdict}`);
    const rows = r.checks.map((c) => [
      c.question,
      c.answer,
      c.latencyMs === undefined ? '-' : `${c.latencyMs} ms${c.transport === 'tcp' ? ' tcp' : ''}`,
      c.pass ? p.green('pass') : p.red(`FAIL: ${c.reason ?? ''}`),
    ]);
    for (const line of table([['QUESTION', 'ANSWER', 'TIME', 'VERDICT'], ...rows], '  ')) ctx.io.out(line);
    ctx.io.out('');
  }
  const failed = results.filter((r) => !r.pass);
  const servers = plural(results.length, 'server');
  if (failed.length === 0) ctx.io.out(p.green(`verify ${cluster}: ${servers}, all pass`));
  else {
    const names = failed.map(serverName);
    ctx.io.out(p.red(`verify ${cluster}: ${failed.length} of ${servers} fail: ${names.join(', ')}`));
  }
}

export const verifyCommand: Command = {
  spec: {
    name: 'verify',
    summary:
      "Check the delegation over real DNS, as the field guide's dig does: the parent's referral and each node's answers.",
    usage: 'rlec-dns verify --cluster NAME [--server HOST[:PORT]]... [options]',
    details: [
      "Asks the parent zone's authoritative servers (the hosted zone's delegation set from GetHostedZone, or each --server) for the cluster's NS without recursion: it expects a referral listing exactly the names Route 53 publishes, with the running members' addresses as glue. Then asks each running member's DNS server for the cluster's NS and SOA and for the node names. UDP, then TCP when the answer is truncated.",
      'Exit status: 0 when every server passes every check, 1 otherwise.',
    ],
    options: {
      server: {
        type: 'string',
        multiple: true,
        placeholder: 'HOST[:PORT]',
        description: "ask this server as the parent zone's (repeatable)",
      },
      'node-port': { type: 'string', placeholder: 'PORT', description: "port of the nodes' DNS servers (default 53)" },
      'node-names': {
        type: 'string',
        placeholder: 'LIST',
        description: 'node names to resolve, comma-separated labels (default node1..nodeN, N = members)',
      },
      timeout: { type: 'string', placeholder: 'MS', description: 'time to wait for each answer (default 2000)' },
    },
  },
  async run(ctx, values) {
    if (ctx.options.cluster === undefined) throw new UsageError('verify needs --cluster NAME', 'verify');
    const timeoutMs = integerOption(values, 'timeout', { min: 1, max: 60_000, fallback: 2000 });
    const [cluster = ''] = (await namedCluster(ctx)) ?? [];
    const { expected, targets } = await planChecks(ctx, values, cluster);
    const results = await Promise.all(targets.map((t) => probe(t, timeoutMs)));
    const pass = results.every((r) => r.pass);
    if (ctx.options.json) {
      const glue = Object.fromEntries(expected.glue);
      printJson(ctx.io, { cluster, pass, expected: { published: expected.published, glue }, servers: results });
    } else render(ctx, cluster, results);
    return pass ? EXIT.ok : EXIT.error;
  },
};
