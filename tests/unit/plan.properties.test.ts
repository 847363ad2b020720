/**
 * Invariants of the planning core, over random histories: members joining, leaving and changing address, records
 * edited, re-timed, reordered or deleted by hand, and foreign records around the cluster's names.
 *
 * No verdict here comes from lib/: every plan is applied with the emulator's Route 53 rules (applyStrictly: CREATE
 * needs no record set, DELETE needs the current one exactly, by name, type, TTL and every value, in any order), and
 * the records a plan leaves are judged by the same rule (`holds`), never by lib/records.ts's `sameRecord`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCluster } from '../../lib/plan/plan.js';
import type { Member, RecordSet } from '../../lib/plan/records.js';
import { ForeignRecordsError } from '../../lib/platform/errors.js';
import { applyStrictly } from '../../tools/emulator/apply-strictly.js';
import { deploymentOf } from '../../tools/world/deployment.js';

const cluster = 'c1.example.com';
const owner = 'prop-owner';

/**
 * An instance and its address. Few ids and few addresses per id, so that from one step to the next many members stay,
 * often with the address they had (their records must then be kept, or repaired if edited by hand).
 */
const memberArb = fc
  .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 }))
  .map(([n, version]) => ({ instanceId: `i-${n.toString(16).padStart(17, '0')}`, address: `10.${version}.0.${n}` }));
const membersArb = fc.uniqueArray(memberArb, { selector: (m) => m.instanceId, maxLength: 12 });

/** Records near the cluster that are not ours and must never appear in a change. */
const neighbours: RecordSet[] = [
  { name: 'c1-b.example.com.', type: 'A', ttl: 300, values: ['192.0.2.1'] },
  { name: 'node1.c1.example.com.', type: 'A', ttl: 300, values: ['192.0.2.2'] },
  { name: 'ns1.c10.example.com.', type: 'A', ttl: 60, values: ['192.0.2.3'] },
];

/** The key of a record set in a zone (simple routing): its name and type. */
const key = (record: { readonly name: string; readonly type: string }): string => `${record.name} ${record.type}`;

/**
 * True when `records` hold `wanted` exactly: Route 53 (the emulator's rules) would accept a DELETE of `wanted`, which
 * needs the same name, type and TTL and every value, in any order.
 */
function holds(records: readonly RecordSet[], wanted: RecordSet): boolean {
  try {
    applyStrictly(records, [{ action: 'DELETE', record: wanted }]);
    return true;
  } catch {
    return false;
  }
}

/**
 * A drift applied by hand to the managed records: delete or edit one glue record, give one managed record another TTL
 * (values kept), or list one record's values in another order (which Route 53 treats as the same record).
 */
const driftArb = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('delete' as const), index: fc.nat() }),
  fc.record({
    kind: fc.constant('edit' as const),
    index: fc.nat(),
    address: fc.ipV4(),
    ttl: fc.integer({ min: 1, max: 600 }),
  }),
  fc.record({ kind: fc.constant('retime' as const), index: fc.nat(), ttl: fc.integer({ min: 61, max: 600 }) }),
  fc.record({ kind: fc.constant('reorder' as const), index: fc.nat() }),
);

type Drift =
  | { kind: 'none' }
  | { kind: 'delete'; index: number }
  | { kind: 'edit'; index: number; address: string; ttl: number }
  | { kind: 'retime'; index: number; ttl: number }
  | { kind: 'reorder'; index: number };

const isManaged = (r: RecordSet) =>
  r.name === 'c1.example.com.' || r.name === '_rlec-dns.c1.example.com.' || /^ns\d+\.c1\.example\.com\.$/.test(r.name);

/** The records the drift may pick from: glue to delete or edit, any managed record to retime, several values to reorder. */
function candidates(records: readonly RecordSet[], change: Drift): RecordSet[] {
  const managed = records.filter(isManaged);
  if (change.kind === 'retime') return managed;
  if (change.kind === 'reorder') return managed.filter((r) => r.values.length > 1);
  return managed.filter((r) => r.type === 'A');
}

function drift(records: RecordSet[], change: Drift): RecordSet[] {
  const pool = candidates(records, change);
  if (change.kind === 'none' || pool.length === 0) return records;
  const target = pool[change.index % pool.length] as RecordSet;
  const edited = (r: RecordSet): RecordSet => {
    if (change.kind === 'edit') return { ...r, ttl: change.ttl, values: [change.address] };
    if (change.kind === 'retime') return { ...r, ttl: change.ttl };
    return { ...r, values: [...r.values].reverse() };
  };
  if (change.kind === 'delete') return records.filter((r) => r !== target);
  return records.map((r) => (r === target ? edited(r) : r));
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

/** One step of a history: the fleet now (a new member set, or the one before unchanged), then a drift by hand. */
const stepArb = fc.record({
  members: fc.option(membersArb, { nil: undefined, freq: 3 }),
  drift: driftArb as fc.Arbitrary<Drift>,
});

interface Scenario {
  /** The member sets a deployment saw, one plan applied for each, each followed by its drift. */
  readonly history: Member[][];
  readonly drifts: Drift[];
  /** The member set of the plan under test. */
  readonly next: Member[];
}

/** A history and the next member set; "unchanged" steps repeat the set before (the sweep finding drift to repair). */
const scenarioArb: fc.Arbitrary<Scenario> = fc
  .tuple(fc.array(stepArb, { minLength: 1, maxLength: 6 }), fc.option(membersArb, { nil: undefined, freq: 3 }))
  .map(([steps, last]) => {
    const history: Member[][] = [];
    for (const step of steps) history.push(step.members ?? history.at(-1) ?? []);
    return { history, drifts: steps.map((step) => step.drift), next: last ?? history.at(-1) ?? [] };
  });

describe('planCluster invariants', () => {
  it('applying the plan to the current records, with Route 53 rules, yields exactly the desired records', () => {
    fc.assert(
      fc.property(scenarioArb, ({ history, drifts, next }) => {
        // Prepare
        const { records } = run(history, drifts);
        // Act
        const p = plan(records, next);
        const after = applyStrictly(records, p.changes);
        // Assess
        const managed = after.filter((r) => !neighbours.includes(r));
        expect(managed.map(key).sort()).toEqual(p.desired.map(key).sort());
        for (const wanted of p.desired) expect(holds(managed, wanted), `holds ${key(wanted)} exactly`).toBe(true);
      }),
    );
  });

  it('is idempotent: planning again after applying changes nothing', () => {
    fc.assert(
      fc.property(scenarioArb, ({ history, drifts, next }) => {
        const { records } = run(history, drifts);
        const after = applyStrictly(records, plan(records, next).changes);
        expect(plan(after, next).changes).toEqual([]);
      }),
    );
  });

  it('lets members that stay keep their numbers', () => {
    fc.assert(
      fc.property(scenarioArb, ({ history, drifts, next }) => {
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
      fc.property(scenarioArb, ({ history, drifts, next }) => {
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
      fc.property(scenarioArb, ({ history, drifts, next }) => {
        const { records } = run(history, drifts);
        const p = plan(records, next);
        for (const change of p.changes) expect(neighbours.map(key)).not.toContain(key(change.record));
      }),
    );
  });

  it('leaves the zone as it was once the last member is gone', () => {
    fc.assert(
      fc.property(scenarioArb, ({ history, drifts }) => {
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
      fc.property(scenarioArb, foreignArb, ({ history, drifts, next }, foreign) => {
        const { records } = run(history, drifts);
        const intruder = { ...foreign, ttl: 300, values: ['192.0.2.99'] };
        expect(() => plan([...records, intruder], next)).toThrow(ForeignRecordsError);
      }),
    );
  });
});
