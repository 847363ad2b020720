import { describe, expect, it } from 'vitest';
import { SeenInstances } from '../../lib/source/hints.js';

const config = { clusterTagKey: 'rlec:cluster' };
const nodeA = { id: 'i-0a', state: 'terminated', tags: { 'rlec:cluster': 'c1.example.com' } };
const untagged = { id: 'i-0b', state: 'running', tags: { Name: 'web' } };
const refusedTag = { id: 'i-0c', state: 'running', tags: { 'rlec:cluster': 'not a name' } };

describe('SeenInstances', () => {
  it('remembers the cluster each tagged instance was seen in, in any state, normalised', () => {
    // Prepare
    const seen = new SeenInstances();

    // Act
    seen.rememberInstances(
      [nodeA, untagged, refusedTag, { ...nodeA, id: 'i-0d', tags: { 'rlec:cluster': 'C2.Example.com.' } }],
      config,
    );

    // Assess
    expect(seen.clustersOf('i-0a')).toEqual(['c1.example.com']);
    expect(seen.clustersOf('i-0d')).toEqual(['c2.example.com']);
    expect(seen.clustersOf('i-0b')).toEqual([]);
    expect(seen.clustersOf('i-0c')).toEqual([]);
  });

  it('keeps every cluster an instance was seen in, and leaves out the ones it is in now', () => {
    // Prepare
    const seen = new SeenInstances();
    seen.rememberMembers('c1.example.com', ['i-0a']);
    seen.rememberMembers('c2.example.com', ['i-0a']);

    // Act & Assess
    expect(seen.clustersOf('i-0a')).toEqual(['c1.example.com', 'c2.example.com']);
    expect(seen.clustersOf('i-0a', new Set(['c2.example.com']))).toEqual(['c1.example.com']);
  });

  it('forgets the instances seen longest ago once it holds 50,000', () => {
    // Prepare
    const seen = new SeenInstances();

    // Act
    for (let i = 0; i <= 50_000; i++) seen.remember(`i-${i}`, 'c1.example.com');

    // Assess
    expect(seen.clustersOf('i-0')).toEqual([]);
    expect(seen.clustersOf('i-1')).toEqual(['c1.example.com']);
    expect(seen.clustersOf('i-50000')).toEqual(['c1.example.com']);
  });
});
