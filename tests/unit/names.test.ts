import { describe, expect, it } from 'vitest';
import {
  canonicalName,
  fqdn,
  isWithin,
  normaliseClusterName,
  nsName,
  OWNER_LABEL,
  ownerName,
  slotOf,
} from '../../lib/plan/names.js';
import { InvalidClusterNameError } from '../../lib/platform/errors.js';

const cluster = 'mycluster.example.com';

/** Route 53's longest name, without the trailing dot. */
const MAX_NAME = 253;
/** What `_rlec-dns.` adds in front of the cluster name. */
const OWNER_PREFIX = `${OWNER_LABEL}.`.length;
const longestCluster = MAX_NAME - OWNER_PREFIX;

/** A valid name of exactly `length` characters, in labels of at most 63 characters, ending in `.example.com`. */
function nameOfLength(length: number): string {
  const suffix = '.example.com';
  let rest = length - suffix.length;
  const labels: string[] = [];
  while (rest > 0) {
    // Leave at least two characters for the next label and its dot, so that no label is empty.
    const size = rest > 64 ? Math.min(63, rest - 2) : rest;
    labels.push('a'.repeat(size));
    rest -= size + 1;
  }
  const name = `${labels.join('.')}${suffix}`;
  if (name.length !== length) throw new Error(`nameOfLength(${length}) built ${name.length} characters`);
  return name;
}

/** Asserts that the value is refused with an InvalidClusterNameError whose reason matches. */
function expectRefused(value: string, reason: RegExp): void {
  expect(() => normaliseClusterName(value)).toThrow(InvalidClusterNameError);
  expect(() => normaliseClusterName(value)).toThrow(
    expect.objectContaining({ value, reason: expect.stringMatching(reason) }),
  );
}

describe('normaliseClusterName', () => {
  it('returns a valid lower-case name unchanged', () => {
    // Prepare
    const value = 'mycluster.example.com';

    // Act
    const name = normaliseClusterName(value);

    // Assess
    expect(name).toBe('mycluster.example.com');
  });

  it('lower-cases a name given in upper case', () => {
    // Prepare
    const value = 'MyCluster.EXAMPLE.com';

    // Act
    const name = normaliseClusterName(value);

    // Assess
    expect(name).toBe('mycluster.example.com');
  });

  it('drops one trailing dot', () => {
    // Prepare
    const value = 'MyCluster.Example.com.';

    // Act
    const name = normaliseClusterName(value);

    // Assess
    expect(name).toBe('mycluster.example.com');
  });

  it('refuses two trailing dots as an empty label', () => {
    // Prepare
    const value = 'mycluster.example.com..';

    // Act & Assess
    expectRefused(value, /empty label/);
  });

  it('accepts an IDN given as punycode (xn-- labels)', () => {
    // Prepare
    const value = 'xn--caf-dma.xn--bcher-kva.example';

    // Act
    const name = normaliseClusterName(value);

    // Assess
    expect(name).toBe('xn--caf-dma.xn--bcher-kva.example');
  });

  it('accepts digits and inner hyphens', () => {
    // Prepare
    const value = 'redis-01.eu-west-1.example.com';

    // Act
    const name = normaliseClusterName(value);

    // Assess
    expect(name).toBe('redis-01.eu-west-1.example.com');
  });

  it.each([
    { what: 'an empty value', value: '', reason: /empty/ },
    { what: 'a lone dot', value: '.', reason: /only a dot/ },
    { what: 'a wildcard label', value: '*.example.com', reason: /wildcard/ },
    { what: 'a wildcard inside a label', value: 'my*cluster.example.com', reason: /wildcard/ },
    { what: 'a space', value: 'my cluster.example.com', reason: /spaces/ },
    { what: 'a leading space', value: ' mycluster.example.com', reason: /spaces/ },
    { what: 'a trailing space', value: 'mycluster.example.com ', reason: /spaces/ },
    { what: 'a tab', value: 'my\tcluster.example.com', reason: /control/ },
    { what: 'a newline', value: 'mycluster.example.com\n', reason: /control/ },
    { what: 'a NUL character', value: 'my\u0000cluster.example.com', reason: /control/ },
    { what: 'a DEL character', value: 'my\u007fcluster.example.com', reason: /control/ },
    { what: 'a non-ASCII letter (IDN not in punycode)', value: 'café.example.com', reason: /non-ASCII.*punycode/ },
    { what: 'a slash', value: 'my/cluster.example.com', reason: /letters, digits and inner hyphens/ },
    { what: 'a backslash', value: 'my\\cluster.example.com', reason: /letters, digits and inner hyphens/ },
    { what: 'an underscore', value: 'my_cluster.example.com', reason: /letters, digits and inner hyphens/ },
    { what: 'an empty label', value: 'a..b', reason: /empty label/ },
    { what: 'a leading dot', value: '.mycluster.example.com', reason: /empty label/ },
    { what: 'a leading hyphen', value: '-mycluster.example.com', reason: /inner hyphens/ },
    { what: 'a trailing hyphen', value: 'mycluster-.example.com', reason: /inner hyphens/ },
    { what: 'a hyphen-only label', value: 'mycluster.-.com', reason: /inner hyphens/ },
    { what: 'a single label', value: 'mycluster', reason: /at least two labels/ },
    { what: 'a single label with a trailing dot', value: 'mycluster.', reason: /at least two labels/ },
  ])('refuses $what', ({ value, reason }) => {
    // Act & Assess
    expectRefused(value, reason);
  });

  it('accepts a label of 63 characters', () => {
    // Prepare
    const value = `${'a'.repeat(63)}.example.com`;

    // Act
    const name = normaliseClusterName(value);

    // Assess
    expect(name).toBe(value);
  });

  it('refuses a label of 64 characters', () => {
    // Prepare
    const value = `${'a'.repeat(64)}.example.com`;

    // Act & Assess
    expectRefused(value, /longer than 63 characters/);
  });

  it('leaves exactly enough room for the ownership record under the longest name Route 53 accepts', () => {
    // Prepare
    const value = nameOfLength(longestCluster);

    // Act
    const name = normaliseClusterName(value);

    // Assess
    expect(name).toBe(value);
    expect(ownerName(name).length).toBe(MAX_NAME + 1); // with its trailing dot
  });

  it('accepts the longest name with its trailing dot', () => {
    // Prepare
    const value = `${nameOfLength(longestCluster)}.`;

    // Act
    const name = normaliseClusterName(value);

    // Assess
    expect(name).toHaveLength(longestCluster);
  });

  it('refuses a name one character too long to leave room for the ownership record', () => {
    // Prepare
    const value = nameOfLength(longestCluster + 1);

    // Act & Assess
    expectRefused(value, new RegExp(`${longestCluster + 1} characters long; at most ${longestCluster}`));
  });

  it('refuses a name longer than Route 53 accepts at all', () => {
    // Prepare
    const value = nameOfLength(MAX_NAME + 10);

    // Act & Assess
    expectRefused(value, /characters long/);
  });

  it('names the refused value and the reason in the message', () => {
    // Prepare
    const value = 'my_cluster.example.com';

    // Act & Assess
    expect(() => normaliseClusterName(value)).toThrow(
      /^invalid cluster name "my_cluster\.example\.com": label "my_cluster" must be/,
    );
  });
});

describe('slotOf', () => {
  it.each([
    { name: 'ns1.mycluster.example.com.', slot: 1 },
    { name: 'ns2.mycluster.example.com.', slot: 2 },
    { name: 'ns10.mycluster.example.com.', slot: 10 },
    { name: 'ns9999.mycluster.example.com.', slot: 9999 },
  ])('reads slot $slot from $name', ({ name, slot }) => {
    // Act
    const found = slotOf(cluster, name);

    // Assess
    expect(found).toBe(slot);
  });

  it.each([
    { what: 'slot zero', name: 'ns0.mycluster.example.com.' },
    { what: 'a leading zero', name: 'ns01.mycluster.example.com.' },
    { what: 'a five-digit slot', name: 'ns10000.mycluster.example.com.' },
    { what: 'no number', name: 'ns.mycluster.example.com.' },
    { what: 'another label', name: 'node1.mycluster.example.com.' },
    { what: 'upper case', name: 'NS1.mycluster.example.com.' },
    { what: 'a deeper name', name: 'ns1.sub.mycluster.example.com.' },
    { what: 'the cluster name itself', name: 'mycluster.example.com.' },
    { what: 'the ownership name', name: '_rlec-dns.mycluster.example.com.' },
    { what: 'another cluster', name: 'ns1.othercluster.example.com.' },
    { what: 'a cluster whose name ends like ours', name: 'ns1.xmycluster.example.com.' },
    { what: 'a name without its trailing dot', name: 'ns1.mycluster.example.com' },
  ])('finds no slot in $what', ({ name }) => {
    // Act
    const found = slotOf(cluster, name);

    // Assess
    expect(found).toBeUndefined();
  });

  it('reads back the slot of every name nsName builds', () => {
    // Prepare
    const slots = [1, 2, 3, 42, 9999];

    // Act
    const found = slots.map((n) => slotOf(cluster, nsName(cluster, n)));

    // Assess
    expect(found).toEqual(slots);
  });
});

describe('record names', () => {
  it('builds the glue name of a slot, fully qualified', () => {
    // Act
    const name = nsName(cluster, 3);

    // Assess
    expect(name).toBe('ns3.mycluster.example.com.');
  });

  it('builds the ownership record name below the cluster', () => {
    // Act
    const name = ownerName(cluster);

    // Assess
    expect(name).toBe('_rlec-dns.mycluster.example.com.');
  });

  it('adds the trailing dot to the cluster name', () => {
    // Act
    const name = fqdn(cluster);

    // Assess
    expect(name).toBe('mycluster.example.com.');
  });
});

describe('isWithin', () => {
  it.each([
    { what: 'the cluster name itself', name: 'mycluster.example.com.' },
    { what: 'a glue name', name: 'ns1.mycluster.example.com.' },
    { what: 'the ownership name', name: '_rlec-dns.mycluster.example.com.' },
    { what: 'a deeper name', name: 'db1.node1.mycluster.example.com.' },
  ])('holds $what', ({ name }) => {
    // Act
    const within = isWithin(cluster, name);

    // Assess
    expect(within).toBe(true);
  });

  it.each([
    { what: 'the parent zone', name: 'example.com.' },
    { what: 'a sibling', name: 'other.example.com.' },
    { what: 'a name that merely ends with the same characters', name: 'xmycluster.example.com.' },
    { what: 'a sibling that sorts next to it', name: 'mycluster-b.example.com.' },
    { what: 'the cluster name without its trailing dot', name: 'mycluster.example.com' },
  ])('does not hold $what', ({ name }) => {
    // Act
    const within = isWithin(cluster, name);

    // Assess
    expect(within).toBe(false);
  });
});

describe('canonicalName', () => {
  it('lower-cases a name and adds the trailing dot', () => {
    // Act
    const name = canonicalName('NS1.MyCluster.Example.com');

    // Assess
    expect(name).toBe('ns1.mycluster.example.com.');
  });

  it('keeps a trailing dot that is already there', () => {
    // Act
    const name = canonicalName('mycluster.example.com.');

    // Assess
    expect(name).toBe('mycluster.example.com.');
  });

  it('decodes the octal escape Route 53 uses for a wildcard', () => {
    // Act
    const name = canonicalName('\\052.example.com.');

    // Assess
    expect(name).toBe('*.example.com.');
  });
});
