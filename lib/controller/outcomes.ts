/**
 * What the loop says happened to each cluster. Every caller (the event path, the sweep, the CLI's plan, sync and
 * status) reads the same outcomes from the same entry point (run-once.ts).
 *
 * | status      | meaning                                                                       | events retried |
 * |-------------|-------------------------------------------------------------------------------|----------------|
 * | `unchanged` | Route 53 was already right                                                    | no             |
 * | `planned`   | a dry run: `writes` would be made                                             | –              |
 * | `changed`   | `writes` were made (every round, every zone, each with its change id)         | no             |
 * | `elsewhere` | bound to another account or Region: never touched here                        | no             |
 * | `refused`   | a permanent problem (foreign records, hidden delegation, access denied, …)    | no             |
 * | `deferred`  | not started: the invocation was short of time                                 | yes            |
 * | `failed`    | a transient problem that outlasted its retries                                | yes            |
 */
import type { Plan } from '../plan/plan.js';
import type { Change, RecordSet } from '../plan/records.js';
import type { DeferredError, PermanentError } from '../platform/errors.js';
import type { HostedZone } from '../registry/zones.js';

/** One request's worth of changes to one zone (or, for `planned`, the changes a request would carry). */
export interface Write {
  readonly zone: HostedZone;
  readonly changes: readonly Change[];
  /** Route 53's change id (for GetChange); absent for a dry run. */
  readonly changeId?: string | undefined;
}

interface Planned {
  readonly cluster: string;
  /** The last plan for the cluster's zone. */
  readonly plan: Plan;
  readonly zone: HostedZone;
  /** What Route 53 held at the cluster's names when that plan was made. */
  readonly records: readonly RecordSet[];
}

export type ClusterOutcome =
  | (Planned & { readonly status: 'unchanged' })
  | (Planned & { readonly status: 'planned' | 'changed'; readonly writes: readonly Write[] })
  | (Planned & { readonly status: 'elsewhere' })
  | {
      readonly cluster: string;
      readonly status: 'refused';
      readonly error: PermanentError;
      readonly zone?: HostedZone | undefined;
      readonly records?: readonly RecordSet[] | undefined;
    }
  | { readonly cluster: string; readonly status: 'deferred'; readonly error: DeferredError }
  | {
      readonly cluster: string;
      readonly status: 'failed';
      readonly error: unknown;
      readonly zone?: HostedZone | undefined;
      readonly records?: readonly RecordSet[] | undefined;
    };

export type OutcomeStatus = ClusterOutcome['status'];

/** The outcomes whose events must come back: the cluster was not reconciled, and may be on a later delivery. */
export const needsRetry = (outcome: ClusterOutcome | undefined): boolean =>
  outcome?.status === 'failed' || outcome?.status === 'deferred';

/** Every write of an outcome (none for the statuses that write nothing). */
export const writesOf = (outcome: ClusterOutcome): readonly Write[] =>
  outcome.status === 'changed' || outcome.status === 'planned' ? outcome.writes : [];

/** Which status a cluster takes when its placements (zones) end differently: the first of these that any has. */
const PRECEDENCE: readonly OutcomeStatus[] = [
  'failed',
  'deferred',
  'refused',
  'elsewhere',
  'changed',
  'planned',
  'unchanged',
];

/**
 * One cluster's outcome from those of its placements (one per zone it is published in): the one that must be acted
 * on wins (a failure, whose events come back, before a refusal), and the writes of every zone are kept.
 */
export function combineOutcomes(a: ClusterOutcome | undefined, b: ClusterOutcome): ClusterOutcome {
  if (a === undefined) return b;
  const [first, second] = PRECEDENCE.indexOf(a.status) <= PRECEDENCE.indexOf(b.status) ? [a, b] : [b, a];
  if (first.status !== 'changed' && first.status !== 'planned') return first;
  return { ...first, writes: [...first.writes, ...writesOf(second)] };
}
