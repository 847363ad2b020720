/**
 * A second look at the instances of `running` and `pending` events that EC2's tagged read did not show. Such an
 * instance is almost always one without the cluster tag (every instance of the account and Region sends state
 * events); rarely it is a tagged one EC2 does not show yet (eventually consistent). Telling the two apart used to
 * cost a read by id for every batch with such events; now it costs nothing when the run writes, because the read that
 * follows every write (reconciler.ts) is taken as a tagged read in any state and looked in:
 *
 * | the run                        | the second look                    | the instance there     | the event            |
 * |--------------------------------|------------------------------------|------------------------|----------------------|
 * | writes                         | the check read (tagged, any state) | absent                 | done: not a member   |
 * | writes nothing                 | one read by id                     | absent                 | retried (not yet)    |
 * | either                         | either                             | tagged, pending, after | retried (not yet)    |
 * |                                |                                    | a `running` event      |                      |
 * | either                         | either                             | tagged, otherwise      | its cluster is       |
 * |                                |                                    |                        | reconciled this run  |
 * | either                         | either                             | shown, no cluster tag  | done: not a member   |
 * | either                         | either                             | tag value refused      | done: logged, counted|
 * | ends first (time, rounds)      | none                               | —                      | retried              |
 *
 * Absent from two tagged reads, one taken before this run's Route 53 reads and one after its writes, an instance is
 * taken to have no cluster tag: a `running` event comes tens of seconds after the launch that set its tags. If EC2
 * still lagged that long, the scheduled sweep is the backstop, as for a missed event.
 */
import type { Config } from '../platform/config.js';
import { NotYetVisibleError } from '../platform/errors.js';
import { clusterOf, type Instance, type MemberProblem } from './instances.js';

export type Sighting =
  /** Tagged with a cluster (in any state but pending after a `running` event): reconciled in this run. */
  | { readonly kind: 'member'; readonly cluster: string }
  /** Not a member: no cluster tag, or absent from both tagged reads. */
  | { readonly kind: 'not-member' }
  /** Its cluster tag's value is refused. */
  | { readonly kind: 'refused'; readonly problem: MemberProblem }
  /** EC2 does not show it yet, or shows it still pending: its event is retried. */
  | { readonly kind: 'not-yet'; readonly error: NotYetVisibleError };

/** The event states whose unseen instance waits for the second look. */
export type StartingState = 'running' | 'pending';

/** Instance id → the state its event gave (`running` where a batch has both). */
export type Unseen = ReadonlyMap<string, StartingState>;

/**
 * What a second look says of each unseen instance. `instances` is that look: the check read's tagged instances
 * (`tagged: true`, where absence means no tag) or the read by id (`tagged: false`, where absence means not yet).
 */
export function sightingsOf(
  unseen: Unseen,
  instances: readonly Instance[],
  look: { readonly tagged: boolean },
  config: Pick<Config, 'clusterTagKey'>,
): Map<string, Sighting> {
  const byId = new Map(instances.map((i) => [i.id, i]));
  const sightings = new Map<string, Sighting>();
  for (const [id, state] of unseen) {
    const instance = byId.get(id);
    sightings.set(id, instance === undefined ? absent(id, state, look.tagged) : sightingOf(instance, state, config));
  }
  return sightings;
}

function absent(id: string, state: string, tagged: boolean): Sighting {
  if (tagged) return { kind: 'not-member' };
  const error = new NotYetVisibleError(`instance ${id} is ${state} per its event but EC2 does not show it yet`);
  return { kind: 'not-yet', error };
}

function sightingOf(instance: Instance, state: string, config: Pick<Config, 'clusterTagKey'>): Sighting {
  const cluster = clusterOf(instance, config);
  if (cluster === undefined) return { kind: 'not-member' };
  if (typeof cluster !== 'string') return { kind: 'refused', problem: cluster };
  if (state === 'running' && instance.state === 'pending') {
    return {
      kind: 'not-yet',
      error: new NotYetVisibleError(`instance ${instance.id} of cluster ${cluster} is still pending per EC2`),
    };
  }
  return { kind: 'member', cluster };
}

/** The look that never came (the run ran out of time or rounds first): the event is retried. */
export function unlooked(id: string): Sighting {
  return {
    kind: 'not-yet',
    error: new NotYetVisibleError(`instance ${id}: EC2 was not read again before the run ended`),
  };
}
