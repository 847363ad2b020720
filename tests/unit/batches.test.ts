/**
 * Splitting a plan into Route 53 requests: within the per-request limits, and in an order that leaves the zone valid
 * (every record still ours, so the next run can finish) and safe (the NS record only names servers with glue) after
 * every request.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCluster } from '../../lib/plan/plan.js';
import { type Change, keyOf, type Member, type RecordSet } from '../../lib/plan/records.js';
import { ChangeRejectedError } from '../../lib/platform/errors.js';
import { fits, type RequestLimits, ROUTE53_LIMITS, requestSize, splitChanges } from '../../lib/provider/batches.js';
import { parseOwnership } from '../../lib/registry/ownership.js';
import { applyStrictly } from '../../tools/emulator/apply-strictly.js';
import { deploymentOf } from '../../tools/world/deployment.js';

const cluster = 'c1.example.com';
const owner = 'rlec-dns-test';

const node = (n: number, address = `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}`): Member => ({
  instanceId: `i-${n.toString(16).padStart(17, '0')}`,
  address,
});
const nodes = (from: number, to: number): Member[] => Array.from({ length: to - from + 1 }, (_, i) => node(from + i));

/** The cluster's records once published with these members (from an empty zone, in one request). */
const published = (members: readonly Member[], ttl = 60): RecordSet[] =>
  applyStrictly([], planCluster({ cluster, current: [], members, deployment: deploymentOf(owner), ttl }).changes);

const plan = (current: readonly RecordSet[], members: readonly Member[], ttl = 60) =>
  planCluster({ cluster, current, members, deployment: deploymentOf(owner), ttl });

/** Problems with a state of the zone between two requests; empty when it is valid and safe. */
function problemsIn(
  state: readonly RecordSet[],
  desired: readonly RecordSet[],
  members: readonly Member[],
  ttl = 60,
): string[] {
  const problems: string[] = [];
  const glueNames = new Set(state.filter((r) => r.type === 'A').map((r) => r.name));
  for (const server of state.find((r) => r.type === 'NS')?.values ?? []) {
    if (!glueNames.has(server)) problems.push(`NS names ${server}, which has no glue`);
  }
  try {
    // Valid: the next run sees only its own records, and plans the same end state.
    const again = plan(state, members, ttl);
    const key = (records: readonly RecordSet[]) => records.map((r) => `${keyOf(r)} ${r.values.join(' ')}`).sort();
    if (JSON.stringify(key(again.desired)) !== JSON.stringify(key(desired))) problems.push('a new run plans otherwise');
  } catch (error) {
    problems.push(String(error));
  }
  return problems;
}

/** Sends the requests one by one, checking the zone after each; returns the final records. */
function sendAll(current: readonly RecordSet[], requests: readonly Change[][], members: readonly Member[]) {
  const desired = plan(current, members).desired;
  let state = [...current];
  const problems: string[] = [];
  for (const [i, request] of requests.entries()) {
    state = applyStrictly(state, request);
    if (i < requests.length - 1)
      problems.push(...problemsIn(state, desired, members).map((p) => `after ${i + 1}: ${p}`));
  }
  return { state, problems, desired };
}

const sorted = (records: readonly RecordSet[]) => [...records].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

const actionsOf = (request: readonly Change[]) => request.map((c) => `${c.action} ${c.record.type} ${c.record.name}`);

describe('requestSize', () => {
  it('counts every value and every character of the values', () => {
    // Prepare
    const changes: Change[] = [
      { action: 'DELETE', record: { name: 'ns1.c1.example.com.', type: 'A', ttl: 60, values: ['10.0.0.1'] } },
      { action: 'CREATE', record: { name: 'c1.example.com.', type: 'NS', ttl: 60, values: ['a.', 'bb.'] } },
    ];

    // Act & Assess
    expect(requestSize(changes)).toEqual({ values: 3, characters: 8 + 2 + 3 });
  });
});

describe('splitChanges', () => {
  it('sends a plan that fits as one request, unchanged', () => {
    // Prepare
    const changes = plan(published(nodes(1, 3)), nodes(2, 5)).changes;

    // Act
    const requests = splitChanges(changes);

    // Assess
    expect(requests).toEqual([changes]);
  });

  it('sends nothing for an empty plan', () => {
    // Act & Assess
    expect(splitChanges([])).toEqual([]);
  });

  it('keeps every request of a new 399-member cluster within 1,000 values, and names glue before the NS record', () => {
    // Prepare: 399 members, the most a record set of 400 values allows (lib/plan/limits.ts)
    const members = nodes(1, 399);
    const changes = plan([], members).changes;
    expect(fits(changes, ROUTE53_LIMITS)).toBe(false);

    // Act
    const requests = splitChanges(changes);

    // Assess
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) expect(fits(request, ROUTE53_LIMITS)).toBe(true);
    const { state, problems, desired } = sendAll([], requests, members);
    expect(problems).toEqual([]);
    expect(sorted(state)).toEqual(sorted(desired));
  });

  it('lists the new slots in the ownership record before or with their glue, never after', () => {
    // Prepare
    const limits: RequestLimits = { values: 30, characters: 32_000 };
    const changes = plan(published(nodes(1, 4)), nodes(1, 10)).changes;

    // Act
    const requests = splitChanges(changes, limits);

    // Assess: the first request swaps the ownership record for one listing all ten slots
    const first = requests[0] ?? [];
    const ownershipAfterFirst = first.find((c) => c.action === 'CREATE' && c.record.type === 'TXT')?.record;
    expect(
      ownershipAfterFirst && [...(parseOwnership(ownershipAfterFirst)?.slots.values() ?? [])].sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(actionsOf(first)).toContain('DELETE TXT _rlec-dns.c1.example.com.');
  });

  it('removes the glue of leaving members only once the NS record no longer names them', () => {
    // Prepare
    const limits: RequestLimits = { values: 30, characters: 32_000 };
    const current = published(nodes(1, 10));
    const members = nodes(1, 3);

    // Act
    const requests = splitChanges(plan(current, members).changes, limits);

    // Assess
    const nsRequest = requests.findIndex((r) => r.some((c) => c.record.type === 'NS'));
    const firstGlueDelete = requests.findIndex((r) => r.some((c) => c.record.type === 'A' && c.action === 'DELETE'));
    expect(nsRequest).toBeGreaterThanOrEqual(0);
    expect(firstGlueDelete).toBeGreaterThanOrEqual(nsRequest);
    const { state, problems, desired } = sendAll(current, requests, members);
    expect(problems).toEqual([]);
    expect(sorted(state)).toEqual(sorted(desired));
  });

  it('makes every request after the first delete the exact ownership record the previous one created', () => {
    // Prepare
    const limits: RequestLimits = { values: 30, characters: 32_000 };
    const changes = plan(published(nodes(1, 6)), nodes(4, 16)).changes;

    // Act
    const requests = splitChanges(changes, limits);

    // Assess
    expect(requests.length).toBeGreaterThan(2);
    for (let i = 1; i < requests.length; i++) {
      const created = requests[i - 1]?.find((c) => c.action === 'CREATE' && c.record.type === 'TXT')?.record;
      const deleted = requests[i]?.find((c) => c.action === 'DELETE' && c.record.type === 'TXT')?.record;
      if (requests[i]?.some((c) => c.record.type === 'NS') && deleted === undefined) continue; // the NS step alone
      expect(deleted).toEqual(created);
    }
  });

  it('sends the NS swap alone when it does not fit beside the ownership swap, since it is a compare-and-swap itself', () => {
    // Prepare: long names make every NS value long, and characters run out before values do. The largest cluster
    // this name allows (80 members) loses one: its NS swap fits a request, but not beside the ownership swap.
    const longCluster = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example.com`;
    const planLong = (current: readonly RecordSet[], members: readonly Member[]) =>
      planCluster({ cluster: longCluster, current, members, deployment: deploymentOf(owner), ttl: 60 });
    const current = applyStrictly([], planLong([], nodes(1, 80)).changes);
    const after = planLong(current, nodes(2, 80));

    // Act
    const requests = splitChanges(after.changes);

    // Assess
    for (const request of requests) expect(fits(request, ROUTE53_LIMITS)).toBe(true);
    const nsAlone = requests.find((r) => r.some((c) => c.record.type === 'NS'));
    expect(nsAlone && actionsOf(nsAlone)).toEqual([`DELETE NS ${longCluster}.`, `CREATE NS ${longCluster}.`]);
    const state = requests.reduce<RecordSet[]>((records, request) => applyStrictly(records, request), current);
    expect(sorted(state)).toEqual(sorted(after.desired));
  });

  it('needs no ownership swap when only glue addresses change', () => {
    // Prepare
    const limits: RequestLimits = { values: 10, characters: 32_000 };
    const moved = nodes(1, 12).map((m, i) => ({ ...m, address: `10.9.0.${i + 1}` }));
    const current = published(nodes(1, 12));

    // Act
    const requests = splitChanges(plan(current, moved).changes, limits);

    // Assess
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.flat().every((c) => c.record.type === 'A')).toBe(true);
    for (const request of requests) {
      const names = new Set(request.map((c) => c.record.name));
      expect(request).toHaveLength(names.size * 2); // each record's DELETE and CREATE travel together
    }
    expect(sorted(sendAll(current, requests, moved).state)).toEqual(sorted(plan(current, moved).desired));
  });

  it('refuses, as a permanent error, a cluster whose ownership record cannot be swapped in one request', () => {
    // Prepare
    const limits: RequestLimits = { values: 20, characters: 32_000 };
    const changes = plan([], nodes(1, 12)).changes;

    // Act & Assess
    expect(() => splitChanges(changes, limits)).toThrow(ChangeRejectedError);
    expect(() => splitChanges(changes, limits)).toThrow(/ownership record _rlec-dns\.c1\.example\.com\. exceeds/);
  });

  describe('over random membership changes', () => {
    const memberArb = fc.record({
      n: fc.integer({ min: 1, max: 12 }),
      address: fc.ipV4(),
    });
    const membersArb = fc
      .uniqueArray(memberArb, { selector: (m) => m.n, maxLength: 10 })
      .map((list) => list.map(({ n, address }) => node(n, address)));
    // Tight enough that about a third of the plans need several requests and some send the NS swap alone, yet never
    // below one ownership swap (at most 13 values and 351 characters, each way) plus one glue record's swap.
    const limitsArb = fc.record({
      values: fc.integer({ min: 28, max: 45 }),
      characters: fc.integer({ min: 750, max: 2500 }),
    });

    it('keeps each request within the limits, the zone valid and safe between requests, and ends at the plan', () => {
      fc.assert(
        fc.property(membersArb, membersArb, limitsArb, fc.constantFrom(60, 300), (before, after, limits, ttl) => {
          // Prepare
          const current = published(before);
          const changes = plan(current, after, ttl).changes;

          // Act
          const requests = splitChanges(changes, limits);

          // Assess
          for (const request of requests) expect(fits(request, limits)).toBe(true);
          const desired = plan(current, after, ttl).desired;
          let state = current;
          for (const [i, request] of requests.entries()) {
            state = applyStrictly(state, request);
            if (i < requests.length - 1) expect(problemsIn(state, desired, after, ttl)).toEqual([]);
          }
          expect(sorted(state)).toEqual(sorted(desired));
        }),
        { numRuns: 300 },
      );
    });
  });
});
