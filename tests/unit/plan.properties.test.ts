/**
 * Invariants of the planning core, over random histories: members joining, leaving and changing address, records
 * edited or deleted by hand, and foreign records around the cluster's names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCluster } from '../../lib/plan/plan.js';
import { keyOf, type Member, type RecordSet, sameRecord } from '../../lib/plan/records.js';
import { ForeignRecordsError } from '../../lib/platform/errors.js';
import { applyStrictly } from '../../tools/emulator/apply-strictly.js';
import { deploymentOf } from '../../tools/world/deployment.js';

const cluster = 'c1.example.com';
const owner = 'prop-owner';

const memberArb = fc.record({
  instanceId: fc.integer({ min: 1, max: 40 }).map((n) => `i-${n.toString(16).padStart(17, '0')}`),
  address: fc.ipV4(),
});
const membersArb = fc.uniqueArray(memberArb, { selector: (m) => m.instanceId, maxLength: 12 });

/** Records near the cluster that are not ours and must never appear in a change. */
const neighbours: RecordSet[] = [
  { name: 'c1-b.example.com.', type: 'A', ttl: 300, values: ['192.0.2.1'] },
  { name: 'node1.c1.example.com.', type: 'A', ttl: 300, values: ['192.0.2.2'] },
  { name: 'ns1.c10.example.com.', type: 'A', ttl: 60, values: ['192.0.2.3'] },
];

/** A drift applied by hand to the managed records: delete or edit one glue record. */
const driftArb = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('delete' as const), index: fc.nat() }),
  fc.record({
    kind: fc.constant('edit' as const),
    index: fc.nat(),
    address: fc.ipV4(),
    ttl: fc.integer({ min: 1, max: 600 }),
  }),
);

type Drift =
  | { kind: 'none' }
  | { kind: 'delete'; index: number }
  | { kind: 'edit'; index: number; address: string; ttl: number };

function drift(records: RecordSet[], change: Drift): RecordSet[] {
  const glue = records.filter((r) => r.type === 'A' && /^ns\d+\.c1\.example\.com\.$/.test(r.name));
  if (change.kind === 'none' || glue.length === 0) return records;
  const target = glue[change.index % glue.length] as RecordSet;
  if (change.kind === 'delete') return records.filter((r) => r !== target);
  return records.map((r) => (r === target ? { ...r, ttl: change.ttl, values: [change.address] } : r));
}

const plan = (current: readonly RecordSet[], members: readonly Member[], ttl = 60) =>
  planCluster({ cluster, current, members, deployment: deploymentOf(owner), ttl });

/** Runs a history of member sets from an empty zone, returning the records after the last step. */
function run(
  history: readonly Member[][],
  drifts: readonly Drift[],
): { records: RecordSet[]; slots: Map<string, number> } {
  let records: RecordSet[] = [...neighbours];
  let slots = new Map<string, number>();
  history.forEach((members, i) => {
    const p = plan(records, members);
    records = drift(applyStrictly(records, p.changes), drifts[i] ?? { kind: 'none' });
    slots = new Map(p.members.map((m) => [m.instanceId, m.slot]));
  });
  return { records, slots };
}

const historyArb = fc.tuple(
  fc.array(membersArb, { minLength: 1, maxLength: 6 }),
  fc.array(driftArb, { maxLength: 6 }) as fc.Arbitrary<Drift[]>,
);

describe('planCluster invariants', () => {
  it('applying the plan to the current records, with Route 53 rules, yields exactly the desired records', () => {
    fc.assert(
      fc.property(historyArb, membersArb, ([history, drifts], next) => {
        // Prepare
        const { records } = run(history, drifts);
        // Act
        const p = plan(records, next);
        const after = applyStrictly(records, p.changes);
        // Assess
        const managed = after.filter((r) => !neighbours.includes(r));
        expect(managed.map(keyOf).sort()).toEqual(p.desired.map(keyOf).sort());
        for (const wanted of p.desired) expect(managed.some((r) => sameRecord(r, wanted))).toBe(true);
      }),
    );
  });

  it('is idempotent: planning again after applying changes nothing', () => {
    fc.assert(
      fc.property(historyArb, membersArb, ([history, drifts], next) => {
        const { records } = run(history, drifts);
        const after = applyStrictly(records, plan(records, next).changes);
        expect(plan(after, next).changes).toEqual([]);
      }),
    );
  });

  it('lets members that stay keep their numbers', () => {
    fc.assert(
      fc.property(historyArb, membersArb, ([history, drifts], next) => {
        const { records, slots } = run(history, drifts);
        const p = plan(records, next);
        for (const member of p.members) {
          const before = slots.get(member.instanceId);
          if (before !== undefined) expect(member.slot).toBe(before);
        }
      }),
    );
  });

  it('numbers members uniquely, from 1 with the lowest free numbers, and lists exactly them in the NS record', () => {
    fc.assert(
      fc.property(historyArb, membersArb, ([history, drifts], next) => {
        const { records } = run(history, drifts);
        const p = plan(records, next);
        const numbers = p.members.map((m) => m.slot);
        expect(new Set(numbers).size).toBe(numbers.length);
        expect(Math.max(0, ...numbers)).toBeLessThanOrEqual(
          Math.max(numbers.length, ...run(history, drifts).slots.values()),
        );
        const nsRecord = p.desired.find((r) => r.type === 'NS');
        expect(nsRecord?.values ?? []).toEqual(numbers.map((n) => `ns${n}.c1.example.com.`));
        expect(p.desired.filter((r) => r.type === 'A').map((r) => r.name)).toEqual(
          numbers.map((n) => `ns${n}.c1.example.com.`),
        );
      }),
    );
  });

  it('never puts a record it does not own in a change', () => {
    fc.assert(
      fc.property(historyArb, membersArb, ([history, drifts], next) => {
        const { records } = run(history, drifts);
        const p = plan(records, next);
        for (const change of p.changes) expect(neighbours.map(keyOf)).not.toContain(keyOf(change.record));
      }),
    );
  });

  it('leaves the zone as it was once the last member is gone', () => {
    fc.assert(
      fc.property(historyArb, ([history, drifts]) => {
        const { records } = run(history, drifts);
        const after = applyStrictly(records, plan(records, []).changes);
        expect(after).toEqual(neighbours);
      }),
    );
  });

  it('refuses, whatever the history, when a foreign record sits at a name it manages', () => {
    const foreignArb = fc.record({
      name: fc.constantFrom('c1.example.com.', '_rlec-dns.c1.example.com.', 'ns99.c1.example.com.'),
      type: fc.constantFrom('A', 'AAAA', 'CNAME', 'MX'),
    });
    fc.assert(
      fc.property(historyArb, membersArb, foreignArb, ([history, drifts], next, foreign) => {
        const { records } = run(history, drifts);
        const intruder = { ...foreign, ttl: 300, values: ['192.0.2.99'] };
        expect(() => plan([...records, intruder], next)).toThrow(ForeignRecordsError);
      }),
    );
  });
});
