/** `rlec-dns plan`: the exact changes a reconcile would make, as a diff; writes nothing. */
import { runOnce } from '../../lib/controller/run-once.js';
import { type Command, targetRequest } from '../command.js';
import type { Context } from '../context.js';
import { EXIT } from '../failure.js';
import { type OutcomeJson, outcomeJson, outcomeLines, summaryLine } from '../outcomes.js';
import { paint, printJson } from '../output.js';

/** The dry run `plan` prints: the loop's own entry point in plan mode, so it shows what the next sweep writes. */
export async function planClusters(ctx: Context): Promise<OutcomeJson[]> {
  const { outcomes } = await runOnce(ctx.deps, { clusters: await targetRequest(ctx), mode: 'plan' });
  return [...outcomes.values()].map((o) => outcomeJson(o, ctx.io.env));
}

/** 1 when any cluster was refused, deferred or failed, else 2 when changes are pending, else 0. */
export function planExitCode(outcomes: readonly OutcomeJson[]): number {
  if (outcomes.some((o) => o.status === 'refused' || o.status === 'deferred' || o.status === 'failed'))
    return EXIT.error;
  return outcomes.some((o) => o.status === 'pending') ? EXIT.changesPending : EXIT.ok;
}

export const planCommand: Command = {
  spec: {
    name: 'plan',
    summary: 'Show the changes a reconcile would make to Route 53, as a diff. Changes nothing.',
    usage: 'rlec-dns plan [--cluster NAME] [options]',
    details: [
      'Exit status (as terraform plan -detailed-exitcode): 0 when every cluster is in step, 2 when changes are pending, 1 on error or when a cluster is refused (records this deployment did not create).',
    ],
    options: {},
  },
  async run(ctx) {
    const outcomes = await planClusters(ctx);
    if (ctx.options.json) {
      printJson(ctx.io, { changesPending: outcomes.some((o) => o.status === 'pending'), clusters: outcomes });
      return planExitCode(outcomes);
    }
    const p = paint(ctx.io);
    for (const o of outcomes) for (const line of [...outcomeLines(o, p), '']) ctx.io.out(line);
    ctx.io.out(summaryLine(outcomes));
    return planExitCode(outcomes);
  },
};
