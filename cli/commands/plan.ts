/** `rlec-dns plan`: the exact changes a reconcile would make, as a diff; writes nothing. */
import { runOnce } from '../../lib/controller/run-once.js';
import { type Command, targetRequest } from '../command.js';
import type { Context } from '../context.js';
import { EXIT } from '../failure.js';
import { type OutcomeJson, outcomeJson, outcomeLines, summaryLine } from '../outcomes.js';
import { paint, printJson } from '../output.js';
import { orphanLines, ruleSummaryLine } from '../private-lines.js';
import { type OrphanJson, orphanJson } from '../private-view.js';

export interface PlanReport {
  readonly clusters: OutcomeJson[];
  /** Without --cluster: our Resolver rules whose cluster is gone, which the sweep would remove. */
  readonly orphanRules: OrphanJson[];
}

/** The dry run `plan` prints: the loop's own entry point in plan mode, so it shows what the next sweep writes. */
export async function planClusters(ctx: Context): Promise<PlanReport> {
  const run = await runOnce(ctx.deps, { clusters: await targetRequest(ctx), mode: 'plan' });
  const extras = (cluster: string) => ({ placed: run.placed, rule: run.rules.get(cluster) });
  return {
    clusters: [...run.outcomes.values()].map((o) => outcomeJson(o, ctx.io.env, extras(o.cluster))),
    orphanRules: run.orphans.map((o) => orphanJson(o, ctx.io.env)),
  };
}

/** True when the records or a Resolver rule would change (a rule to create, update, (dis)associate, delete). */
export const changesPending = (report: PlanReport): boolean =>
  report.clusters.some((o) => o.status === 'pending' || o.rule?.status === 'pending') ||
  report.orphanRules.some((o) => o.status === 'planned');

/** 1 when any cluster (or its rule) was refused, deferred or failed, else 2 when changes are pending, else 0. */
export function planExitCode(report: PlanReport): number {
  const bad = new Set(['refused', 'deferred', 'failed']);
  if (report.clusters.some((o) => bad.has(o.status) || bad.has(o.rule?.status ?? ''))) return EXIT.error;
  if (report.orphanRules.some((o) => bad.has(o.status))) return EXIT.error;
  return changesPending(report) ? EXIT.changesPending : EXIT.ok;
}

export const planCommand: Command = {
  spec: {
    name: 'plan',
    summary: 'Show the changes a reconcile would make to Route 53 (and to Resolver rules), as a diff. Changes nothing.',
    usage: 'rlec-dns plan [--cluster NAME] [options]',
    details: [
      'With ZONE_TYPE=both, each zone of a cluster (public and private) is shown with its own changes. With RESOLVER_RULE, each private cluster also shows its Resolver rule (type, id, DELEGATE record or FORWARD targets, VPC associations) and the steps a run would take; without --cluster, the rules of ours whose cluster is gone, which the sweep would remove.',
      'Exit status (as terraform plan -detailed-exitcode): 0 when every cluster is in step, 2 when changes are pending, 1 on error or when a cluster (or its private side) is refused (records or rules this deployment did not create).',
    ],
    options: {},
  },
  async run(ctx) {
    const report = await planClusters(ctx);
    if (ctx.options.json) {
      printJson(ctx.io, { changesPending: changesPending(report), ...report });
      return planExitCode(report);
    }
    const p = paint(ctx.io);
    for (const o of report.clusters) for (const line of [...outcomeLines(o, p), '']) ctx.io.out(line);
    const orphans = orphanLines(report.orphanRules, p);
    for (const line of orphans.length === 0 ? [] : [...orphans, '']) ctx.io.out(line);
    ctx.io.out(summaryLine(report.clusters));
    const rules = ruleSummaryLine(
      report.clusters.flatMap((o) => (o.rule === undefined ? [] : [o.rule])),
      report.orphanRules,
    );
    if (rules !== undefined) ctx.io.out(rules);
    return planExitCode(report);
  },
};
