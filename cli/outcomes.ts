/**
 * A reconcile's outcomes (from `plan`'s dry run or `sync`'s real one) as a readable diff and as JSON. Per record set,
 * the DELETE of what Route 53 holds comes before the CREATE that replaces it, as in the batch itself.
 */
import { type ClusterOutcome, writesOf } from '../lib/controller/outcomes.js';
import type { PlacedOutcome } from '../lib/controller/private-side.js';
import type { ResolverOutcome } from '../lib/controller/resolver-rule.js';
import { type Change, describeRecord, keyOf } from '../lib/plan/records.js';
import { describeOwner } from '../lib/registry/ownership.js';
import { describeError } from './failure.js';
import type { Env, Paint } from './output.js';
import { plural } from './output.js';
import { ruleLines } from './private-lines.js';
import { type RuleJson, ruleJson } from './private-view.js';
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

/** The cluster in one of its zones (ZONE_TYPE=both: its public and its private zone, each on its own). */
export interface PlacementJson {
  readonly zone: { readonly id: string; readonly name: string; readonly private: boolean };
  readonly status: OutcomeStatus;
  /** This zone's changes (the cluster's former zone's clean-up is in the cluster's `writes` only). */
  readonly changes: readonly ChangeJson[];
  readonly owner?: string;
  readonly error?: string;
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
  /** Every zone the cluster is published in, in the loop's order (the public zone first). */
  readonly zones: readonly PlacementJson[];
  /** The private side (RESOLVER_RULE): the cluster's Resolver rule; absent when off or not a private cluster. */
  readonly rule?: RuleJson;
}

/** What the loop's run says of a cluster beside its combined outcome: each zone's outcome, and its rule's. */
export interface OutcomeExtras {
  readonly placed?: readonly PlacedOutcome[];
  readonly rule?: ResolverOutcome | undefined;
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

/** Outcomes as JSON, with the cluster's zones and rule when the run gives them. */
export function outcomeJson(outcome: ClusterOutcome, env: Env, extras: OutcomeExtras = {}): OutcomeJson {
  const zones = (extras.placed ?? []).filter((p) => p.cluster === outcome.cluster).map((p) => placementJson(p, env));
  const rule = ruleJson(extras.rule, env);
  return { ...combinedJson(outcome, env), zones, ...(rule === undefined ? {} : { rule }) };
}

function placementJson(placed: PlacedOutcome, env: Env): PlacementJson {
  const { status, changes, owner, error } = combinedJson(placed.outcome, env);
  const zone = { id: placed.zone.id, name: placed.zone.name, private: placed.zone.private };
  return {
    zone,
    status,
    changes,
    ...(owner === undefined ? {} : { owner }),
    ...(error === undefined ? {} : { error }),
  };
}

function combinedJson(outcome: ClusterOutcome, env: Env): Omit<OutcomeJson, 'zones'> {
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

const zoneText = (z: PlacementJson['zone']) => `zone ${z.name} (${z.id}) ${z.private ? 'private' : 'public'}`;

/**
 * A cluster's heading line and its diff, then its Resolver rule. In a split view (two zones or more), each zone has
 * its own heading, status and diff.
 */
export function outcomeLines(o: OutcomeJson, paint: Paint): string[] {
  const rule = o.rule === undefined ? [] : ruleLines(o.rule, paint);
  if (o.zones.length > 1) return [...splitLines(o, paint), ...rule];
  return [...zoneLines(o, paint), ...rule];
}

function splitLines(o: OutcomeJson, paint: Paint): string[] {
  const placed = new Set(o.zones.map((z) => z.zone.id));
  const former = o.writes.filter((w) => !placed.has(w.zone.id));
  return [
    paint.bold(o.cluster),
    `  ${headOf(o, paint)}`,
    ...o.zones.flatMap((z) => [
      `  ${paint.dim(zoneText(z.zone))}: ${headOf(z, paint)}`,
      ...diffLines(z.changes, paint),
    ]),
    ...former.flatMap((w) => [
      `    ${paint.dim(`in zone ${w.zone.name} (${w.zone.id}), no longer the cluster's zone:`)}`,
      ...diffLines(w.changes, paint),
    ]),
  ];
}

function headOf(o: Pick<OutcomeJson, 'status' | 'changes' | 'changeId' | 'owner' | 'error'>, paint: Paint): string {
  const n = plural(o.changes.length, 'change');
  const head: Record<OutcomeStatus, string> = {
    'in-step': paint.green('in step, nothing to do'),
    pending: paint.yellow(`${n} pending`),
    changed: paint.green(`${n} applied${o.changeId === undefined ? '' : ` (change ${o.changeId})`}`),
    elsewhere: paint.dim(`owned elsewhere: ${o.owner ?? ''}; never changed here`),
    refused: paint.red(`refused: ${o.error ?? ''}`),
    deferred: paint.yellow(`deferred: ${o.error ?? ''}`),
    failed: paint.red(`failed: ${o.error ?? ''}`),
  };
  return head[o.status];
}

function zoneLines(o: OutcomeJson, paint: Paint): string[] {
  const zone = o.zone === undefined ? '' : `  ${paint.dim(`zone ${o.zone.name} (${o.zone.id})`)}`;
  // Changes to another zone than the cluster's (its former zone's clean-up) say which zone they go to.
  const body = o.writes.flatMap((w) => [
    ...(w.zone.id === o.zone?.id
      ? []
      : [`    ${paint.dim(`in zone ${w.zone.name} (${w.zone.id}), no longer the cluster's zone:`)}`]),
    ...diffLines(w.changes, paint),
  ]);
  return [`${paint.bold(o.cluster)}${zone}`, `  ${headOf(o, paint)}`, ...body];
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
