import { describe, expect, it } from 'vitest';
import { chooseTargets, planRule, type RuleMember, type RulePlanInput } from '../../lib/plan/resolver.js';
import type { CurrentAssociation, CurrentRule, Target } from '../../lib/plan/resolver-rules.js';

const cluster = 'c1.example.com';
const endpointId = 'rslvr-out-0123456789abcdef0';
const vpcA = 'vpc-0000000000000000a';
const vpcB = 'vpc-0000000000000000b';
const ruleName = 'rlec-dns-test';

const member = (slot: number, over: Partial<RuleMember> = {}): RuleMember => ({
  instanceId: `i-${String(slot).padStart(17, '0')}`,
  slot,
  ipv4: `10.0.0.${slot}`,
  ipv6: `fd00::${slot}`,
  ...over,
});
const members = (...slots: number[]) => slots.map((s) => member(s));
const t4 = (...slots: number[]): Target[] => slots.map((s) => ({ address: `10.0.0.${s}`, port: 53 }));
const t6 = (...slots: number[]): Target[] => slots.map((s) => ({ address: `fd00::${s}`, port: 53 }));
const assoc = (vpcId: string, status = 'COMPLETE'): CurrentAssociation => ({
  id: `rslvr-rrassoc-${vpcId}`,
  vpcId,
  status,
});

const rule = (over: Partial<CurrentRule> = {}): CurrentRule => ({
  id: 'rslvr-rr-ours',
  arn: 'arn:aws:route53resolver:us-east-1:123456789012:resolver-rule/rslvr-rr-ours',
  name: ruleName,
  type: 'DELEGATE',
  domain: cluster,
  endpointId,
  targets: [],
  claim: { kind: 'ours' },
  associations: [],
  ...over,
});
const ourDelegate = rule({ associations: [assoc(vpcA)] });
const ourForward = (targets: Target[]) => rule({ type: 'FORWARD', targets, associations: [assoc(vpcA)] });
const foreign = (over: Partial<CurrentRule>) =>
  rule({ id: 'rslvr-rr-theirs', name: 'theirs', claim: { kind: 'foreign' }, ...over });

const input = (over: Partial<RulePlanInput>): RulePlanInput => ({
  cluster,
  zoneName: 'example.com',
  mode: 'delegate',
  family: 'ipv4',
  endpointId,
  members: members(1, 2, 3),
  vpcIds: [vpcA],
  rules: [],
  ruleName,
  ...over,
});

const steps = (plan: ReturnType<typeof planRule>) => {
  if (plan.kind !== 'steps') throw new Error(`expected steps, got ${plan.kind}`);
  return plan.steps;
};

describe('the Resolver rule plan', () => {
  it('creates one DELEGATE rule for the cluster name on the endpoint, associated with each wanted VPC', () => {
    // Act
    const plan = planRule(input({ vpcIds: [vpcA, vpcB] }));

    // Assess
    expect(steps(plan)).toEqual([
      { kind: 'create', rule: { type: 'DELEGATE', domain: cluster, endpointId, targets: [], name: ruleName } },
      { kind: 'associate', ruleId: undefined, vpcId: vpcA },
      { kind: 'associate', ruleId: undefined, vpcId: vpcB },
    ]);
  });

  it('plans nothing when our rule is as it should be', () => {
    expect(steps(planRule(input({ rules: [ourDelegate] })))).toEqual([]);
  });

  it('creates a FORWARD rule whose targets are the members’ private addresses on port 53', () => {
    // Act
    const plan = planRule(input({ mode: 'forward' }));

    // Assess
    expect(steps(plan)[0]).toEqual({
      kind: 'create',
      rule: { type: 'FORWARD', domain: cluster, endpointId, targets: t4(1, 2, 3), name: ruleName },
    });
  });

  it('targets IPv6 addresses for the ipv6 and dual families', () => {
    expect(chooseTargets(cluster, members(1, 2), [], 'ipv6').targets).toEqual(t6(1, 2));
    expect(chooseTargets(cluster, members(1, 2), [], 'dual').targets).toEqual(t6(1, 2));
  });

  it('leaves out a member without an address of the family, and says so', () => {
    // Act
    const chosen = chooseTargets(cluster, [member(1), member(2, { ipv6: undefined })], [], 'ipv6');

    // Assess
    expect(chosen.targets).toEqual(t6(1));
    expect(chosen.notes).toEqual([expect.stringContaining('ns2 (i-00000000000000002) has no IPv6 address')]);
  });

  it('gives the 7th member no target, and says so in a note to log', () => {
    // Act
    const plan = planRule(input({ mode: 'forward', members: members(1, 2, 3, 4, 5, 6, 7) }));

    // Assess
    expect(plan.kind === 'steps' && plan.desired?.targets).toEqual(t4(1, 2, 3, 4, 5, 6));
    expect(plan.kind === 'steps' && plan.notes).toEqual([
      'cluster c1.example.com has 7 members; a FORWARD rule holds at most 6 targets: targets ns1, ns2, ns3, ns4, ns5, ns6; not a target: ns7 (i-00000000000000007)',
    ]);
  });

  it('keeps a target while its member runs, even when a lower slot is not a target', () => {
    // Prepare: 2..7 are targets; member 1 joins later with the lowest slot.
    const current = t4(2, 3, 4, 5, 6, 7);

    // Act
    const chosen = chooseTargets(cluster, members(1, 2, 3, 4, 5, 6, 7), current, 'ipv4');

    // Assess
    expect(chosen.targets).toEqual(current);
  });

  it('gives a freed place to the lowest slot not yet a target', () => {
    // Prepare: targets 1..6; member 3 leaves; 7, 8 and 9 wait.
    const current = t4(1, 2, 3, 4, 5, 6);

    // Act
    const chosen = chooseTargets(cluster, members(1, 2, 4, 5, 6, 9, 8, 7), current, 'ipv4');

    // Assess
    expect(chosen.targets).toEqual(t4(1, 2, 4, 5, 6, 7));
  });

  it('updates the targets of our FORWARD rule when a member leaves, and nothing else', () => {
    // Act
    const plan = planRule(input({ mode: 'forward', members: members(1, 3), rules: [ourForward(t4(1, 2, 3))] }));

    // Assess
    expect(steps(plan)).toEqual([{ kind: 'update', ruleId: 'rslvr-rr-ours', targets: t4(1, 3) }]);
  });

  it('reads IPv6 targets written in another spelling as the same targets', () => {
    // Prepare
    const current = [{ address: 'FD00:0:0::1', port: 53 }];

    // Act
    const plan = planRule(
      input({ mode: 'forward', family: 'ipv6', members: members(1), rules: [ourForward(current)] }),
    );

    // Assess
    expect(steps(plan)).toEqual([]);
  });

  it('moves our rule to another endpoint with UpdateResolverRule', () => {
    // Act
    const plan = planRule(input({ endpointId: 'rslvr-out-other', rules: [ourDelegate] }));

    // Assess
    expect(steps(plan)).toEqual([{ kind: 'update', ruleId: 'rslvr-rr-ours', endpointId: 'rslvr-out-other' }]);
  });

  it('associates a VPC added to the zone and disassociates one the zone no longer answers', () => {
    // Act
    const plan = planRule(input({ vpcIds: [vpcB], rules: [ourDelegate] }));

    // Assess
    expect(steps(plan)).toEqual([
      { kind: 'disassociate', ruleId: 'rslvr-rr-ours', vpcId: vpcA },
      { kind: 'associate', ruleId: 'rslvr-rr-ours', vpcId: vpcB },
    ]);
  });

  it('counts an association being created as held, and one being deleted as gone', () => {
    // Prepare
    const ours = rule({ associations: [assoc(vpcA, 'CREATING'), assoc(vpcB, 'DELETING')] });

    // Act
    const plan = planRule(input({ vpcIds: [vpcA, vpcB], rules: [ours] }));

    // Assess
    expect(steps(plan)).toEqual([{ kind: 'associate', ruleId: 'rslvr-rr-ours', vpcId: vpcB }]);
  });

  it('takes down a failed association, to be made again on the next run', () => {
    // Act
    const plan = planRule(input({ rules: [rule({ associations: [assoc(vpcA, 'FAILED')] })] }));

    // Assess
    expect(steps(plan)).toEqual([{ kind: 'disassociate', ruleId: 'rslvr-rr-ours', vpcId: vpcA }]);
  });

  it('removes the associations and then the rule when the last member leaves', () => {
    // Act
    const plan = planRule(
      input({ members: [], vpcIds: [vpcA, vpcB], rules: [rule({ associations: [assoc(vpcA), assoc(vpcB)] })] }),
    );

    // Assess
    expect(steps(plan)).toEqual([
      { kind: 'disassociate', ruleId: 'rslvr-rr-ours', vpcId: vpcA },
      { kind: 'disassociate', ruleId: 'rslvr-rr-ours', vpcId: vpcB },
      { kind: 'delete', ruleId: 'rslvr-rr-ours' },
    ]);
  });

  it('removes the FORWARD rule when no member has an address of the family, and says why', () => {
    // Act
    const plan = planRule(
      input({ mode: 'forward', family: 'ipv6', members: [member(1, { ipv6: undefined })], rules: [ourForward(t6(1))] }),
    );

    // Assess
    expect(steps(plan).map((s) => s.kind)).toEqual(['disassociate', 'delete']);
    expect(plan.kind === 'steps' && plan.notes.at(-1)).toContain('no member has an address for a FORWARD target');
  });

  it('plans nothing for a cluster with neither members nor a rule of ours, whatever else is there', () => {
    expect(steps(planRule(input({ members: [], rules: [foreign({})] })))).toEqual([]);
  });

  it('replaces our rule of the other type when the mode changes: old one down first, then the new one', () => {
    // Act
    const plan = planRule(input({ mode: 'forward', members: members(1), rules: [ourDelegate] }));

    // Assess
    expect(steps(plan).map((s) => s.kind)).toEqual(['disassociate', 'delete', 'create', 'associate']);
  });

  it('refuses the cluster when a rule we did not create is for its name, naming the rule', () => {
    // Act
    const plan = planRule(input({ rules: [foreign({ type: 'FORWARD' })] }));

    // Assess
    expect(plan).toMatchObject({ kind: 'refused', rules: [{ id: 'rslvr-rr-theirs' }] });
    expect(plan.kind === 'refused' && plan.reason).toContain('rslvr-rr-theirs "theirs" (FORWARD c1.example.com)');
  });

  it('reports a rule for the name tagged by another account or Region as elsewhere, touching nothing', () => {
    // Prepare
    const other = rule({
      claim: { kind: 'elsewhere', owner: 'rlec-dns-prod', account: '222222222222', region: 'eu-west-1' },
    });

    // Act
    const plan = planRule(input({ rules: [other] }));

    // Assess
    expect(plan).toMatchObject({ kind: 'elsewhere', rule: { id: 'rslvr-rr-ours' } });
  });

  it('refuses a DELEGATE rule under a FORWARD rule for a parent within the zone, in one of our VPCs', () => {
    // Prepare
    const parent = foreign({ type: 'FORWARD', domain: 'example.com', associations: [assoc(vpcA)] });

    // Act
    const plan = planRule(input({ rules: [parent] }));

    // Assess
    expect(plan).toMatchObject({ kind: 'refused', rules: [parent] });
  });

  it('lets a FORWARD rule for the cluster stand under a FORWARD rule for a parent (the more specific wins)', () => {
    // Prepare
    const parent = foreign({ type: 'FORWARD', domain: 'example.com', associations: [assoc(vpcA)] });

    // Act
    const plan = planRule(input({ mode: 'forward', rules: [parent] }));

    // Assess
    expect(plan.kind).toBe('steps');
  });

  it('is not shadowed by a parent rule in other VPCs, a SYSTEM rule for a parent, or a FORWARD rule above the zone', () => {
    // Prepare
    const rules = [
      foreign({ id: 'a', type: 'FORWARD', domain: 'example.com', associations: [assoc(vpcB)] }),
      foreign({ id: 'b', type: 'SYSTEM', domain: 'example.com', associations: [assoc(vpcA)] }),
      foreign({ id: 'c', type: 'FORWARD', domain: '', associations: [assoc(vpcA)] }),
      foreign({ id: 'd', type: 'FORWARD', domain: 'com', associations: [assoc(vpcA)] }),
    ];

    // Act
    const plan = planRule(input({ rules }));

    // Assess
    expect(plan.kind).toBe('steps');
  });

  it('refuses the cluster when a rule we did not create takes a name below it in one of our VPCs', () => {
    // Prepare
    const below = foreign({ type: 'SYSTEM', domain: `node1.${cluster}`, associations: [assoc(vpcA)] });

    // Act
    const plan = planRule(input({ mode: 'forward', rules: [below] }));

    // Assess
    expect(plan).toMatchObject({ kind: 'refused', rules: [below] });
    expect(plan.kind === 'refused' && plan.reason).toContain('takes names below it');
  });

  it('still takes our rule down when the last member leaves under a shadowing rule', () => {
    // Prepare
    const theirs = foreign({ type: 'FORWARD', domain: 'example.com', associations: [assoc(vpcA)] });

    // Act
    const plan = planRule(input({ members: [], rules: [ourDelegate, theirs] }));

    // Assess
    expect(steps(plan).map((s) => s.kind)).toEqual(['disassociate', 'delete']);
  });
});
