/** `rlec-dns sync` against the emulator: applies the plan, prints it, and waits for Route 53's INSYNC. */
import { describe, expect, it } from 'vitest';
import type { CannedResponse, RequestContext } from '../../tools/emulator/emulator.js';
import { changeBatch, change as r53Change } from '../../tools/world/route53-helpers.js';
import { launchCluster, OWNER, runCli, useCliWorld } from './support/cli.js';

const setup = useCliWorld();

const pendingChange = (id: string): CannedResponse => ({
  status: 200,
  body:
    '<?xml version="1.0" encoding="UTF-8"?>\n<GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">' +
    `<ChangeInfo><Id>/change/${id}</Id><Status>PENDING</Status><SubmittedAt>2026-01-01T00:00:00.000Z</SubmittedAt>` +
    '</ChangeInfo></GetChangeResponse>',
});

/** Route 53 answers PENDING to the first `n` GetChange calls, then as moto does (INSYNC). */
function pendingFor(n: number): void {
  let left = n;
  setup.world.emulator.proxy.beforeForward = (ctx: RequestContext) => {
    if (ctx.action !== 'GetChange' || left === 0) return undefined;
    left -= 1;
    return pendingChange(ctx.path.split('/').at(-1) ?? '');
  };
}

interface SyncJson {
  clusters: { cluster: string; status: string; changeId?: string; changes: { action: string }[] }[];
  wait: { insync: boolean; elapsedMs: number; pending: string[] } | null;
}

describe('rlec-dns sync', () => {
  it('publishes a cluster Route 53 does not hold yet, prints the changes and reports INSYNC', async () => {
    // Prepare
    const id = await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    // Act
    const { code, stdout } = await runCli(['sync']);
    // Assess
    expect(code).toBe(0);
    expect((await setup.world.records(setup.zoneId)).sort()).toEqual([
      `_rlec-dns.c1.example.com. TXT 60 "heritage=rlec-dns,owner=${OWNER},account=123456789012,region=us-east-1" "ns1=${id}"`,
      'c1.example.com. NS 60 ns1.c1.example.com.',
      'ns1.c1.example.com. A 60 10.0.0.11',
    ]);
    expect(stdout).toMatch(/^ {2}3 changes applied \(change C[A-Z0-9]+\)$/m);
    expect(stdout).toContain('    + ns1.c1.example.com. 60 A 10.0.0.11\n');
    expect(stdout).toMatch(/^Route 53: INSYNC after \d+ s$/m);
  });

  it('reports what it changed, and the change id, in JSON', async () => {
    // Prepare
    await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    // Act
    const { code, stdout } = await runCli(['sync', '--json']);
    // Assess
    const result = JSON.parse(stdout) as SyncJson;
    expect(code).toBe(0);
    expect(result.clusters).toEqual([
      expect.objectContaining({ cluster: 'c1.example.com', status: 'changed', changeId: expect.any(String) }),
    ]);
    expect(result.clusters[0]?.changes).toHaveLength(3);
    expect(result.wait).toEqual({ insync: true, elapsedMs: expect.any(Number), pending: [] });
  });

  it('waits while Route 53 reports the change PENDING, and shows progress on a terminal', async () => {
    // Prepare
    await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    pendingFor(1);
    // Act
    const { code, progress } = await runCli(['sync'], { tty: true });
    // Assess
    expect(code).toBe(0);
    expect(setup.world.emulator.proxy.count('GetChange')).toBe(2);
    expect(progress[0]).toMatch(/^waiting for Route 53: 1 change PENDING \(\d+ s\)$/);
    expect(progress.at(-1)).toBe('');
  });

  it('shows no progress line when stderr is not a terminal', async () => {
    // Prepare
    await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    pendingFor(1);
    // Act
    const { code, progress } = await runCli(['sync']);
    // Assess
    expect(code).toBe(0);
    expect(progress).toEqual([]);
  });

  it('exits 1 and says the change is still PENDING when the wait times out', async () => {
    // Prepare
    await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    pendingFor(Number.POSITIVE_INFINITY);
    // Act
    const { code, stdout } = await runCli(['sync', '--wait-timeout', '1']);
    // Assess
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Route 53: still PENDING after \d+ s: C[A-Z0-9]+ \(the change is made/m);
    expect(await setup.world.records(setup.zoneId)).toHaveLength(3);
  });

  it('does not wait with --no-wait', async () => {
    // Prepare
    await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    // Act
    const { code, stdout } = await runCli(['sync', '--no-wait', '--json']);
    // Assess
    expect(code).toBe(0);
    expect(setup.world.emulator.proxy.count('GetChange')).toBe(0);
    expect((JSON.parse(stdout) as SyncJson).wait).toBeNull();
  });

  it('exits 1 and writes nothing for a cluster whose names hold records it did not create', async () => {
    // Prepare
    await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    await changeBatch(setup.world.route53, setup.zoneId, [
      r53Change('CREATE', 'ns1.c1.example.com', 'A', 300, ['192.0.2.1']),
    ]);
    const before = await setup.world.records(setup.zoneId);
    // Act
    const { code, stdout } = await runCli(['sync']);
    // Assess
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}refused: cluster c1\.example\.com refused: its names hold records/m);
    expect(await setup.world.records(setup.zoneId)).toEqual(before);
  });

  it('changes nothing and exits 0 when every cluster is in step', async () => {
    // Prepare
    await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11', '10.0.0.12']);
    setup.world.emulator.proxy.resetCounts();
    // Act
    const { code, stdout } = await runCli(['sync']);
    // Assess
    expect(code).toBe(0);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(stdout).toContain('  in step, nothing to do\n');
  });

  it('removes the records of a cluster whose last node is gone, and touches only the cluster named', async () => {
    // Prepare
    const [c1Node] = await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    const [c2Node] = await launchCluster(setup.world, 'c2.example.com', ['10.0.0.21']);
    await setup.world.terminate(c1Node?.id ?? '');
    await setup.world.terminate(c2Node?.id ?? '');
    // Act
    const { code } = await runCli(['sync', '--cluster', 'C1.Example.com.']);
    // Assess
    expect(code).toBe(0);
    const records = await setup.world.records(setup.zoneId);
    expect(records.filter((r) => r.includes('c1.example.com.'))).toEqual([]);
    expect(records.filter((r) => r.includes('c2.example.com.'))).toHaveLength(3);
  });
});
