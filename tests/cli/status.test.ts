/** `rlec-dns status` against the emulator: members, records, and whether they agree, without writing anything. */
import { describe, expect, it } from 'vitest';
import { changeBatch, change as r53Change } from '../../tools/world/route53-helpers.js';
import { launchCluster, runCli, useCliWorld } from './support/cli.js';

const setup = useCliWorld();

interface StatusJson {
  clusters: {
    cluster: string;
    state: string;
    zone: { id: string; name: string };
    members: { instanceId: string; state: string; address?: string; slot?: number; role: string; note?: string }[];
    records: { name: string; type: string; ttl: number; values: string[] }[];
    pendingChanges: number;
    error?: string;
  }[];
  problems: { instanceId: string; message: string }[];
}

const status = async (...args: string[]) => {
  const result = await runCli(['status', '--json', ...args]);
  return { ...result, report: JSON.parse(result.stdout) as StatusJson };
};

describe('rlec-dns status', () => {
  it('lists each member with its number, state and address, and says the cluster is in step', async () => {
    // Prepare
    const nodes = await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11', '10.0.0.12']);
    // Act
    const { code, report } = await status();
    // Assess
    expect(code).toBe(0);
    expect(report.clusters).toHaveLength(1);
    const [c1] = report.clusters;
    expect(c1).toMatchObject({
      cluster: 'c1.example.com',
      state: 'in-step',
      zone: { id: setup.zoneId },
      pendingChanges: 0,
    });
    expect(c1?.members.map((m) => [m.slot, m.instanceId, m.state, m.address, m.role])).toEqual(
      nodes.map((n) => [n.slot, n.id, 'running', n.address, 'published']),
    );
    expect(c1?.records.map((r) => `${r.name} ${r.type}`)).toEqual([
      'c1.example.com. NS',
      '_rlec-dns.c1.example.com. TXT',
      'ns1.c1.example.com. A',
      'ns2.c1.example.com. A',
    ]);
  });

  it('shows a terminated member as still published and to be removed, and the cluster out of step', async () => {
    // Prepare
    const [first, second] = await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11', '10.0.0.12']);
    await setup.world.terminate(second?.id ?? '');
    // Act
    const { report } = await status('--cluster', 'c1.example.com');
    // Assess
    const [c1] = report.clusters;
    expect(c1?.state).toBe('out-of-step');
    expect(c1?.pendingChanges).toBeGreaterThan(0);
    expect(c1?.members).toContainEqual(expect.objectContaining({ instanceId: first?.id, role: 'published' }));
    expect(c1?.members).toContainEqual(
      expect.objectContaining({ instanceId: second?.id, state: 'terminated', slot: 2, role: 'stale' }),
    );
  });

  it('lists a tagged instance that is not running as not a member', async () => {
    // Prepare
    await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    const stopped = await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.12' });
    await setup.world.stopInstance(stopped);
    // Act
    const { report } = await status();
    // Assess
    expect(report.clusters[0]?.state).toBe('in-step');
    expect(report.clusters[0]?.members).toContainEqual(
      expect.objectContaining({
        instanceId: stopped,
        state: 'stopped',
        role: 'inactive',
        note: 'not running (stopped)',
      }),
    );
  });

  it('includes a cluster that tagged instances name but Route 53 does not hold yet', async () => {
    // Prepare
    const id = await setup.world.launch({ cluster: 'c2.example.com', privateIp: '10.0.0.21' });
    // Act
    const { report } = await status();
    // Assess
    expect(report.clusters.map((c) => [c.cluster, c.state])).toEqual([['c2.example.com', 'out-of-step']]);
    expect(report.clusters[0]?.members).toEqual([
      { instanceId: id, state: 'running', address: '10.0.0.21', slot: 1, role: 'pending' },
    ]);
    expect(report.clusters[0]?.records).toEqual([]);
  });

  it('reports a cluster whose names hold records it did not create as refused, and goes on', async () => {
    // Prepare
    await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    await changeBatch(setup.world.route53, setup.zoneId, [
      r53Change('CREATE', 'ns1.c9.example.com', 'A', 300, ['192.0.2.1']),
    ]);
    await setup.world.launch({ cluster: 'c9.example.com', privateIp: '10.0.0.91' });
    // Act
    const { code, report } = await status();
    // Assess
    expect(code).toBe(0);
    expect(report.clusters.map((c) => [c.cluster, c.state])).toEqual([
      ['c1.example.com', 'in-step'],
      ['c9.example.com', 'refused'],
    ]);
    expect(report.clusters[1]?.error).toContain('ns1.c9.example.com. 300 A 192.0.2.1');
  });

  it('warns about an instance whose tag names no valid cluster', async () => {
    // Prepare
    const bad = await setup.world.launch({ cluster: 'example.com_', privateIp: '10.0.0.31' });
    // Act
    const { report } = await status();
    // Assess
    expect(report.problems).toEqual([expect.objectContaining({ instanceId: bad })]);
    expect(report.problems[0]?.message).toContain('refused');
  });

  it('prints a table of members and the records in Route 53 as zone-file lines', async () => {
    // Prepare
    const [node] = await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    // Act
    const { code, stdout } = await runCli(['status']);
    // Assess
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`c1.example.com  zone example.com. (${setup.zoneId})`);
    expect(lines[1]).toBe('  in step');
    expect(lines[2]).toMatch(/^ {2}NS +INSTANCE +STATE +ADDRESS +ROLE$/);
    expect(lines[3]).toMatch(new RegExp(`^ {2}ns1 +${node?.id} +running +10\\.0\\.0\\.11 +published$`));
    expect(stdout).toContain('    ns1.c1.example.com.       60 IN A   10.0.0.11\n');
  });

  it('writes nothing to Route 53', async () => {
    // Prepare
    const [, second] = await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11', '10.0.0.12']);
    await setup.world.terminate(second?.id ?? '');
    const before = await setup.world.records(setup.zoneId);
    setup.world.emulator.proxy.resetCounts();
    // Act
    await runCli(['status']);
    // Assess
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(await setup.world.records(setup.zoneId)).toEqual(before);
  });
});
