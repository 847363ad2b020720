/** `rlec-dns status`: every cluster (or one), its members, its published records, and whether they agree. */

import { type Command, targetRequest } from '../command.js';
import { describeError, EXIT } from '../failure.js';
import { type Env, type Paint, paint, printJson, table } from '../output.js';
import { ruleLines } from '../private-lines.js';
import { ruleJson } from '../private-view.js';
import { type ClusterView, clusterStatus, type MemberView } from '../status-view.js';
import { zoneFileLines } from '../zone-file.js';

const STATE_LABEL: Record<ClusterView['state'], string> = {
  'in-step': 'in step',
  'out-of-step': 'out of step (see rlec-dns plan)',
  elsewhere: 'owned elsewhere',
  refused: 'refused',
  failed: 'failed',
};

const ROLE_LABEL: Record<MemberView['role'], string> = {
  published: 'published',
  pending: 'to publish',
  stale: 'to remove',
  inactive: 'not a member',
};

function zoneJson(view: ClusterView, env: Env) {
  return {
    ...(view.zone === undefined
      ? {}
      : { zone: { id: view.zone.id, name: view.zone.name, private: view.zone.private } }),
    state: view.state,
    members: view.members,
    records: view.records,
    pendingChanges: view.plan?.changes.length ?? 0,
    ...(view.owner === undefined ? {} : { owner: view.owner }),
    ...(view.error === undefined ? {} : { error: describeError(view.error, env) }),
  };
}

function clusterJson(view: ClusterView, env: Env) {
  const rule = ruleJson(view.rule, env);
  return {
    cluster: view.cluster,
    state: view.state,
    ...(view.zone === undefined ? {} : { zone: { id: view.zone.id, name: view.zone.name } }),
    members: view.members,
    records: view.records,
    pendingChanges: view.plan?.changes.length ?? 0,
    ...(view.owner === undefined ? {} : { owner: view.owner }),
    ...(view.error === undefined ? {} : { error: describeError(view.error, env) }),
    zones: (view.zones ?? []).map((z) => zoneJson(z, env)),
    ...(rule === undefined ? {} : { rule }),
  };
}

const stateColour = (view: ClusterView, p: Paint) =>
  ({ 'in-step': p.green, 'out-of-step': p.yellow, elsewhere: p.dim, refused: p.red, failed: p.red })[view.state];

const stateLine = (view: ClusterView, p: Paint): string =>
  `${stateColour(view, p)(STATE_LABEL[view.state])}${view.owner === undefined ? '' : `: ${view.owner}; never changed here`}`;

/** A view's error, members and records, `indent` in. */
function bodyLines(view: ClusterView, p: Paint, env: Env, indent: string): string[] {
  const error = view.error === undefined ? [] : [`${indent}${p.red(describeError(view.error, env))}`];
  const role = (m: MemberView) => (m.role === 'published' ? p.green : m.role === 'inactive' ? p.dim : p.yellow);
  const rows = view.members.map((m) => [
    m.slot === undefined ? '-' : `ns${m.slot}`,
    m.instanceId,
    m.state,
    [m.address, m.ipv6].filter((a) => a !== undefined).join(' ') || '-',
    role(m)(ROLE_LABEL[m.role]),
    m.note ?? '',
  ]);
  const members =
    rows.length === 0
      ? [`${indent}no members`]
      : table([['NS', 'INSTANCE', 'STATE', 'ADDRESS', 'ROLE'], ...rows], indent);
  const records = zoneFileLines(view.records);
  return [
    ...error,
    ...members,
    records.length === 0 ? `${indent}no records in Route 53` : `${indent}records in Route 53:`,
    ...records.map((line) => `${indent}  ${line}`),
  ];
}

function clusterLines(view: ClusterView, p: Paint, env: Env): string[] {
  const rule = ruleJson(view.rule, env);
  const ruleText = rule === undefined ? [] : ruleLines(rule, p);
  const zones = view.zones ?? [];
  if (zones.length > 1) {
    // A split view: each zone has its own addresses (public or private), records and state.
    return [
      p.bold(view.cluster),
      `  ${stateLine(view, p)}`,
      ...zones.flatMap((z) => [
        `  ${p.dim(`zone ${z.zone?.name ?? '?'} (${z.zone?.id ?? '?'}) ${z.zone?.private ? 'private' : 'public'}`)}: ${stateLine(z, p)}`,
        ...bodyLines(z, p, env, '    '),
      ]),
      ...ruleText,
    ];
  }
  const zone = view.zone === undefined ? '' : `  ${p.dim(`zone ${view.zone.name} (${view.zone.id})`)}`;
  return [`${p.bold(view.cluster)}${zone}`, `  ${stateLine(view, p)}`, ...bodyLines(view, p, env, '  '), ...ruleText];
}

export const statusCommand: Command = {
  spec: {
    name: 'status',
    summary:
      'Show each cluster: its members, its records in Route 53 (each zone of a split view), its Resolver rule, and whether they are in step.',
    usage: 'rlec-dns status [--cluster NAME] [options]',
    details: [
      'Reads Route 53 and EC2; changes nothing. Exit status: 0 when the report was made (whatever it says), 1 on error.',
    ],
    options: {},
  },
  async run(ctx) {
    const report = await clusterStatus(ctx.deps, await targetRequest(ctx));
    const { io } = ctx;
    if (ctx.options.json) {
      printJson(io, { clusters: report.clusters.map((v) => clusterJson(v, io.env)), problems: report.problems });
      return EXIT.ok;
    }
    const p = paint(io);
    if (report.clusters.length === 0) io.out('no clusters: no tagged running instance, no records owned in Route 53');
    report.clusters.forEach((view, i) => {
      if (i > 0) io.out('');
      for (const line of clusterLines(view, p, io.env)) io.out(line);
    });
    for (const problem of report.problems) io.out(p.yellow(`warning: ${problem.message}`));
    return EXIT.ok;
  },
};
