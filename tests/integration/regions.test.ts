/**
 * Deployments that share a zone: one in eu-west-1, one in us-east-1 (Route 53 is global, EC2 is not). Each publishes
 * the cluster whose members its own EC2 holds; neither ever changes the other's records, whatever the owner ids say,
 * and whichever sweeps first. Records of the earlier form (owner id only) are recognised by the deployment whose EC2
 * holds their members, and rewritten bound to it.
 */
import { describe, expect, it } from 'vitest';
import type { ReconcilerDeps } from '../../lib/controller/deps.js';
import { processEvents } from '../../lib/controller/process-events.js';
import { sweep } from '../../lib/controller/sweep.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { HERE, type Where } from '../../tools/world/deployment.js';
import { change, changeBatch } from '../../tools/world/route53-helpers.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const C1 = 'c1.example.com';
const C2 = 'c2.example.com';
const IRELAND: Where = { account: HERE.account, region: 'eu-west-1' };

const setup = useWorld();

interface Pair {
  readonly ireland: ReconcilerDeps;
  readonly virginia: ReconcilerDeps;
  readonly owners: { readonly ireland: string; readonly virginia: string };
}

/** Two deployments of one stage: with one explicit OWNER_ID for both, or with the default (prefix + account + Region). */
function deployments(ownerIds: 'same explicit id' | 'defaults'): Pair {
  const env = ownerIds === 'same explicit id' ? { OWNER_ID: 'rlec-dns-prod' } : { OWNER_PREFIX: 'rlec-dns-prod' };
  const { world } = setup;
  const ireland = world.deps({ ...env, AWS_REGION: 'eu-west-1' }, { ec2: world.ec2In('eu-west-1') });
  // OWNER_ID: the world's default is an explicit test id; unset it so the default applies.
  const virginia = world.deps({ ...env, AWS_REGION: 'us-east-1' });
  const withoutTestId = (deps: ReconcilerDeps): ReconcilerDeps =>
    ownerIds === 'defaults' ? { ...deps, config: { ...deps.config, ...defaultsOf(deps) } } : deps;
  const pair = { ireland: withoutTestId(ireland), virginia: withoutTestId(virginia) };
  return { ...pair, owners: { ireland: pair.ireland.config.ownerId, virginia: pair.virginia.config.ownerId } };
}

/** The owner id and legacy ids a deployment gets when OWNER_ID is not set. */
function defaultsOf(deps: ReconcilerDeps) {
  const { account, region } = deps.config;
  return { ownerId: `rlec-dns-prod-${account}-${region}`, legacyOwnerIds: ['rlec-dns-prod'] };
}

/** c1: two members in eu-west-1; c2: one member in us-east-1. Each published by its own deployment's sweep. */
async function publishBoth(pair: Pair) {
  const { world } = setup;
  const first = await world.launch({ cluster: C1, privateIp: '10.1.0.11', region: 'eu-west-1' });
  const second = await world.launch({ cluster: C1, privateIp: '10.1.0.12', region: 'eu-west-1' });
  const ipOf: Record<string, string> = { [first]: '10.1.0.11', [second]: '10.1.0.12' };
  const [a, b] = [first, second].sort() as [string, string];
  const c = await world.launch({ cluster: C2, privateIp: '10.2.0.21' });
  await sweep(pair.ireland);
  await sweep(pair.virginia);
  const expected = [
    ...delegation(
      C1,
      [
        [1, a, ipOf[a] ?? ''],
        [2, b, ipOf[b] ?? ''],
      ],
      pair.owners.ireland,
      IRELAND,
    ),
    ...delegation(C2, [[1, c, '10.2.0.21']], pair.owners.virginia, HERE),
  ].sort();
  return { a, b, c, expected };
}

const current = async () => (await setup.world.records(setup.zoneId)).sort();

describe.each(['same explicit id', 'defaults'] as const)('two deployments in two Regions, one zone (%s)', (ids) => {
  it('each publishes its own cluster, bound to its account and Region', async () => {
    // Prepare
    const pair = deployments(ids);

    // Act
    const { expected } = await publishBoth(pair);

    // Assess
    expect(await current()).toEqual(expected);
  });

  it.each([
    ['eu-west-1 first', ['ireland', 'virginia'] as const],
    ['us-east-1 first', ['virginia', 'ireland'] as const],
  ])('sweeps change nothing of the other deployment (%s)', async (_order, order) => {
    // Prepare
    const pair = deployments(ids);
    const { expected } = await publishBoth(pair);
    setup.world.emulator.proxy.resetCounts();

    // Act
    const outcomes = [];
    for (const side of [...order, ...order]) outcomes.push(await sweep(pair[side]));

    // Assess
    expect(await current()).toEqual(expected);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(outcomes.flatMap((o) => [...o.values()].map((v) => v.status))).not.toContain('refused');
  });

  it('the other Region deletes nothing when the last member of its cluster is gone from EC2', async () => {
    // Prepare: us-east-1 sees neither c1's members nor, after termination, c2's
    const pair = deployments(ids);
    const { c, expected } = await publishBoth(pair);
    await setup.world.terminate(c);

    // Act
    await sweep(pair.virginia);

    // Assess: c2 is gone, c1 is exactly as eu-west-1 left it
    expect(await current()).toEqual(expected.filter((line) => !line.includes(C2)));
  });
});

describe('a cluster owned elsewhere', () => {
  it('is reported by the sweep as owned elsewhere, not refused, and counted', async () => {
    // Prepare
    const pair = deployments('defaults');
    await publishBoth(pair);
    setup.world.telemetry.clear();

    // Act
    await sweep(pair.virginia);

    // Assess
    const done = setup.world.telemetry.lines.find((l) => l.message === 'sweep done');
    expect(done?.attributes).toMatchObject({ refused: 0, failed: 0, ownedElsewhere: 1 });
    expect(setup.world.telemetry.count(METRIC.clustersRefused)).toBe(0);
  });

  it('is left alone, with a warning naming the owner, when instances here carry its tag', async () => {
    // Prepare: someone tags a us-east-1 instance with eu-west-1's cluster
    const pair = deployments('defaults');
    const { expected } = await publishBoth(pair);
    const stray = await setup.world.launch({ cluster: C1, privateIp: '10.2.0.99' });
    setup.world.telemetry.clear();

    // Act
    const result = await processEvents(pair.virginia, [{ id: 'm1', body: setup.world.stateEvent(stray, 'running') }]);

    // Assess
    expect(result.outcomes.get(C1)?.status).toBe('elsewhere');
    expect(result.retry).toEqual([]);
    expect(await current()).toEqual(expected);
    const warning = setup.world.telemetry.lines.find((l) => l.level === 'warn' && l.message.includes(C1));
    expect(warning?.message).toContain(`owner ${pair.owners.ireland} (account ${IRELAND.account}, eu-west-1)`);
    expect(warning?.message).toContain(stray);
    expect(setup.world.telemetry.count(METRIC.clustersElsewhere)).toBe(1);
  });
});

describe('records of the earlier form (owner id only)', () => {
  /** Rewrites c1's ownership record as the earlier version wrote it: `heritage=rlec-dns,owner=rlec-dns-prod`. */
  async function downgrade(slots: readonly [number, string][]) {
    const { world, zoneId } = setup;
    const now = (await world.records(zoneId)).find((l) => l.startsWith(`_rlec-dns.${C1}. TXT`)) ?? '';
    const values = [...now.matchAll(/"[^"]*"/g)].map((m) => m[0]);
    const earlier = ['"heritage=rlec-dns,owner=rlec-dns-prod"', ...slots.map(([n, id]) => `"ns${n}=${id}"`)];
    await changeBatch(world.route53, zoneId, [
      change('DELETE', `_rlec-dns.${C1}.`, 'TXT', 60, values),
      change('CREATE', `_rlec-dns.${C1}.`, 'TXT', 60, earlier),
    ]);
  }

  it('are left alone by a deployment whose EC2 holds none of their instances, then rebound by the one that does', async () => {
    // Prepare: the reproduction of the data loss: same stage, two Regions, the earlier owner id in both
    const pair = deployments('defaults');
    const { a, b, expected } = await publishBoth(pair);
    await downgrade([
      [1, a],
      [2, b],
    ]);
    const downgraded = await current();

    // Act 1: us-east-1 sweeps first, with rlec-dns-prod among its legacy ids
    await sweep(pair.virginia);

    // Assess 1: nothing of c1 was touched
    expect(await current()).toEqual(downgraded);

    // Act 2: eu-west-1 sweeps
    const outcomes = await sweep(pair.ireland);

    // Assess 2: the ownership record is rewritten in the bound form; NS and glue were kept as they were
    expect(outcomes.get(C1)?.status).toBe('changed');
    expect(await current()).toEqual(expected);
    if (outcomes.get(C1)?.status === 'changed') {
      const changed = outcomes.get(C1);
      const names = changed?.status === 'changed' ? changed.plan.changes.map((c) => c.record.type) : [];
      expect(names).toEqual(['TXT', 'TXT']);
    }
  });

  it('are recognised by the deployment whose EC2 still shows a terminated member, and removed', async () => {
    // Prepare
    const pair = deployments('defaults');
    const { a, b, expected } = await publishBoth(pair);
    await downgrade([
      [1, a],
      [2, b],
    ]);
    await setup.world.terminateIn('eu-west-1', a);
    await setup.world.terminateIn('eu-west-1', b);

    // Act
    await sweep(pair.ireland);

    // Assess: c1's records are gone, c2's untouched
    expect(await current()).toEqual(expected.filter((line) => !line.includes(C1)));
  });
});
