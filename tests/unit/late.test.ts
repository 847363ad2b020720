/** What the second look (lib/source/late.ts) makes of each unseen instance, per kind of look. Pure. */
import { describe, expect, it } from 'vitest';
import { NotYetVisibleError } from '../../lib/platform/errors.js';
import type { Instance } from '../../lib/source/instances.js';
import { type Sighting, sightingsOf, type Unseen, unlooked } from '../../lib/source/late.js';

const KEY = 'rlec:cluster';
const config = { clusterTagKey: KEY };

const instance = (id: string, state: string, cluster?: string): Instance => ({
  id,
  state,
  tags: cluster === undefined ? {} : { [KEY]: cluster },
});

const one = (state: 'running' | 'pending', found: Instance[], tagged: boolean): Sighting | undefined =>
  sightingsOf(new Map([['i-1', state]]) as Unseen, found, { tagged }, config).get('i-1');

describe('sightingsOf', () => {
  it('takes an instance absent from the check read (a tagged read) as not a member', () => {
    expect(one('running', [], true)).toEqual({ kind: 'not-member' });
  });

  it('takes an instance absent from the read by id as not shown yet, naming it and its event’s state', () => {
    // Act
    const sighting = one('pending', [], false);

    // Assess
    expect(sighting?.kind).toBe('not-yet');
    const error = sighting?.kind === 'not-yet' ? sighting.error : undefined;
    expect(error).toBeInstanceOf(NotYetVisibleError);
    expect(error?.message).toBe('instance i-1 is pending per its event but EC2 does not show it yet');
  });

  it('names the cluster of a tagged instance, normalised, in either look', () => {
    for (const tagged of [true, false]) {
      expect(one('running', [instance('i-1', 'running', 'C1.Example.com.')], tagged)).toEqual({
        kind: 'member',
        cluster: 'c1.example.com',
      });
    }
  });

  it('waits for a running event’s instance EC2 still shows pending, but not for a pending event’s', () => {
    // Act
    const afterRunning = one('running', [instance('i-1', 'pending', 'c1.example.com')], true);
    const afterPending = one('pending', [instance('i-1', 'pending', 'c1.example.com')], true);

    // Assess
    expect(afterRunning?.kind).toBe('not-yet');
    expect(afterPending).toEqual({ kind: 'member', cluster: 'c1.example.com' });
  });

  it('reconciles the cluster of a tagged instance that has stopped since its event', () => {
    expect(one('running', [instance('i-1', 'stopped', 'c1.example.com')], false)).toEqual({
      kind: 'member',
      cluster: 'c1.example.com',
    });
  });

  it('takes a shown instance without the cluster tag as not a member, even in the read by id', () => {
    expect(one('running', [instance('i-1', 'running')], false)).toEqual({ kind: 'not-member' });
  });

  it('refuses an invalid tag value, with the problem that names the instance', () => {
    // Act
    const sighting = one('running', [instance('i-1', 'running', 'not a name!')], true);

    // Assess
    expect(sighting?.kind).toBe('refused');
    expect(sighting?.kind === 'refused' && sighting.problem).toMatchObject({
      instanceId: 'i-1',
      kind: 'invalid-cluster-tag',
    });
  });

  it('gives one sighting per unseen instance, ignoring the other instances of the look', () => {
    // Act
    const sightings = sightingsOf(
      new Map([
        ['i-1', 'running'],
        ['i-2', 'running'],
      ]),
      [instance('i-2', 'running', 'c2.example.com'), instance('i-3', 'running', 'c3.example.com')],
      { tagged: true },
      config,
    );

    // Assess
    expect([...sightings.keys()]).toEqual(['i-1', 'i-2']);
    expect(sightings.get('i-2')).toEqual({ kind: 'member', cluster: 'c2.example.com' });
  });
});

describe('unlooked', () => {
  it('is a not-yet sighting, so the event is retried', () => {
    const sighting = unlooked('i-9');
    expect(sighting.kind === 'not-yet' && sighting.error.message).toBe(
      'instance i-9: EC2 was not read again before the run ended',
    );
  });
});
