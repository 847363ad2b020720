import { describe, expect, it } from 'vitest';
import type { RecordSet } from '../../lib/plan/records.js';
import { HiddenDelegationError } from '../../lib/platform/errors.js';
import { checkCuts, createsDelegation, namesBetween } from '../../lib/registry/cuts.js';

const exampleCom = { id: 'Z1', name: 'example.com.', private: false };
const subDelegation: RecordSet = { name: 'sub.example.com.', type: 'NS', ttl: 300, values: ['ns1.other.net.'] };
const nestedDelegation: RecordSet = {
  name: 'a.c1.example.com.',
  type: 'NS',
  ttl: 60,
  values: ['ns1.a.c1.example.com.'],
};
const ownNs: RecordSet = { name: 'c1.example.com.', type: 'NS', ttl: 60, values: ['ns1.c1.example.com.'] };
const base = {
  cluster: 'c1.example.com',
  zone: exampleCom,
  current: [],
  above: [],
  clusters: new Map(),
  creating: true,
};

describe('namesBetween', () => {
  it.each([
    ['c1.example.com', []],
    ['c2.sub.example.com', ['sub.example.com.']],
    ['x.b.a.example.com', ['b.a.example.com.', 'a.example.com.']],
  ])('lists the names strictly between the apex and %s', (cluster, names) => {
    expect(namesBetween(exampleCom, cluster)).toEqual(names);
  });
});

describe('checkCuts', () => {
  it('refuses a cluster below an NS record in the zone, naming it, even when it already exists', () => {
    const input = { ...base, cluster: 'c2.sub.example.com', above: [subDelegation], creating: false };
    expect(() => checkCuts(input)).toThrow(HiddenDelegationError);
    expect(() => checkCuts(input)).toThrow('it lies below the delegation sub.example.com. 300 NS ns1.other.net.');
  });

  it('refuses a new cluster below another cluster tagged here, naming the instances', () => {
    const input = { ...base, cluster: 'ns4.c1.example.com', clusters: new Map([['c1.example.com', ['i-0a']]]) };
    expect(() => checkCuts(input)).toThrow(
      "it lies below cluster c1.example.com (tagged on i-0a), whose delegation would hide it; ns4.c1.example.com is one of c1.example.com's own names",
    );
  });

  it('does not refuse a cluster that already works because a cluster above it is tagged', () => {
    const input = {
      ...base,
      cluster: 'a.c1.example.com',
      clusters: new Map([['c1.example.com', ['i-0a']]]),
      creating: false,
    };
    expect(() => checkCuts(input)).not.toThrow();
  });

  it('refuses a new cluster whose delegation would hide one below it', () => {
    expect(() => checkCuts({ ...base, current: [nestedDelegation] })).toThrow(
      'its delegation would hide the delegation a.c1.example.com. 60 NS ns1.a.c1.example.com. below it',
    );
  });

  it('lets a cluster keep its own NS record', () => {
    expect(() => checkCuts({ ...base, current: [ownNs], creating: false })).not.toThrow();
  });

  it('ignores a tag naming the zone apex itself, which is no cluster', () => {
    expect(() => checkCuts({ ...base, clusters: new Map([['example.com', ['i-0a']]]) })).not.toThrow();
  });

  it('accepts a cluster beside another, whose name only shares a suffix', () => {
    expect(() =>
      checkCuts({ ...base, cluster: 'xc1.example.com', clusters: new Map([['c1.example.com', []]]) }),
    ).not.toThrow();
  });
});

describe('createsDelegation', () => {
  it('is true for a first write and false for a change of an existing NS record', () => {
    expect(createsDelegation('c1.example.com', [{ action: 'CREATE', record: ownNs }])).toBe(true);
    expect(
      createsDelegation('c1.example.com', [
        { action: 'DELETE', record: ownNs },
        { action: 'CREATE', record: ownNs },
      ]),
    ).toBe(false);
  });
});
