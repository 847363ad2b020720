/** `rlec-dns status`: every cluster (or one), its members, its published records, and whether they agree. */

import { type Command, targetRequest } from '../command.js';
import { describeError, EXIT } from '../failure.js';
import { type Env, type Paint, paint, printJson, table } from '../output.js';
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

function clusterJson(view: ClusterView, env: Env) {
  return {
    cluster: view.cluster,
    state: view.state,
    ...(view.zone === undefined ? {} : { zone: { id: view.zone.id, name: view.zone.name } }),
    members: view.members,
    records: view.records,
    pendingChanges: view.plan?.changes.length ?? 0,
    ...(view.owner === undefined ? {} : { owner: view.owner }),
    ...(view.error === undefined ? {} : { error: describeError(view.error, env) }),
  };
}

function clusterLines(view: ClusterView, p: Paint, env: Env): string[] {
  const state = { 'in-step': p.green, 'out-of-step': p.yellow, elsewhere: p.dim, refused: p.red, failed: p.red }[
    view.state
  ];
  const zone = view.zone === undefined ? '' : `  ${p.dim(`zone ${view.zone.name} (${view.zone.id})`)}`;
  const error = view.error === undefined ? [] : [`  ${p.red(describeError(view.error, env))}`];
  const role = (m: MemberView) => (m.role === 'published' ? p.green : m.role === 'inactive' ? p.dim : p.yellow);
  const rows = view.members.map((m) => [
    m.slot === undefined ? '-' : `ns${m.slot}`,
    m.instanceId,
    m.state,
    m.address ?? '-',
    role(m)(ROLE_LABEL[m.role]),
    m.note ?? '',
  ]);
  const members =
    rows.length === 0 ? ['  no members'] : table([['NS', 'INSTANCE', 'STATE', 'ADDRESS', 'ROLE'], ...rows], '  ');
  const records = zoneFileLines(view.records);
  return [
    `${p.bold(view.cluster)}${zone}`,
    `  ${state(STATE_LABEL[view.state])}${view.owner === undefined ? '' : `: ${view.owner}; never changed here`}`,
    ...error,
    ...members,
    records.length === 0 ? '  no records in Route 53' : '  records in Route 53:',
    ...records.map((line) => `    ${line}`),
  ];
}

export const statusCommand: Command = {
  spec: {
    name: 'status',
    summary: 'Show each cluster: its members, its records in Route 53, and whether they are in step.',
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
