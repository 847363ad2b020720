import { describe, expect, it } from 'vitest';
import { assignSlots, type PlanInput, planCluster } from '../../lib/plan/plan.js';
import type { RecordSet } from '../../lib/plan/records.js';
import { ForeignRecordsError } from '../../lib/platform/errors.js';
import { deploymentOf, ownerHeader } from '../../tools/world/deployment.js';

const cluster = 'c1.example.com';
const owner = 'rlec-dns-test';
const nodeA = { instanceId: 'i-0000000000000000a', address: '10.0.1.17' };
const nodeB = { instanceId: 'i-0000000000000000b', address: '10.0.2.23' };
const nodeC = { instanceId: 'i-0000000000000000c', address: '10.0.3.41' };

const ns = (...slots: number[]): RecordSet => ({
  name: 'c1.example.com.',
  type: 'NS',
  ttl: 60,
  values: slots.map((n) => `ns${n}.c1.example.com.`),
});
const glue = (slot: number, address: string, ttl = 60): RecordSet => ({
  name: `ns${slot}.c1.example.com.`,
  type: 'A',
  ttl,
  values: [address],
});
const ownership = (entries: Record<number, string>, who = owner): RecordSet => ({
  name: '_rlec-dns.c1.example.com.',
  type: 'TXT',
  ttl: 60,
  values: [ownerHeader(who), ...Object.entries(entries).map(([n, id]) => `"ns${n}=${id}"`)],
});

/** Records as the plan left them: the managed records of the cluster after a run with nodes A and B. */
const publishedAB = [
  ns(1, 2),
  ownership({ 1: nodeA.instanceId, 2: nodeB.instanceId }),
  glue(1, nodeA.address),
  glue(2, nodeB.address),
];

const input = (over: Partial<PlanInput>): PlanInput => ({
  cluster,
  current: [],
  members: [],
  deployment: deploymentOf(owner),
  ttl: 60,
  ...over,
});
const summary = (plan: ReturnType<typeof planCluster>) =>
  plan.changes.map((c) => `${c.action} ${c.record.name} ${c.record.type}`);

describe('planCluster', () => {
  it('creates the NS, ownership and glue records for the first members', () => {
    // Act
    const plan = planCluster(input({ members: [nodeB, nodeA] }));
    // Assess
    expect(summary(plan)).toEqual([
      'CREATE c1.example.com. NS',
      'CREATE _rlec-dns.c1.example.com. TXT',
      'CREATE ns1.c1.example.com. A',
      'CREATE ns2.c1.example.com. A',
    ]);
    expect(plan.desired).toContainEqual(ns(1, 2));
    expect(plan.desired).toContainEqual(glue(1, nodeA.address));
    expect(plan.desired).toContainEqual(glue(2, nodeB.address));
  });

  it('plans nothing when the records are already right', () => {
    // Act
    const plan = planCluster(input({ current: publishedAB, members: [nodeA, nodeB] }));
    // Assess
    expect(plan.changes).toEqual([]);
  });

  it('ignores the order of NS values and the case of names when comparing', () => {
    // Prepare
    const shuffled = { ...ns(2, 1), values: ['NS2.c1.example.com.', 'ns1.c1.example.com'] };
    // Act
    const plan = planCluster(input({ current: [shuffled, ...publishedAB.slice(1)], members: [nodeA, nodeB] }));
    // Assess
    expect(plan.changes).toEqual([]);
  });

  it('gives a new member the lowest free number and keeps the others', () => {
    // Prepare: ns1 left, ns2 stays
    const current = [
      ns(1, 2),
      ownership({ 1: 'i-00000000000000099', 2: nodeB.instanceId }),
      glue(1, '10.9.9.9'),
      glue(2, nodeB.address),
    ];
    // Act
    const plan = planCluster(input({ current, members: [nodeB, nodeC] }));
    // Assess
    expect(plan.members).toEqual([
      { ...nodeC, slot: 1 },
      { ...nodeB, slot: 2 },
    ]);
    expect(summary(plan)).toContain('DELETE ns1.c1.example.com. A');
    expect(summary(plan)).toContain('CREATE ns1.c1.example.com. A');
    expect(summary(plan)).not.toContain('DELETE ns2.c1.example.com. A');
  });

  it('does not renumber the remaining members when a member leaves', () => {
    // Act: node A (ns1) leaves
    const plan = planCluster(input({ current: publishedAB, members: [nodeB] }));
    // Assess
    expect(plan.members).toEqual([{ ...nodeB, slot: 2 }]);
    expect(plan.desired).toContainEqual(ns(2));
    expect(summary(plan)).toEqual([
      'DELETE c1.example.com. NS',
      'DELETE _rlec-dns.c1.example.com. TXT',
      'DELETE ns1.c1.example.com. A',
      'CREATE c1.example.com. NS',
      'CREATE _rlec-dns.c1.example.com. TXT',
    ]);
  });

  it('deletes every record it made when the last member leaves', () => {
    // Act
    const plan = planCluster(input({ current: publishedAB, members: [] }));
    // Assess
    expect(plan.desired).toEqual([]);
    expect(plan.changes.every((c) => c.action === 'DELETE')).toBe(true);
    expect(plan.changes.map((c) => c.record)).toEqual(publishedAB);
  });

  it('deletes with the exact current TTL and values, not the desired ones', () => {
    // Prepare: someone edited ns1 by hand
    const edited = glue(1, '192.0.2.1', 300);
    const current = [publishedAB[0], publishedAB[1], edited, publishedAB[3]] as RecordSet[];
    // Act
    const plan = planCluster(input({ current, members: [nodeA, nodeB] }));
    // Assess
    expect(plan.changes).toEqual([
      { action: 'DELETE', record: edited },
      { action: 'CREATE', record: glue(1, nodeA.address) },
    ]);
  });

  it('recreates a glue record deleted by hand', () => {
    // Act
    const plan = planCluster(
      input({ current: publishedAB.filter((r) => r.name !== 'ns2.c1.example.com.'), members: [nodeA, nodeB] }),
    );
    // Assess
    expect(plan.changes).toEqual([{ action: 'CREATE', record: glue(2, nodeB.address) }]);
  });

  it('follows a member whose address changed without changing its number', () => {
    // Act
    const plan = planCluster(input({ current: publishedAB, members: [nodeA, { ...nodeB, address: '10.0.2.99' }] }));
    // Assess
    expect(plan.changes).toEqual([
      { action: 'DELETE', record: glue(2, nodeB.address) },
      { action: 'CREATE', record: glue(2, '10.0.2.99') },
    ]);
  });

  it('rewrites every record when the configured TTL changes', () => {
    // Act
    const plan = planCluster(input({ current: publishedAB, members: [nodeA, nodeB], ttl: 30 }));
    // Assess
    expect(plan.changes).toHaveLength(8);
    expect(plan.desired.every((r) => r.ttl === 30)).toBe(true);
  });

  it('puts every DELETE before every CREATE', () => {
    // Act
    const plan = planCluster(input({ current: publishedAB, members: [nodeC] }));
    // Assess
    const actions = plan.changes.map((c) => c.action);
    expect(actions.lastIndexOf('DELETE')).toBeLessThan(actions.indexOf('CREATE'));
  });

  it('publishes a member listed twice only once', () => {
    // Act
    const plan = planCluster(input({ members: [nodeA, nodeA] }));
    // Assess
    expect(plan.members).toHaveLength(1);
  });

  it('leaves names below the cluster that it never writes alone', () => {
    // Prepare
    const node1 = { name: 'node1.c1.example.com.', type: 'A', ttl: 300, values: ['10.1.1.1'] };
    // Act
    const plan = planCluster(input({ current: [...publishedAB, node1], members: [] }));
    // Assess
    expect(plan.changes.map((c) => c.record)).not.toContainEqual(node1);
  });

  describe('refuses the cluster and changes nothing', () => {
    const foreignNsRecord: RecordSet = {
      name: 'c1.example.com.',
      type: 'NS',
      ttl: 172800,
      values: ['ns-1.awsdns-01.org.'],
    };
    const handMadeGlue = glue(1, '192.0.2.10', 300);

    it('when an NS record at the cluster name was made by someone else', () => {
      expect(() => planCluster(input({ current: [foreignNsRecord], members: [nodeA] }))).toThrow(ForeignRecordsError);
    });

    it('when a glue name holds a hand-made record', () => {
      expect(() => planCluster(input({ current: [handMadeGlue], members: [nodeA] }))).toThrow(
        /ns1\.c1\.example\.com\. 300 A 192\.0\.2\.10/,
      );
    });

    it('when the ownership record belongs to another owner', () => {
      // Prepare
      const theirs = [ns(1), ownership({ 1: nodeA.instanceId }, 'other-deployment'), glue(1, nodeA.address)];
      // Act / Assess
      expect(() => planCluster(input({ current: theirs, members: [nodeA] }))).toThrow(ForeignRecordsError);
    });

    it('when the ownership record is not one of ours at all', () => {
      // Prepare
      const txt = { name: '_rlec-dns.c1.example.com.', type: 'TXT', ttl: 300, values: ['"v=spf1 -all"'] };
      // Act / Assess
      expect(() => planCluster(input({ current: [txt], members: [] }))).toThrow(ForeignRecordsError);
    });

    it('when a glue name the ownership record does not list holds a record', () => {
      // Prepare: ours lists ns1 and ns2, but ns3 was made by hand
      const current = [...publishedAB, glue(3, '192.0.2.3')];
      // Act / Assess
      expect(() => planCluster(input({ current, members: [nodeA, nodeB] }))).toThrow(/ns3/);
    });

    it('when another type sits at the cluster name', () => {
      // Prepare
      const cname = { name: 'c1.example.com.', type: 'A', ttl: 60, values: ['192.0.2.50'] };
      // Act / Assess
      expect(() => planCluster(input({ current: [...publishedAB, cname], members: [nodeA, nodeB] }))).toThrow(
        ForeignRecordsError,
      );
    });

    it('even when it would only delete', () => {
      expect(() => planCluster(input({ current: [foreignNsRecord], members: [] }))).toThrow(ForeignRecordsError);
    });

    // As lib/registry/route53.ts reads them: an alias keeps its target as the value, a routed record its set in the type.
    const aliasAtSlot2: RecordSet = {
      name: 'ns2.c1.example.com.',
      type: 'A',
      ttl: 0,
      values: ['ALIAS lb.example.net.'],
    };
    const weightedAtSlot2: RecordSet = { ...glue(2, nodeB.address), type: 'A (set blue)' };

    it.each([
      ['an alias A record', aliasAtSlot2, 'ns2.c1.example.com. 0 A ALIAS lb.example.net.'],
      ['a weighted A record', weightedAtSlot2, 'ns2.c1.example.com. 60 A (set blue) 10.0.2.23'],
    ])('when %s sits at a slot the ownership record lists, and never sends it as a DELETE', (_, record, named) => {
      // Prepare: ours lists ns1 and ns2, and ns2's glue was replaced
      const current = [
        ns(1, 2),
        ownership({ 1: nodeA.instanceId, 2: nodeB.instanceId }),
        glue(1, nodeA.address),
        record,
      ];
      // Act / Assess
      expect(() => planCluster(input({ current, members: [nodeA, nodeB] }))).toThrow(ForeignRecordsError);
      expect(() => planCluster(input({ current, members: [] }))).toThrow(named);
    });

    it('when the ownership record itself is an alias', () => {
      // Prepare
      const aliasOwner: RecordSet = {
        name: '_rlec-dns.c1.example.com.',
        type: 'TXT',
        ttl: 0,
        values: ['ALIAS x.example.com.'],
      };
      // Act / Assess
      expect(() => planCluster(input({ current: [ns(1), aliasOwner, glue(1, nodeA.address)], members: [] }))).toThrow(
        ForeignRecordsError,
      );
    });
  });
});

describe('planCluster, for clusters bound to another deployment', () => {
  const virginia = { account: '123456789012', region: 'us-east-1' };
  const ireland = { account: '123456789012', region: 'eu-west-1' };
  const boundTo = (where: typeof ireland, who = owner): RecordSet => ({
    ...ownership({ 1: nodeA.instanceId, 2: nodeB.instanceId }),
    values: [ownerHeader(who, where), `"ns1=${nodeA.instanceId}"`, `"ns2=${nodeB.instanceId}"`],
  });
  const earlierForm = (who = owner): RecordSet => ({
    ...ownership({ 1: nodeA.instanceId, 2: nodeB.instanceId }),
    values: [`"heritage=rlec-dns,owner=${who}"`, `"ns1=${nodeA.instanceId}"`, `"ns2=${nodeB.instanceId}"`],
  });
  const records = (txt: RecordSet) => [ns(1, 2), txt, glue(1, nodeA.address), glue(2, nodeB.address)];

  it('plans nothing and names the owner when the cluster is bound to another Region, even with no members here', () => {
    // Act
    const plan = planCluster(input({ current: records(boundTo(ireland)), members: [] }));

    // Assess
    expect(plan.changes).toEqual([]);
    expect(plan.elsewhere).toEqual({ kind: 'elsewhere', owner, account: ireland.account, region: 'eu-west-1' });
  });

  it('plans nothing for a cluster bound to another account, whatever the owner id and the members here', () => {
    // Act
    const plan = planCluster(
      input({ current: records(boundTo({ account: '222222222222', region: 'us-east-1' }, 'x')), members: [nodeC] }),
    );

    // Assess
    expect(plan.changes).toEqual([]);
    expect(plan.elsewhere?.account).toBe('222222222222');
  });

  it('plans as usual for a cluster bound to this account and Region', () => {
    // Act
    const plan = planCluster(input({ current: records(boundTo(virginia)), members: [nodeA] }));

    // Assess
    expect(plan.elsewhere).toBeUndefined();
    expect(summary(plan)).toContain('DELETE ns2.c1.example.com. A');
  });

  it('rewrites an ownership record of the earlier form in the bound form, touching nothing else, when EC2 shows its members', () => {
    // Act
    const plan = planCluster(input({ current: records(earlierForm()), members: [nodeA, nodeB] }));

    // Assess
    expect(summary(plan)).toEqual(['DELETE _rlec-dns.c1.example.com. TXT', 'CREATE _rlec-dns.c1.example.com. TXT']);
    expect(plan.changes[1]?.record.values[0]).toBe(ownerHeader(owner, virginia));
  });

  it('deletes a cluster of the earlier form whose members are gone, when EC2 still shows one of them', () => {
    // Act
    const plan = planCluster(
      input({ current: records(earlierForm()), members: [], visible: new Set([nodeB.instanceId]) }),
    );

    // Assess
    expect(plan.changes.every((c) => c.action === 'DELETE')).toBe(true);
    expect(plan.changes).toHaveLength(4);
  });

  it('leaves a cluster of the earlier form alone when EC2 here shows none of its instances', () => {
    // Act
    const plan = planCluster(
      input({ current: records(earlierForm()), members: [], visible: new Set([nodeC.instanceId]) }),
    );

    // Assess
    expect(plan.changes).toEqual([]);
    expect(plan.elsewhere).toEqual({ kind: 'elsewhere', owner });
  });

  it('refuses a cluster of the earlier form written under another owner id', () => {
    // Act / Assess
    expect(() => planCluster(input({ current: records(earlierForm('team-b')), members: [nodeA] }))).toThrow(
      ForeignRecordsError,
    );
  });
});

describe('assignSlots', () => {
  it('fills holes in the numbering before growing it', () => {
    // Act
    const slots = assignSlots([nodeA, nodeB, nodeC], new Map([[nodeB.instanceId, 2]]));
    // Assess
    expect(slots.map((m) => [m.instanceId, m.slot])).toEqual([
      [nodeA.instanceId, 1],
      [nodeB.instanceId, 2],
      [nodeC.instanceId, 3],
    ]);
  });

  it('numbers new members in instance-id order, so that concurrent planners agree', () => {
    // Act
    const one = assignSlots([nodeC, nodeA, nodeB], new Map());
    const two = assignSlots([nodeB, nodeC, nodeA], new Map());
    // Assess
    expect(one).toEqual(two);
  });
});
