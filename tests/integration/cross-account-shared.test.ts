/**
 * One zone in the DNS account (222222222222), three deployments that assume its role (issue 12): 111111111111 in
 * us-east-1 and in eu-west-1, 333333333333 in us-east-1. Each publishes the cluster its own EC2 holds, bound to its
 * account and Region; whichever sweeps first, none changes a record of the others'; each one's plan and status list
 * the others' clusters as owned elsewhere. A role a deployment may not assume (wrong external id, a trust that does
 * not list its account): cross-account-refused.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { clusterStatus } from '../../cli/status-view.js';
import { runOnce } from '../../lib/controller/run-once.js';
import { sweep } from '../../lib/controller/sweep.js';
import type { BuiltDeps } from '../../lib/platform/factory.js';
import {
  deploymentAt,
  launchAt,
  ownerAt,
  type SharedZone,
  type Site,
  sharedZone,
  terminateAt,
  zoneRecords,
} from '../support/accounts.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const SITES = {
  virginia: { account: '111111111111', region: 'us-east-1' },
  ireland: { account: '111111111111', region: 'eu-west-1' },
  other: { account: '333333333333', region: 'us-east-1' },
} as const satisfies Record<string, Site>;
type Name = keyof typeof SITES;
const NAMES = Object.keys(SITES) as Name[];
const CLUSTER: Record<Name, string> = {
  virginia: 'c1.example.org',
  ireland: 'c2.example.org',
  other: 'c3.example.org',
};
const ADDRESS: Record<Name, string> = { virginia: '10.1.0.11', ireland: '10.2.0.21', other: '10.3.0.31' };

const setup = useWorld();

interface Layout {
  readonly zone: SharedZone;
  readonly deps: Record<Name, BuiltDeps>;
  /** Each deployment's one member. */
  readonly members: Record<Name, string>;
  /** The zone's records once every deployment has published its cluster. */
  readonly expected: string[];
}

/** The zone, each deployment with one tagged instance, each cluster published by its own deployment's sweep. */
async function publishAll(): Promise<Layout> {
  const zone = await sharedZone(setup.world.emulator.endpoint, ['111111111111', '333333333333']);
  const deps = {} as Record<Name, BuiltDeps>;
  const members = {} as Record<Name, string>;
  for (const name of NAMES) {
    deps[name] = deploymentAt(zone, SITES[name]).deps;
    members[name] = await launchAt(zone, SITES[name], CLUSTER[name], ADDRESS[name]);
  }
  for (const name of NAMES) await sweep(deps[name]);
  const expected = NAMES.flatMap((name) =>
    delegation(CLUSTER[name], [[1, members[name], ADDRESS[name]]], ownerAt(SITES[name]), SITES[name]),
  ).sort();
  return { zone, deps, members, expected };
}

const others = (name: Name): string[] =>
  NAMES.filter((n) => n !== name)
    .map((n) => CLUSTER[n])
    .sort();

describe('three deployments, two accounts, two Regions, one zone in the DNS account', () => {
  it('each publishes its own cluster through the DNS role, bound to its own account and Region', async () => {
    // Prepare, Act
    const { zone, expected, deps } = await publishAll();

    // Assess
    expect(await zoneRecords(zone)).toEqual(expected);
    for (const name of NAMES) deps[name].close();
  });

  it.each([
    ['in launch order', NAMES],
    ['in reverse order', [...NAMES].reverse()],
  ])('sweeps %s change nothing of the others', async (_order, order) => {
    // Prepare
    const { zone, expected, deps } = await publishAll();
    setup.world.emulator.proxy.resetCounts();

    // Act
    const statuses = [];
    for (const name of [...order, ...order]) {
      const outcomes = await sweep(deps[name]);
      statuses.push(...[...outcomes.values()].map((o) => `${name} ${o.cluster} ${o.status}`));
    }

    // Assess
    expect(await zoneRecords(zone)).toEqual(expected);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    // Each deployment's credentials from the role are kept (for an hour here): no AssumeRole per sweep or per call.
    expect(setup.world.emulator.proxy.count('AssumeRole')).toBe(0);
    expect(statuses.filter((s) => !s.endsWith(' unchanged'))).toEqual([]);
    for (const name of NAMES) deps[name].close();
  });

  it.each(NAMES)('%s removes its own cluster when its member is gone, and only that', async (name) => {
    // Prepare
    const { zone, expected, deps, members } = await publishAll();
    await terminateAt(zone, SITES[name], members[name]);

    // Act
    for (const each of NAMES) await sweep(deps[each]);

    // Assess
    expect(await zoneRecords(zone)).toEqual(expected.filter((line) => !line.includes(CLUSTER[name])));
    for (const each of NAMES) deps[each].close();
  });

  it.each(NAMES)("%s's plan and status list the others' clusters as owned elsewhere", async (name) => {
    // Prepare
    const { deps } = await publishAll();
    const me = deps[name];

    // Act
    const plan = await runOnce(me, { clusters: 'all', mode: 'plan' });
    const status = await clusterStatus(me, 'all');

    // Assess
    expect(plan.elsewhere.map((f) => f.cluster).sort()).toEqual(others(name));
    expect([...plan.outcomes.values()].map((o) => [o.cluster, o.status])).toEqual([[CLUSTER[name], 'unchanged']]);
    const states = status.clusters.map((c) => [c.cluster, c.state, c.owner]);
    for (const other of NAMES.filter((n) => n !== name)) {
      const { account, region } = SITES[other];
      expect(states).toContainEqual([
        CLUSTER[other],
        'elsewhere',
        `owner ${ownerAt(SITES[other])} (account ${account}, ${region})`,
      ]);
    }
    expect(states).toContainEqual([CLUSTER[name], 'in-step', undefined]);
    for (const each of NAMES) deps[each].close();
  });
});
