/**
 * The private side through the loop (issue 11): events and sweeps, not the rule module alone. A cluster published in
 * a private zone gets its Resolver rule in the same run as its records; the rule follows the members; a foreign rule
 * refuses only the private side; the sweep removes a rule of ours whose cluster is gone; plan mode writes nothing.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateResolverRuleCommand, ListResolverRuleAssociationsCommand } from '@aws-sdk/client-route53resolver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReconcilerDeps } from '../../lib/controller/deps.js';
import { processEvents } from '../../lib/controller/process-events.js';
import { runOnce } from '../../lib/controller/run-once.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { listResolverRules, type ResolverRule } from '../../lib/provider/resolver-types.js';
import type { OutboundEndpoint } from '../../tools/world/resolver-helpers.js';
import { changeBatch, listAll } from '../../tools/world/route53-helpers.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();
const C1 = 'c1.example.com';

let endpoint: OutboundEndpoint;
let privateZoneId: string;

beforeEach(async () => {
  endpoint = await setup.world.outboundEndpoint();
  privateZoneId = await setup.world.privateZone('example.com', endpoint.vpcId);
});

const depsFor = (rule: 'delegate' | 'forward', env: Record<string, string> = {}) =>
  setup.world.deps({ ZONE_TYPE: 'private', RESOLVER_ENDPOINT_ID: endpoint.endpointId, RESOLVER_RULE: rule, ...env });

const send = (deps: ReconcilerDeps, ...events: Record<string, unknown>[]) =>
  processEvents(
    deps,
    events.map((body, i) => ({ id: `e${i}`, body })),
  );

async function rules(): Promise<ResolverRule[]> {
  return (await listResolverRules(setup.world.resolver)).ResolverRules ?? [];
}

async function associatedVpcs(ruleId: string | undefined): Promise<string[]> {
  const { ResolverRuleAssociations = [] } = await setup.world.resolver.send(
    new ListResolverRuleAssociationsCommand({ Filters: [{ Name: 'ResolverRuleId', Values: [ruleId ?? ''] }] }),
  );
  return ResolverRuleAssociations.map((a) => a.VPCId ?? '').sort();
}

/** Deletes every record at or below the cluster's name, as a person would by hand. */
async function deleteCluster(zoneId: string, cluster: string): Promise<void> {
  const sets = (await listAll(setup.world.route53, zoneId)).filter(
    (r) => r.Name === `${cluster}.` || r.Name?.endsWith(`.${cluster}.`),
  );
  await changeBatch(
    setup.world.route53,
    zoneId,
    sets.map((ResourceRecordSet) => ({ Action: 'DELETE', ResourceRecordSet })),
  );
}

async function publicIpOf(instanceId: string): Promise<string> {
  const out = await setup.world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return out.Reservations?.[0]?.Instances?.[0]?.PublicIpAddress ?? 'none';
}

const targetsOf = (rule: ResolverRule | undefined) => (rule?.TargetIps ?? []).map((t) => t.Ip).sort();

describe('a private cluster through the loop', () => {
  it('gets its records in the private zone and one DELEGATE rule on the endpoint, associated with the zone’s VPC', async () => {
    // Prepare
    const deps = depsFor('delegate');
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });

    // Act
    const result = await send(deps, setup.world.stateEvent(a, 'running'));

    // Assess
    expect(result.retry).toEqual([]);
    expect(await setup.world.clusterRecords(privateZoneId, C1)).toContain(`ns1.${C1}. A 60 10.0.0.11`);
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toEqual([]);
    const [rule, ...others] = await rules();
    expect(others).toEqual([]);
    expect(rule).toMatchObject({ RuleType: 'DELEGATE', DelegationRecord: `${C1}.` });
    expect(rule?.ResolverEndpointId).toBe(endpoint.endpointId);
    expect(await associatedVpcs(rule?.Id)).toEqual([endpoint.vpcId]);
  });

  it('keeps a FORWARD rule’s targets on the members in the run that changes the records', async () => {
    // Prepare
    const deps = depsFor('forward');
    const ids = [];
    for (const ip of ['10.0.0.11', '10.0.0.12', '10.0.0.13']) {
      ids.push(await setup.world.launch({ cluster: C1, privateIp: ip }));
    }
    await send(deps, ...ids.map((id) => setup.world.stateEvent(id, 'running')));
    expect(targetsOf((await rules())[0])).toEqual(['10.0.0.11', '10.0.0.12', '10.0.0.13']);

    // Act
    await setup.world.terminate(ids[0] ?? '');
    const result = await send(deps, setup.world.stateEvent(ids[0] ?? '', 'terminated'));

    // Assess
    expect(result.retry).toEqual([]);
    expect(targetsOf((await rules())[0])).toEqual(['10.0.0.12', '10.0.0.13']);
    const glue = (await setup.world.clusterRecords(privateZoneId, C1)).filter((l) => l.includes(' A '));
    expect(glue.map((l) => l.split(' ').at(-1)).sort()).toEqual(['10.0.0.12', '10.0.0.13']);
  });

  it('removes the rule, its associations and the records when the last member leaves', async () => {
    // Prepare
    const deps = depsFor('delegate');
    const before = await setup.world.records(privateZoneId);
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    await send(deps, setup.world.stateEvent(a, 'running'));
    const ruleId = (await rules())[0]?.Id;
    expect(await associatedVpcs(ruleId)).toEqual([endpoint.vpcId]);

    // Act
    await setup.world.terminate(a);
    const result = await send(deps, setup.world.stateEvent(a, 'terminated'));

    // Assess
    expect(result.retry).toEqual([]);
    expect(await setup.world.records(privateZoneId)).toEqual(before);
    expect(await rules()).toEqual([]);
    expect(await associatedVpcs(ruleId)).toEqual([]);
  });

  it('refuses only the private side when a rule it did not create holds the name: records written, rule untouched', async () => {
    // Prepare
    const deps = depsFor('delegate');
    const { ResolverRule: foreign } = await setup.world.resolver.send(
      new CreateResolverRuleCommand({
        CreatorRequestId: 'another-team',
        RuleType: 'FORWARD',
        DomainName: C1,
        TargetIps: [{ Ip: '10.9.9.9', Port: 53 }],
        ResolverEndpointId: endpoint.endpointId,
      }),
    );
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });

    // Act
    const result = await send(deps, setup.world.stateEvent(a, 'running'));

    // Assess
    expect(result.retry).toEqual([]);
    expect(await setup.world.clusterRecords(privateZoneId, C1)).toContain(`ns1.${C1}. A 60 10.0.0.11`);
    expect((await rules()).map((r) => [r.Id, targetsOf(r)])).toEqual([[foreign?.Id, ['10.9.9.9']]]);
    const refusals = setup.world.telemetry.messages('error').filter((m) => m.includes('refused on the private side'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain(C1);
  });

  it('writes nothing in plan mode, and says which rule it would create', async () => {
    // Prepare
    const deps = depsFor('delegate');
    await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });

    // Act
    const result = await runOnce(deps, { clusters: 'all', mode: 'plan' });

    // Assess
    const rule = result.rules.get(C1);
    expect(rule?.status).toBe('planned');
    expect(rule?.status === 'planned' ? rule.steps.map((s) => s.kind) : []).toEqual(['create', 'associate']);
    expect(await rules()).toEqual([]);
    expect(await setup.world.clusterRecords(privateZoneId, C1)).toEqual([]);
  });

  it('has the sweep remove a rule of ours whose cluster has neither members nor records any more', async () => {
    // Prepare: c1 published, then its instance and records gone behind the loop's back
    const deps = depsFor('delegate');
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    await send(deps, setup.world.stateEvent(a, 'running'));
    await setup.world.terminate(a);
    await deleteCluster(privateZoneId, C1);
    expect(await rules()).toHaveLength(1);

    // Act
    const result = await runOnce(deps, { clusters: 'all', mode: 'apply' });

    // Assess
    expect(result.orphans.map((o) => [o.cluster, o.status])).toEqual([[C1, 'removed']]);
    expect(await rules()).toEqual([]);
  });
});

describe('a split view (ZONE_TYPE=both) with a DELEGATE rule', () => {
  it('publishes public addresses in the public zone, private ones in the private zone, and the rule for the private side', async () => {
    // Prepare
    const deps = setup.world.deps({ ZONE_TYPE: 'both', RESOLVER_ENDPOINT_ID: endpoint.endpointId });
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    const publicIp = await publicIpOf(a);

    // Act
    const result = await runOnce(deps, { clusters: [C1], mode: 'apply' });

    // Assess
    expect(result.outcomes.get(C1)?.status).toBe('changed');
    expect(await setup.world.clusterRecords(setup.zoneId, C1)).toContain(`ns1.${C1}. A 60 ${publicIp}`);
    expect(await setup.world.clusterRecords(privateZoneId, C1)).toContain(`ns1.${C1}. A 60 10.0.0.11`);
    expect(result.rules.get(C1)?.status).toBe('changed');
    expect((await rules()).map((r) => r.RuleType)).toEqual(['DELEGATE']);
  });
});

describe('the private side and the invocation’s deadline', () => {
  it('defers a rule it has no time left to start: records written, no rule, the event retried', async () => {
    // Prepare: time enough for the records, none left once they are written
    let left = 60_000;
    const deps = { ...depsFor('delegate'), timeLeftMs: () => left };
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    const realSend = deps.route53.send.bind(deps.route53);
    const route53 = Object.assign(Object.create(deps.route53), {
      send: async (...args: Parameters<typeof realSend>) => {
        const out = await realSend(...args);
        if (args[0].constructor.name === 'ChangeResourceRecordSetsCommand') left = 1_000;
        return out;
      },
    });

    // Act
    const result = await send({ ...deps, route53 }, setup.world.stateEvent(a, 'running'));

    // Assess
    expect(result.retry).toEqual(['e0']);
    expect(await setup.world.clusterRecords(privateZoneId, C1)).toContain(`ns1.${C1}. A 60 10.0.0.11`);
    expect(await rules()).toEqual([]);
  });
});

/** A Resolver error as the service sends it (JSON 1.1). */
const resolverError = (status: number, type: string, message: string) => ({
  status,
  body: JSON.stringify({ __type: type, message }),
  headers: { 'content-type': 'application/x-amz-json-1.1' },
});

describe('the private side when the Resolver refuses or fails', () => {
  afterEach(() => {
    setup.world.emulator.proxy.beforeForward = undefined;
  });

  it('refuses every private cluster’s rule once when the rules cannot be listed: records written, one error, counted', async () => {
    // Prepare
    const deps = depsFor('delegate');
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    setup.world.emulator.proxy.beforeForward = (ctx) =>
      ctx.action === 'ListResolverRules'
        ? resolverError(400, 'AccessDeniedException', 'not authorized to perform route53resolver:ListResolverRules')
        : undefined;

    // Act
    const result = await runOnce(deps, { clusters: [C1], mode: 'apply' });
    const events = await send(deps, setup.world.stateEvent(a, 'running'));

    // Assess
    expect(result.rules.get(C1)?.status).toBe('refused');
    expect(events.retry).toEqual([]);
    expect(await setup.world.clusterRecords(privateZoneId, C1)).toContain(`ns1.${C1}. A 60 10.0.0.11`);
    const errors = setup.world.telemetry.messages('error').filter((m) => m.startsWith('Resolver rules not reconciled'));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('ListResolverRules');
    expect(setup.world.telemetry.count(METRIC.awsPermanentErrors)).toBe(2);
  });

  it('retries the events when the rules cannot be listed for a transient reason', async () => {
    // Prepare
    const deps = depsFor('delegate');
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    setup.world.emulator.proxy.beforeForward = (ctx) =>
      ctx.action === 'ListResolverRules' ? resolverError(500, 'InternalServiceErrorException', 'try again') : undefined;

    // Act
    const events = await send(deps, setup.world.stateEvent(a, 'running'));

    // Assess
    expect(events.retry).toEqual(['e0']);
    expect(events.outcomes.get(C1)?.status).toBe('changed');
    setup.world.emulator.proxy.beforeForward = undefined;
    expect(await rules()).toEqual([]);
  });

  it('reports an orphan rule it could not remove, and removes it on a later sweep', async () => {
    // Prepare: c1's rule left behind, and its DeleteResolverRule failing once
    const deps = depsFor('delegate');
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    await send(deps, setup.world.stateEvent(a, 'running'));
    await setup.world.terminate(a);
    await deleteCluster(privateZoneId, C1);
    let failures = 1;
    setup.world.emulator.proxy.beforeForward = (ctx) => {
      if (ctx.action !== 'DeleteResolverRule' || failures === 0) return undefined;
      failures -= 1;
      return resolverError(400, 'InvalidRequestException', 'cannot delete this rule now');
    };

    // Act
    const first = await runOnce(deps, { clusters: 'all', mode: 'apply' });
    const second = await runOnce(deps, { clusters: 'all', mode: 'apply' });

    // Assess
    expect(first.orphans.map((o) => [o.cluster, o.status])).toEqual([[C1, 'refused']]);
    expect(setup.world.telemetry.messages('error')).toContain('Resolver rule of a cluster that is gone not removed');
    expect(second.orphans.map((o) => [o.cluster, o.status])).toEqual([[C1, 'removed']]);
    expect(await rules()).toEqual([]);
  });

  it('lists an orphan rule in plan mode without removing it', async () => {
    // Prepare
    const deps = depsFor('delegate');
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    await send(deps, setup.world.stateEvent(a, 'running'));
    await setup.world.terminate(a);
    await deleteCluster(privateZoneId, C1);

    // Act
    const result = await runOnce(deps, { clusters: 'all', mode: 'plan' });

    // Assess
    expect(result.orphans.map((o) => [o.cluster, o.status, o.steps.map((s) => s.kind).join(',')])).toEqual([
      [C1, 'planned', 'disassociate,delete'],
    ]);
    expect(await rules()).toHaveLength(1);
  });
});

describe('twin private zones (one name, two sets of VPCs)', () => {
  it('publishes the cluster in both and associates its one rule with the VPCs of both', async () => {
    // Prepare: a second private zone named example.com, answering another VPC
    const otherVpc = await setup.world.vpc();
    const twinId = await setup.world.privateZone('example.com', otherVpc);
    const deps = depsFor('delegate');
    const a = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });

    // Act
    const result = await send(deps, setup.world.stateEvent(a, 'running'));

    // Assess
    expect(result.retry).toEqual([]);
    for (const zoneId of [privateZoneId, twinId]) {
      expect(await setup.world.clusterRecords(zoneId, C1)).toContain(`ns1.${C1}. A 60 10.0.0.11`);
    }
    const [rule, ...others] = await rules();
    expect(others).toEqual([]);
    expect(await associatedVpcs(rule?.Id)).toEqual([endpoint.vpcId, otherVpc].sort());
  });
});
