/**
 * A reconcile's outcomes (from `plan`'s dry run or `sync`'s real one) as a readable diff and as JSON. Per record set,
 * the DELETE of what Route 53 holds comes before the CREATE that replaces it, as in the batch itself.
 */
import { type ClusterOutcome, writesOf } from '../lib/controller/outcomes.js';
import { type Change, describeRecord, keyOf } from '../lib/plan/records.js';
import { describeOwner } from '../lib/registry/ownership.js';
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

/**
 * in-step: nothing to do; pending: a dry run found changes; changed: they were written; elsewhere: bound to another
 * account or Region, left alone; deferred: out of time.
 */
export type OutcomeStatus = 'in-step' | 'pending' | 'changed' | 'elsewhere' | 'refused' | 'deferred' | 'failed';

/** One request's changes to one zone, with Route 53's change id once sent. */
export interface WriteJson {
  readonly zone: { readonly id: string; readonly name: string };
  readonly changes: readonly ChangeJson[];
  readonly changeId?: string;
}

export interface OutcomeJson {
  readonly cluster: string;
  readonly status: OutcomeStatus;
  readonly zone?: { readonly id: string; readonly name: string };
  /** Every change, of every write (every round, and the former zone's clean-up, in order). */
  readonly changes: readonly ChangeJson[];
  readonly writes: readonly WriteJson[];
  /** The last write's change id. */
  readonly changeId?: string;
  readonly owner?: string;
  readonly error?: string;
}

const changeJson = (c: Change): ChangeJson => ({ action: c.action, ...c.record });

const STATUS: Record<ClusterOutcome['status'], OutcomeStatus> = {
  unchanged: 'in-step',
  planned: 'pending',
  changed: 'changed',
  elsewhere: 'elsewhere',
  refused: 'refused',
  deferred: 'deferred',
  failed: 'failed',
};

/** Outcomes as JSON. */
export function outcomeJson(outcome: ClusterOutcome, env: Env): OutcomeJson {
  const { cluster } = outcome;
  const status = STATUS[outcome.status];
  if (outcome.status === 'refused' || outcome.status === 'deferred' || outcome.status === 'failed') {
    return { cluster, status, changes: [], writes: [], error: describeError(outcome.error, env) };
  }
  const zone = { id: outcome.zone.id, name: outcome.zone.name };
  const writes: WriteJson[] = writesOf(outcome).map((w) => ({
    zone: { id: w.zone.id, name: w.zone.name },
    changes: w.changes.map(changeJson),
    ...(w.changeId === undefined ? {} : { changeId: changeIdOf(w.changeId) }),
  }));
  const last = writes.at(-1)?.changeId;
  const owner =
    outcome.status === 'elsewhere' && outcome.plan.elsewhere ? { owner: describeOwner(outcome.plan.elsewhere) } : {};
  const changes = writes.flatMap((w) => w.changes);
  return { cluster, status, zone, changes, writes, ...(last === undefined ? {} : { changeId: last }), ...owner };
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
  // Changes to another zone than the cluster's (its former zone's clean-up) say which zone they go to.
  const body = o.writes.flatMap((w) => [
    ...(w.zone.id === o.zone?.id
      ? []
      : [`    ${paint.dim(`in zone ${w.zone.name} (${w.zone.id}), no longer the cluster's zone:`)}`]),
    ...diffLines(w.changes, paint),
  ]);
  const head: Record<OutcomeStatus, string> = {
    'in-step': paint.green('in step, nothing to do'),
    pending: paint.yellow(`${n} pending`),
    changed: paint.green(`${n} applied${o.changeId === undefined ? '' : ` (change ${o.changeId})`}`),
    elsewhere: paint.dim(`owned elsewhere: ${o.owner ?? ''}; never changed here`),
    refused: paint.red(`refused: ${o.error ?? ''}`),
    deferred: paint.yellow(`deferred: ${o.error ?? ''}`),
    failed: paint.red(`failed: ${o.error ?? ''}`),
  };
  return [`${paint.bold(o.cluster)}${zone}`, `  ${head[o.status]}`, ...body];
}

/** `3 clusters: 1 pending, 2 in step`. */
export function summaryLine(outcomes: readonly OutcomeJson[]): string {
  const order: OutcomeStatus[] = ['changed', 'pending', 'in-step', 'elsewhere', 'refused', 'deferred', 'failed'];
  const counts = order
    .map((s) => [s, outcomes.filter((o) => o.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s.replace('-', ' ')}`);
  return `${plural(outcomes.length, 'cluster')}${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`;
}
