/** AAAA glue (ADDRESS_FAMILY ipv6 and dual): planned, owned and swapped like the A glue of the same slot. */
import { describe, expect, it } from 'vitest';
import { type PlanInput, planCluster } from '../../lib/plan/plan.js';
import { type Member, type RecordSet, sameRecord } from '../../lib/plan/records.js';
import { ForeignRecordsError } from '../../lib/platform/errors.js';
import { deploymentOf, ownerHeader } from '../../tools/world/deployment.js';

const cluster = 'c1.example.com';
const owner = 'rlec-dns-test';
const nodeA: Member = { instanceId: 'i-0000000000000000a', address: '10.0.1.17', ipv6: '2001:db8::a' };
const nodeB: Member = { instanceId: 'i-0000000000000000b', address: '10.0.2.23', ipv6: '2001:db8::b' };

const ns = (...slots: number[]): RecordSet => ({
  name: 'c1.example.com.',
  type: 'NS',
  ttl: 60,
  values: slots.map((n) => `ns${n}.c1.example.com.`),
});
const glue = (slot: number, type: 'A' | 'AAAA', address: string): RecordSet => ({
  name: `ns${slot}.c1.example.com.`,
  type,
  ttl: 60,
  values: [address],
});
const ownership = (entries: Record<number, string>): RecordSet => ({
  name: '_rlec-dns.c1.example.com.',
  type: 'TXT',
  ttl: 60,
  values: [ownerHeader(owner), ...Object.entries(entries).map(([n, id]) => `"ns${n}=${id}"`)],
});
const input = (over: Partial<PlanInput>): PlanInput => ({
  cluster,
  current: [],
  members: [],
  deployment: deploymentOf(owner),
  ttl: 60,
  ...over,
});
const summary = (plan: ReturnType<typeof planCluster>) =>
  plan.changes.map((c) => `${c.action} ${c.record.name} ${c.record.type} ${c.record.values.join(' ')}`);

/** Nodes A and B published with IPv4 glue only. */
const publishedIpv4 = [
  ns(1, 2),
  ownership({ 1: nodeA.instanceId, 2: nodeB.instanceId }),
  glue(1, 'A', '10.0.1.17'),
  glue(2, 'A', '10.0.2.23'),
];

describe('planCluster with AAAA glue', () => {
  it('creates an A and an AAAA record at each slot name for dual-stack members', () => {
    // Act
    const plan = planCluster(input({ members: [nodeA, nodeB] }));

    // Assess
    expect(summary(plan)).toEqual([
      'CREATE c1.example.com. NS ns1.c1.example.com. ns2.c1.example.com.',
      `CREATE _rlec-dns.c1.example.com. TXT ${ownerHeader(owner)} "ns1=${nodeA.instanceId}" "ns2=${nodeB.instanceId}"`,
      'CREATE ns1.c1.example.com. A 10.0.1.17',
      'CREATE ns1.c1.example.com. AAAA 2001:db8::a',
      'CREATE ns2.c1.example.com. A 10.0.2.23',
      'CREATE ns2.c1.example.com. AAAA 2001:db8::b',
    ]);
  });

  it('creates AAAA records only for IPv6-only members', () => {
    // Act
    const plan = planCluster(input({ members: [{ instanceId: nodeA.instanceId, ipv6: '2001:db8::a' }] }));

    // Assess
    expect(plan.desired.filter((r) => r.name.startsWith('ns')).map((r) => r.type)).toEqual(['AAAA']);
  });

  it('adds only the AAAA records when a published cluster turns dual-stack: slots and ownership stay', () => {
    // Act
    const plan = planCluster(input({ current: publishedIpv4, members: [nodeB, nodeA] }));

    // Assess
    expect(summary(plan)).toEqual([
      'CREATE ns1.c1.example.com. AAAA 2001:db8::a',
      'CREATE ns2.c1.example.com. AAAA 2001:db8::b',
    ]);
  });

  it('swaps an AAAA record whose address changed with an exact DELETE and a CREATE', () => {
    // Prepare
    const current = [...publishedIpv4, glue(1, 'AAAA', '2001:db8::a'), glue(2, 'AAAA', '2001:db8::b')];

    // Act
    const plan = planCluster(input({ current, members: [nodeA, { ...nodeB, ipv6: '2001:db8::bb' }] }));

    // Assess
    expect(summary(plan)).toEqual([
      'DELETE ns2.c1.example.com. AAAA 2001:db8::b',
      'CREATE ns2.c1.example.com. AAAA 2001:db8::bb',
    ]);
  });

  it("removes a leaving member's A and AAAA together, keeping the others' slots", () => {
    // Prepare
    const current = [...publishedIpv4, glue(1, 'AAAA', '2001:db8::a'), glue(2, 'AAAA', '2001:db8::b')];

    // Act
    const plan = planCluster(input({ current, members: [nodeB] }));

    // Assess
    expect(plan.members.map((m) => [m.instanceId, m.slot])).toEqual([[nodeB.instanceId, 2]]);
    expect(summary(plan).filter((c) => c.startsWith('DELETE ns1.'))).toEqual([
      'DELETE ns1.c1.example.com. A 10.0.1.17',
      'DELETE ns1.c1.example.com. AAAA 2001:db8::a',
    ]);
  });

  it('removes the AAAA records when the cluster goes back to IPv4 only', () => {
    // Prepare
    const current = [...publishedIpv4, glue(1, 'AAAA', '2001:db8::a')];
    const ipv4Only = [nodeA, nodeB].map(({ instanceId, address }) => ({ instanceId, address }));

    // Act
    const plan = planCluster(input({ current, members: ipv4Only }));

    // Assess
    expect(summary(plan)).toEqual(['DELETE ns1.c1.example.com. AAAA 2001:db8::a']);
  });

  it('refuses the cluster when an AAAA record sits at a slot name it does not own', () => {
    // Prepare
    const foreignAaaa = glue(3, 'AAAA', '2001:db8::666');

    // Act & Assess
    expect(() => planCluster(input({ current: [...publishedIpv4, foreignAaaa], members: [nodeA, nodeB] }))).toThrow(
      ForeignRecordsError,
    );
  });

  it('publishes no member that brings neither address', () => {
    // Act
    const plan = planCluster(input({ members: [nodeA, { instanceId: nodeB.instanceId }] }));

    // Assess
    expect(plan.members.map((m) => m.instanceId)).toEqual([nodeA.instanceId]);
    expect(plan.desired.find((r) => r.type === 'NS')?.values).toEqual(['ns1.c1.example.com.']);
  });
});

describe('sameRecord for AAAA', () => {
  it('treats two spellings of one IPv6 address as the same value', () => {
    // Prepare
    const spelled = glue(1, 'AAAA', '2001:0DB8:0:0::000a');

    // Act & Assess
    expect(sameRecord(spelled, glue(1, 'AAAA', '2001:db8::a'))).toBe(true);
    expect(sameRecord(spelled, glue(1, 'AAAA', '2001:db8::b'))).toBe(false);
  });

  it('plans nothing when Route 53 holds the AAAA glue in another spelling', () => {
    // Prepare
    const current = [...publishedIpv4, glue(1, 'AAAA', '2001:0db8:0000::a'), glue(2, 'AAAA', '2001:db8::b')];

    // Act
    const plan = planCluster(input({ current, members: [nodeA, nodeB] }));

    // Assess
    expect(plan.changes).toEqual([]);
  });
});
