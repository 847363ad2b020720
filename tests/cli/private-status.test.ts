/**
 * `rlec-dns status` and `plan` with the private side on (issue 11): each private cluster's Resolver rule (type, id,
 * DELEGATE record or FORWARD targets), its VPC associations, the steps a run would take, a refusal naming the rule
 * that blocks it, and the rules of clusters that are gone.
 */
import { CreateResolverRuleCommand } from '@aws-sdk/client-route53resolver';
import { beforeEach, describe, expect, it } from 'vitest';
import { listResolverRules } from '../../lib/provider/resolver-types.js';
import { changeBatch, listAll } from '../../tools/world/route53-helpers.js';
import { runCli, useCliWorld } from './support/cli.js';
import { type PrivateSetup, privateSide, publishWith } from './support/private.js';

const setup = useCliWorld();
const C1 = 'c1.example.com';

interface RuleJson {
  status: string;
  type?: string;
  id?: string;
  name?: string;
  domain?: string;
  endpointId?: string;
  targets: string[];
  vpcIds: string[];
  associations: { vpcId: string; status: string }[];
  steps: { action: string; ruleId?: string; vpcId?: string; type?: string; domain?: string; targets?: string[] }[];
  blocking: { id: string; type: string; domain: string }[];
  error?: string;
}

interface Report {
  changesPending?: boolean;
  clusters: { cluster: string; status?: string; state?: string; rule?: RuleJson }[];
  orphanRules?: { cluster: string; ruleId: string; status: string; steps: { action: string }[] }[];
}

let side: PrivateSetup;

async function launch(ips: readonly string[], env: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (const ip of ips) ids.push(await setup.world.launch({ cluster: C1, privateIp: ip }));
  if (env.ZONE_TYPE !== undefined) await publishWith(setup.world.deps(env), setup.world, ids);
  return ids;
}

async function json(command: 'plan' | 'status', env: Record<string, string>, ...args: string[]) {
  const result = await runCli([command, '--json', ...args], { env });
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

const ruleOf = (report: Report) => report.clusters.find((c) => c.cluster === C1)?.rule;

async function ourRule() {
  const [rule, ...others] = (await listResolverRules(setup.world.resolver)).ResolverRules ?? [];
  expect(others).toEqual([]);
  return rule;
}

beforeEach(async () => {
  side = await privateSide(setup.world);
});

describe('rlec-dns plan and status with a DELEGATE rule', () => {
  it('plans the rule to create and the zone’s VPC to associate, in JSON and as text, and exits 2', async () => {
    // Prepare
    await launch(['10.0.0.11']);
    // Act
    const { code, report } = await json('plan', side.env);
    const text = await runCli(['plan'], { env: side.env });
    // Assess
    expect(code).toBe(2);
    expect(report.changesPending).toBe(true);
    expect(ruleOf(report)).toMatchObject({
      status: 'pending',
      type: 'DELEGATE',
      domain: C1,
      endpointId: side.endpoint.endpointId,
      vpcIds: [side.endpoint.vpcId],
      associations: [],
    });
    expect(ruleOf(report)?.steps.map((s) => `${s.action} ${s.type ?? s.vpcId}`)).toEqual([
      'create DELEGATE',
      `associate ${side.endpoint.vpcId}`,
    ]);
    expect(text.stdout).toContain(`  Resolver rule: DELEGATE (to create)`);
    expect(text.stdout).toContain(`    + create DELEGATE rule for ${C1} on ${side.endpoint.endpointId}`);
    expect(text.stdout).toContain(`    + associate the new rule with ${side.endpoint.vpcId}`);
    expect(text.stdout.endsWith('1 cluster: 1 pending\nResolver rules: 1 pending\n')).toBe(true);
  });

  it('shows the rule in place with its id, name and associations once published, in step', async () => {
    // Prepare
    await launch(['10.0.0.11'], side.env);
    const rule = await ourRule();
    // Act
    const { code, report } = await json('status', side.env);
    const text = await runCli(['status'], { env: side.env });
    // Assess
    expect(code).toBe(0);
    expect(ruleOf(report)).toMatchObject({
      status: 'in-step',
      type: 'DELEGATE',
      id: rule?.Id,
      name: rule?.Name,
      domain: C1,
      associations: [{ vpcId: side.endpoint.vpcId, status: 'COMPLETE' }],
      steps: [],
    });
    expect(text.stdout).toContain(`  Resolver rule: DELEGATE ${rule?.Id} "${rule?.Name}" for ${C1} on `);
    expect(text.stdout).toContain(`    associated with: ${side.endpoint.vpcId}\n`);
  });
});

describe('rlec-dns plan and status with a FORWARD rule', () => {
  it('lists the targets, and plans the update that adds a joining member', async () => {
    // Prepare
    const env = { ...side.env, RESOLVER_RULE: 'forward' };
    await launch(['10.0.0.11', '10.0.0.12'], env);
    const ruleId = (await ourRule())?.Id;
    const before = (await json('status', env)).report;
    await setup.world.launch({ cluster: C1, privateIp: '10.0.0.13' });
    // Act
    const { code, report } = await json('plan', env);
    const text = await runCli(['plan'], { env });
    // Assess
    expect(ruleOf(before)).toMatchObject({ status: 'in-step', type: 'FORWARD', id: ruleId });
    expect([...(ruleOf(before)?.targets ?? [])].sort()).toEqual(['10.0.0.11:53', '10.0.0.12:53']);
    expect(code).toBe(2);
    const targets = ruleOf(report)?.targets ?? [];
    expect([...targets].sort()).toEqual(['10.0.0.11:53', '10.0.0.12:53', '10.0.0.13:53']);
    expect(ruleOf(report)?.steps).toEqual([{ action: 'update', ruleId, targets }]);
    expect(text.stdout).toContain(`-> ${targets.join(' ')} on ${side.endpoint.endpointId}`);
    expect(text.stdout).toContain(`    ~ update ${ruleId}: targets ${targets.join(' ')}`);
  });
});

describe('a private side refused by a rule this deployment did not create', () => {
  it('names the blocking rule in status and plan, and plan exits 1', async () => {
    // Prepare
    const { ResolverRule: foreign } = await setup.world.resolver.send(
      new CreateResolverRuleCommand({
        CreatorRequestId: 'another-team',
        Name: 'their-rule',
        RuleType: 'FORWARD',
        DomainName: C1,
        TargetIps: [{ Ip: '10.9.9.9', Port: 53 }],
        ResolverEndpointId: side.endpoint.endpointId,
      }),
    );
    await launch(['10.0.0.11']);
    // Act
    const plan = await json('plan', side.env);
    const status = await json('status', side.env);
    const text = await runCli(['status'], { env: side.env });
    // Assess
    expect(plan.code).toBe(1);
    for (const report of [plan.report, status.report]) {
      expect(ruleOf(report)).toMatchObject({ status: 'refused', blocking: [{ id: foreign?.Id, type: 'FORWARD' }] });
      expect(ruleOf(report)?.error).toContain('refused on the private side');
    }
    expect(text.stdout).toContain(`    blocked by ${foreign?.Id} "their-rule" (FORWARD ${C1})`);
  });
});

describe('rlec-dns plan and the sweep’s orphan rules', () => {
  it('lists a rule of ours whose cluster is gone as to be removed, with its steps', async () => {
    // Prepare: c1 published, then its instance and records gone behind the loop's back
    const [id] = await launch(['10.0.0.11'], side.env);
    const ruleId = (await ourRule())?.Id;
    await setup.world.terminate(id ?? '');
    const sets = (await listAll(setup.world.route53, side.privateZoneId)).filter((r) => r.Name?.includes(C1));
    await changeBatch(
      setup.world.route53,
      side.privateZoneId,
      sets.map((ResourceRecordSet) => ({ Action: 'DELETE', ResourceRecordSet })),
    );
    // Act
    const { code, report } = await json('plan', side.env);
    const text = await runCli(['plan'], { env: side.env });
    // Assess
    expect(code).toBe(2);
    expect(report.orphanRules?.map((o) => [o.cluster, o.ruleId, o.status, o.steps.map((s) => s.action)])).toEqual([
      [C1, ruleId, 'planned', ['disassociate', 'delete']],
    ]);
    expect(text.stdout).toContain(`  ${ruleId} (${C1}): to remove\n    - disassociate ${ruleId} from `);
    expect(text.stdout.endsWith('Resolver rules: none; 1 orphan rule to remove\n')).toBe(true);
    expect((await ourRule())?.Id).toBe(ruleId);
  });
});
