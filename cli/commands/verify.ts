/**
 * `rlec-dns verify`: the field guide's `dig` check, automated. Asks the parent zone's servers for the cluster's NS
 * (expecting a referral to exactly the published names, with the running members' addresses as A and AAAA glue),
 * resolvers inside the VPC (--resolver) recursively for the private zone's names, then each node's own DNS server
 * for the cluster's NS, SOA and node names. Which servers, and what is expected of each: ../verify/targets.ts.
 */
import { integerOption, listOption, UsageError } from '../args.js';
import { type Command, namedCluster } from '../command.js';
import type { Context } from '../context.js';
import { EXIT } from '../failure.js';
import { paint, plural, printJson, table } from '../output.js';
import type { Expected } from '../verify/checks.js';
import { parseServer, probe, type ServerResult } from '../verify/probe.js';
import { planChecks } from '../verify/targets.js';

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
    usage: 'rlec-dns verify --cluster NAME [--server HOST[:PORT]]... [--resolver HOST[:PORT]]... [options]',
    details: [
      "Asks the parent zone's authoritative servers (the hosted zone's delegation set from GetHostedZone, or each --server) for the cluster's NS without recursion: it expects a referral listing exactly the names Route 53 publishes, with the running members' addresses as glue (A, and AAAA with ADDRESS_FAMILY ipv6 or dual). With --resolver (a cluster in a private zone), asks each of those resolvers inside the VPC, recursively, for the cluster's NS, each name server's address and the node names: the answers must match the private zone's glue (the VPC Resolver follows the Resolver rule and gives no referral); without --server, no parent is asked then. Then asks each running member's DNS server for the cluster's NS and SOA and for the node names. UDP, then TCP when the answer is truncated.",
      'Exit status: 0 when every server passes every check, 1 otherwise.',
    ],
    options: {
      server: {
        type: 'string',
        multiple: true,
        placeholder: 'HOST[:PORT]',
        description: "ask this server as the parent zone's (repeatable)",
      },
      resolver: {
        type: 'string',
        multiple: true,
        placeholder: 'HOST[:PORT]',
        description:
          "ask this resolver inside the VPC (the VPC Resolver at the VPC's .2 address, or your own) recursively for the private zone's names (repeatable)",
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
  check(values) {
    for (const value of listOption(values, 'server')) parseServer(value);
    for (const value of listOption(values, 'resolver')) parseServer(value, 53, 'resolver');
  },
  async run(ctx, values) {
    if (ctx.options.cluster === undefined) throw new UsageError('verify needs --cluster NAME', 'verify');
    const timeoutMs = integerOption(values, 'timeout', { min: 1, max: 60_000, fallback: 2000 });
    const [cluster = ''] = (await namedCluster(ctx)) ?? [];
    const { expected, expectedPrivate, targets } = await planChecks(ctx, values, cluster);
    const results = await Promise.all(targets.map((t) => probe(t, timeoutMs)));
    const pass = results.every((r) => r.pass);
    if (ctx.options.json) {
      const glue = (e: Expected) => ({
        published: e.published,
        glue: Object.fromEntries(e.glue),
        ...(e.glue6 === undefined || e.glue6.size === 0 ? {} : { glue6: Object.fromEntries(e.glue6) }),
      });
      printJson(ctx.io, {
        cluster,
        pass,
        expected: expected === undefined ? { published: [], glue: {} } : glue(expected),
        ...(expectedPrivate === undefined ? {} : { expectedPrivate: glue(expectedPrivate) }),
        servers: results,
      });
    } else render(ctx, cluster, results);
    return pass ? EXIT.ok : EXIT.error;
  },
};
