/**
 * The whole lifecycle of a cluster against the emulator, through the event loop with the real SDK clients: join,
 * leave, stop and start, rejoin, last node out.
 */
import { describe, expect, it } from 'vitest';
import { processEvents } from '../../lib/controller/process-events.js';
import { useWorld } from '../support/use-world.js';

const setup = useWorld();

const send = (...events: Record<string, unknown>[]) =>
  processEvents(
    setup.world.deps(),
    events.map((body, i) => ({ id: `e${i}`, body })),
  );

/** The cluster's expected records, sorted, for members given as [slot, instance id, address]. */
function expected(members: [number, string, string][]): string[] {
  if (members.length === 0) return [];
  const bySlot = [...members].sort((x, y) => x[0] - y[0]);
  return [
    `c1.example.com. NS 60 ${bySlot.map(([n]) => `ns${n}.c1.example.com.`).join(' ')}`,
    `_rlec-dns.c1.example.com. TXT 60 "heritage=rlec-dns,owner=rlec-dns-test,account=123456789012,region=us-east-1" ${bySlot.map(([n, id]) => `"ns${n}=${id}"`).join(' ')}`,
    ...bySlot.map(([n, , ip]) => `ns${n}.c1.example.com. A 60 ${ip}`),
  ].sort();
}

const ipOf = new Map<string, string>();

const current = async () => (await setup.world.records(setup.zoneId)).sort();

/** Launches three tagged nodes and publishes them; returns their ids in slot order. */
async function threeNodes(): Promise<[string, string, string]> {
  const ids: string[] = [];
  for (const ip of ['10.0.0.11', '10.0.0.12', '10.0.0.13']) {
    const id = await setup.world.launch({ cluster: 'c1.example.com', privateIp: ip });
    ipOf.set(id, ip);
    ids.push(id);
  }
  await send(...ids.map((id) => setup.world.stateEvent(id, 'running')));
  const slots = [...ids].sort();
  return slots as [string, string, string];
}

describe('a cluster through its life', () => {
  it('delegates the cluster to its first three nodes, numbered in instance-id order', async () => {
    // Prepare
    const a = await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    const b = await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.12' });
    const c = await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.13' });
    ipOf.set(a, '10.0.0.11').set(b, '10.0.0.12').set(c, '10.0.0.13');
    // Act
    const result = await send(
      setup.world.stateEvent(a, 'running'),
      setup.world.stateEvent(b, 'running'),
      setup.world.stateEvent(c, 'running'),
    );
    // Assess
    expect(result.retry).toEqual([]);
    const [s1, s2, s3] = [a, b, c].sort() as [string, string, string];
    expect(await current()).toEqual(
      expected([
        [1, s1, ipOf.get(s1) ?? ''],
        [2, s2, ipOf.get(s2) ?? ''],
        [3, s3, ipOf.get(s3) ?? ''],
      ]),
    );
  });

  it('removes a terminated node and keeps the others numbered as they were', async () => {
    // Prepare
    const [s1, s2, s3] = await threeNodes();
    // Act
    await setup.world.terminate(s2);
    const result = await send(setup.world.stateEvent(s2, 'terminated'));
    // Assess
    expect(result.retry).toEqual([]);
    const records = await current();
    expect(records.some((r) => r.startsWith('ns2.'))).toBe(false);
    expect(records).toContain(
      `_rlec-dns.c1.example.com. TXT 60 "heritage=rlec-dns,owner=rlec-dns-test,account=123456789012,region=us-east-1" "ns1=${s1}" "ns3=${s3}"`,
    );
    expect(records).toContain('c1.example.com. NS 60 ns1.c1.example.com. ns3.c1.example.com.');
  });

  it('gives the freed number to the next node that joins', async () => {
    // Prepare
    const [, s2] = await threeNodes();
    await setup.world.terminate(s2);
    await send(setup.world.stateEvent(s2, 'terminated'));
    // Act
    const d = await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.14' });
    await send(setup.world.stateEvent(d, 'running'));
    // Assess
    const records = await current();
    expect(records).toContain('ns2.c1.example.com. A 60 10.0.0.14');
    expect(records.find((r) => r.startsWith('_rlec-dns'))).toContain(`"ns2=${d}"`);
  });

  it('takes a stopped node out and puts it back when it starts again', async () => {
    // Prepare
    const [s1] = await threeNodes();
    // Act
    await setup.world.stopInstance(s1);
    await send(setup.world.stateEvent(s1, 'stopping'), setup.world.stateEvent(s1, 'stopped'));
    const whileStopped = await current();
    await setup.world.startInstance(s1);
    await send(setup.world.stateEvent(s1, 'running'));
    // Assess
    expect(whileStopped.some((r) => r.startsWith('ns1.'))).toBe(false);
    expect(await current()).toContain(`ns1.c1.example.com. A 60 ${ipOf.get(s1)}`);
  });

  it('leaves the zone as it was when the last node leaves', async () => {
    // Prepare
    const before = await current();
    const ids = await threeNodes();
    // Act
    for (const id of ids) await setup.world.terminate(id);
    const result = await send(...ids.map((id) => setup.world.stateEvent(id, 'terminated')));
    // Assess
    expect(result.retry).toEqual([]);
    expect(await current()).toEqual(before);
  });

  it('changes nothing for duplicated and out-of-order events', async () => {
    // Prepare
    const [s1, s2, s3] = await threeNodes();
    const settled = await current();
    setup.world.emulator.proxy.resetCounts();
    // Act: a late "pending", a duplicate "running" and a stale "stopped" for running nodes
    const result = await send(
      setup.world.stateEvent(s1, 'pending'),
      setup.world.stateEvent(s2, 'running'),
      setup.world.stateEvent(s3, 'stopped'),
      setup.world.stateEvent(s2, 'running'),
    );
    // Assess
    expect(result.retry).toEqual([]);
    expect(await current()).toEqual(settled);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
  });
});
