/** `rlec-dns sync`: applies the plan, prints what changed, and waits until Route 53 has it everywhere. */
import { runOnce } from '../../lib/controller/run-once.js';
import { integerOption, type Values } from '../args.js';
import { type Command, targetRequest } from '../command.js';
import type { Context } from '../context.js';
import { EXIT } from '../failure.js';
import { type OutcomeJson, outcomeJson, outcomeLines, summaryLine } from '../outcomes.js';
import { paint, plural, printJson } from '../output.js';
import { orphanLines, ruleSummaryLine } from '../private-lines.js';
import { orphanJson } from '../private-view.js';
import { type WaitResult, waitForChanges } from '../wait.js';

async function wait(ctx: Context, ids: readonly string[], timeoutMs: number): Promise<WaitResult> {
  const { io } = ctx;
  const showProgress = io.errIsTTY && !ctx.options.json;
  const result = await waitForChanges(ctx.deps.route53, ids, {
    timeoutMs,
    onProgress: (pending, elapsedMs) => {
      if (!showProgress || pending.length === 0) return;
      const s = Math.round(elapsedMs / 1000);
      io.progress(`waiting for Route 53: ${plural(pending.length, 'change')} PENDING (${s} s)`);
    },
  });
  if (showProgress) io.progress('');
  return result;
}

function waitLine(ctx: Context, result: WaitResult): string {
  const p = paint(ctx.io);
  const s = `${Math.round(result.elapsedMs / 1000)} s`;
  if (result.insync) return p.green(`Route 53: INSYNC after ${s}`);
  return p.red(
    `Route 53: still PENDING after ${s}: ${result.pending.join(', ')} (the change is made; it is not yet on every name server)`,
  );
}

const waitTimeoutMs = (values: Values): number =>
  integerOption(values, 'wait-timeout', { min: 1, max: 3600, fallback: 300 }) * 1000;

export const syncCommand: Command = {
  spec: {
    name: 'sync',
    summary: 'Apply the changes plan shows, print them, and wait until Route 53 reports them INSYNC.',
    usage: 'rlec-dns sync [--cluster NAME] [--no-wait] [options]',
    details: [
      "Runs the same reconcile as the functions: compare-and-swap batches, retried when another writer wins a race; with RESOLVER_RULE, each private cluster's Resolver rule after its records, and (without --cluster) the removal of our rules whose cluster is gone. Exit status: 0 when every cluster is in step (and the changes are INSYNC, unless --no-wait), 1 on error, refusal (of the records or of the private side), or when the wait times out.",
    ],
    options: {
      'no-wait': { type: 'boolean', description: 'return once Route 53 accepts the changes; do not wait for INSYNC' },
      'wait-timeout': {
        type: 'string',
        placeholder: 'SECONDS',
        description: 'give up waiting after this long (default 300)',
      },
    },
  },
  check(values) {
    waitTimeoutMs(values);
  },
  async run(ctx, values) {
    const timeoutMs = waitTimeoutMs(values);
    const run = await runOnce(ctx.deps, { clusters: await targetRequest(ctx), mode: 'apply' });
    const extras = (cluster: string) => ({ placed: run.placed, rule: run.rules.get(cluster) });
    const outcomes: OutcomeJson[] = [...run.outcomes.values()].map((o) =>
      outcomeJson(o, ctx.io.env, extras(o.cluster)),
    );
    const orphans = run.orphans.map((o) => orphanJson(o, ctx.io.env));
    const ids = outcomes.flatMap((o) => o.writes.flatMap((w) => (w.changeId === undefined ? [] : [w.changeId])));
    const p = paint(ctx.io);
    if (!ctx.options.json) {
      for (const o of outcomes) for (const line of [...outcomeLines(o, p), '']) ctx.io.out(line);
      const removed = orphanLines(orphans, p);
      for (const line of removed.length === 0 ? [] : [...removed, '']) ctx.io.out(line);
      ctx.io.out(summaryLine(outcomes));
      const rules = ruleSummaryLine(
        outcomes.flatMap((o) => (o.rule === undefined ? [] : [o.rule])),
        orphans,
      );
      if (rules !== undefined) ctx.io.out(rules);
    }
    const result = ids.length === 0 || values['no-wait'] === true ? undefined : await wait(ctx, ids, timeoutMs);
    if (ctx.options.json) printJson(ctx.io, { clusters: outcomes, orphanRules: orphans, wait: result ?? null });
    else if (result !== undefined) ctx.io.out(waitLine(ctx, result));
    const bad = new Set(['refused', 'deferred', 'failed']);
    // A private side refused or failed (a foreign rule, throttling) is a failure too; the records may still be right.
    const failed =
      outcomes.some((o) => bad.has(o.status) || bad.has(o.rule?.status ?? '')) ||
      orphans.some((o) => bad.has(o.status));
    return failed || result?.insync === false ? EXIT.error : EXIT.ok;
  },
};
