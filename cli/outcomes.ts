/**
 * A reconcile's outcomes (from `plan`'s dry run or `sync`'s real one) as a readable diff and as JSON. Per record set,
 * the DELETE of what Route 53 holds comes before the CREATE that replaces it, as in the batch itself.
 */
import type { ClusterOutcome } from '../lib/controller/reconciler.js';
import { type Change, describeRecord, keyOf } from '../lib/plan/records.js';
import { describeError } from './failure.js';
import type { Env, Paint } from './output.js';
import { plural } from './output.js';
import { changeIdOf } from './wait.js';

export interface ChangeJson {
  readonly action: 'CREATE' | 'DELETE';
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly values: readonly string[];
}

/** in-step: nothing to do; pending: a dry run found changes; changed: they were written; deferred: out of time. */
export type OutcomeStatus = 'in-step' | 'pending' | 'changed' | 'refused' | 'deferred' | 'failed';

export interface OutcomeJson {
  readonly cluster: string;
  readonly status: OutcomeStatus;
  readonly zone?: { readonly id: string; readonly name: string };
  readonly changes: readonly ChangeJson[];
  readonly changeId?: string;
  readonly error?: string;
}

const changeJson = (c: Change): ChangeJson => ({ action: c.action, ...c.record });

/** Outcomes as JSON. A dry run reports its changes as `pending` (the loop calls them `unchanged`: nothing written). */
export function outcomeJson(outcome: ClusterOutcome, env: Env): OutcomeJson {
  const { cluster } = outcome;
  if (outcome.status === 'refused' || outcome.status === 'deferred' || outcome.status === 'failed') {
    return { cluster, status: outcome.status, changes: [], error: describeError(outcome.error, env) };
  }
  const zone = { id: outcome.zone.id, name: outcome.zone.name };
  const changes = outcome.plan.changes.map(changeJson);
  if (outcome.status === 'changed') {
    const changeId = outcome.changeId === undefined ? {} : { changeId: changeIdOf(outcome.changeId) };
    return { cluster, status: 'changed', zone, changes, ...changeId };
  }
  return { cluster, status: changes.length === 0 ? 'in-step' : 'pending', zone, changes };
}

/** `- old` / `+ new` lines, grouped per record set. */
export function diffLines(changes: readonly ChangeJson[], paint: Paint): string[] {
  const keys = [...new Set(changes.map((c) => keyOf(c)))];
  return keys.flatMap((key) =>
    changes
      .filter((c) => keyOf(c) === key)
      .map((c) => (c.action === 'DELETE' ? paint.red(`- ${describeRecord(c)}`) : paint.green(`+ ${describeRecord(c)}`)))
      .map((line) => `    ${line}`),
  );
}

/** A cluster's heading line and its diff. */
export function outcomeLines(o: OutcomeJson, paint: Paint): string[] {
  const zone = o.zone === undefined ? '' : `  ${paint.dim(`zone ${o.zone.name} (${o.zone.id})`)}`;
  const n = plural(o.changes.length, 'change');
  const head: Record<OutcomeStatus, string> = {
    'in-step': paint.green('in step, nothing to do'),
    pending: paint.yellow(`${n} pending`),
    changed: paint.green(`${n} applied${o.changeId === undefined ? '' : ` (change ${o.changeId})`}`),
    refused: paint.red(`refused: ${o.error ?? ''}`),
    deferred: paint.yellow(`deferred: ${o.error ?? ''}`),
    failed: paint.red(`failed: ${o.error ?? ''}`),
  };
  return [`${paint.bold(o.cluster)}${zone}`, `  ${head[o.status]}`, ...diffLines(o.changes, paint)];
}

/** `3 clusters: 1 pending, 2 in step`. */
export function summaryLine(outcomes: readonly OutcomeJson[]): string {
  const order: OutcomeStatus[] = ['changed', 'pending', 'in-step', 'refused', 'deferred', 'failed'];
  const counts = order
    .map((s) => [s, outcomes.filter((o) => o.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s.replace('-', ' ')}`);
  return `${plural(outcomes.length, 'cluster')}${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`;
}
