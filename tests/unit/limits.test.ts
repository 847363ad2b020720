/**
 * Route 53's size limits (lib/plan/limits.ts), checked by the planner before anything is written: a record set holds at
 * most 400 values, and a cluster must stay changeable within one request's 1,000 values and 32,000 characters.
 */
import { describe, expect, it } from 'vitest';
import { checkRecordLimits, maxMembers } from '../../lib/plan/limits.js';
import { planCluster } from '../../lib/plan/plan.js';
import type { RecordSet } from '../../lib/plan/records.js';
import { RecordLimitError } from '../../lib/platform/errors.js';
import { ROUTE53_LIMITS } from '../../lib/provider/batches.js';
import { deploymentOf } from '../../tools/world/deployment.js';
import { changeable, creatable, dualMember, measure, member, nameOfLength } from '../support/limits-probe.js';

const owner = 'rlec-dns-prod';
const shortName = 'c1.example.com';
const members = (n: number) => Array.from({ length: n }, (_, i) => member(i + 1));
const plan = (cluster: string, n: number) =>
  planCluster({ cluster, current: [], members: members(n), deployment: deploymentOf(owner), ttl: 60 });

describe('a cluster over the 400 values of a record set', () => {
  it('is refused before any write, with the limit and the largest size in the message', () => {
    // Act, Assess
    expect(() => plan(shortName, 400)).toThrow(RecordLimitError);
    expect(() => plan(shortName, 400)).toThrow(
      'cluster c1.example.com refused: 400 members need 401 values in TXT _rlec-dns.c1.example.com., and Route 53 ' +
        'allows at most 400 values in one record set; at most 399 members fit for this cluster name',
    );
  });

  it('is planned at 399 members, the most the ownership record can list', () => {
    // Act
    const planned = plan(shortName, 399);
    // Assess
    expect(planned.desired.find((r) => r.type === 'TXT')?.values).toHaveLength(400);
  });
});

describe('a cluster that could be created but never changed', () => {
  it('is refused at creation when its NS swap would not fit one request, naming the limits', () => {
    // Prepare: at 100 characters, the splitter alone would write 300 members, of which only 151 can still be changed
    const cluster = nameOfLength(100);
    expect(creatable(cluster, 151)).toBe(true);

    // Act, Assess
    expect(() => plan(cluster, 151)).toThrow(RecordLimitError);
    expect(() => plan(cluster, 151)).toThrow(
      /with 151 members, NS c+\.c+\.example\.com\. could be created but never changed: its compare-and-swap needs 302 values, 32,\d{3} characters in one request, over Route 53's limits of 1,000 values and 32,000 characters per request; at most 150 members fit for this cluster name$/,
    );
    expect(plan(cluster, 150).changes.length).toBeGreaterThan(0);
  });

  it('allows, at every name length, only clusters that can be changed afterwards, and at most one member less than the largest', () => {
    for (const length of [14, 34, 63, 100, 200, 243]) {
      // Prepare
      const cluster = nameOfLength(length);
      const allowed = maxMembers(cluster, `"heritage=rlec-dns,owner=${owner}"`);

      // Act
      const measured = measure(length);

      // Assess
      expect(changeable(cluster, allowed), `${length} characters, ${allowed} members`).toBe(true);
      expect(allowed, `${length} characters`).toBeGreaterThanOrEqual(measured.changeable - 1);
      expect(allowed, `${length} characters`).toBeLessThanOrEqual(measured.changeable);
      expect(() => plan(cluster, allowed)).not.toThrow();
      expect(() => plan(cluster, allowed + 1)).toThrow(RecordLimitError);
    }
  });

  it('gives the largest cluster for a name of each length', () => {
    // Act
    const figures = [14, 33, 34, 40, 50, 63, 80, 100, 120, 150, 200, 243].map((n) => maxMembers(nameOfLength(n)));
    // Assess
    expect(figures).toEqual([399, 399, 392, 342, 282, 230, 185, 150, 126, 102, 77, 64]);
  });
});

describe('a dual-stack cluster (A and AAAA glue per slot)', () => {
  const dualPlan = (cluster: string, n: number) =>
    planCluster({
      cluster,
      current: [],
      members: Array.from({ length: n }, (_, i) => dualMember(i + 1)),
      deployment: deploymentOf(owner),
      ttl: 60,
    });

  it('allows, at every name length, only clusters that can be created and changed afterwards', () => {
    for (const length of [14, 63, 200, 243]) {
      // Prepare
      const cluster = nameOfLength(length);
      const allowed = maxMembers(cluster, `"heritage=rlec-dns,owner=${owner}"`, ROUTE53_LIMITS, ['A', 'AAAA']);

      // Act & Assess
      expect(changeable(cluster, allowed, dualMember), `${length} characters, ${allowed} members`).toBe(true);
      expect(() => dualPlan(cluster, allowed)).not.toThrow();
      expect(() => dualPlan(cluster, allowed + 1)).toThrow(RecordLimitError);
    }
  });

  it("counts a slot's AAAA with its A in the ownership record's swap", () => {
    // Prepare: limits that hold the ownership swap with one A swap, and not a character more
    const desired = dualPlan(shortName, 3).desired;
    const withoutAaaa = desired.filter((r) => r.type !== 'AAAA');
    const owner = desired.filter((r) => r.type === 'TXT' || r.name === `ns1.${shortName}.`);
    const sizeOf = (records: readonly RecordSet[]) =>
      2 * records.filter((r) => r.type !== 'AAAA').reduce((n, r) => n + r.values.join('').length, 0);
    const limits = { values: 1000, characters: Math.max(sizeOf(owner), 2 * 3 * `ns1.${shortName}.`.length) };

    // Act & Assess
    expect(() => checkRecordLimits(shortName, withoutAaaa, limits)).not.toThrow();
    expect(() => checkRecordLimits(shortName, desired, limits)).toThrow(
      /TXT _rlec-dns\.c1\.example\.com\. could be created but never changed/,
    );
  });
});
