/** `rlec-dns plan` against the emulator: the loop's own dry run, as a diff, with terraform's exit codes. */
import { describe, expect, it } from 'vitest';
import { changeBatch, change as r53Change } from '../../tools/world/route53-helpers.js';
import { launchCluster, OWNER, runCli, useCliWorld } from './support/cli.js';

const setup = useCliWorld();

interface PlanJson {
  changesPending: boolean;
  clusters: {
    cluster: string;
    status: string;
    zone?: { id: string; name: string };
    changes: { action: string; name: string; type: string; ttl: number; values: string[] }[];
    error?: string;
  }[];
}

const planJson = async (...args: string[]) => {
  const result = await runCli(['plan', '--json', ...args]);
  return { code: result.code, plan: JSON.parse(result.stdout) as PlanJson };
};

describe('rlec-dns plan', () => {
  it('exits 0 and reports every cluster in step when Route 53 is right', async () => {
    // Prepare
    await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11', '10.0.0.12']);
    // Act
    const { code, plan } = await planJson();
    // Assess
    expect(code).toBe(0);
    expect(plan).toEqual({
      changesPending: false,
      clusters: [
        {
          cluster: 'c1.example.com',
          status: 'in-step',
          zone: { id: setup.zoneId, name: 'example.com.' },
          changes: [],
          writes: [],
          zones: [{ zone: { id: setup.zoneId, name: 'example.com.', private: false }, status: 'in-step', changes: [] }],
        },
      ],
      orphanRules: [],
    });
  });

  it('exits 2 and lists the exact changes when a new node is not yet published', async () => {
    // Prepare
    await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    const joiner = await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.12' });
    // Act
    const { code, plan } = await planJson('--cluster', 'c1.example.com');
    // Assess
    expect(code).toBe(2);
    expect(plan.changesPending).toBe(true);
    const changes = plan.clusters[0]?.changes.map((c) => `${c.action} ${c.name} ${c.type}`);
    expect(changes).toEqual([
      'DELETE c1.example.com. NS',
      'DELETE _rlec-dns.c1.example.com. TXT',
      'CREATE c1.example.com. NS',
      'CREATE _rlec-dns.c1.example.com. TXT',
      'CREATE ns2.c1.example.com. A',
    ]);
    expect(plan.clusters[0]?.changes.at(-1)).toEqual({
      action: 'CREATE',
      name: 'ns2.c1.example.com.',
      type: 'A',
      ttl: 60,
      values: ['10.0.0.12'],
    });
    expect(plan.clusters[0]?.changes[3]?.values).toContain(`"ns2=${joiner}"`);
  });

  it('prints the changes as a diff, old record set above new', async () => {
    // Prepare
    const [node] = await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    const joiner = await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.12' });
    const owner = `"heritage=rlec-dns,owner=${OWNER},account=123456789012,region=us-east-1"`;
    // Act
    const { code, stdout } = await runCli(['plan']);
    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe(
      [
        `c1.example.com  zone example.com. (${setup.zoneId})`,
        '  5 changes pending',
        '    - c1.example.com. 60 NS ns1.c1.example.com.',
        '    + c1.example.com. 60 NS ns1.c1.example.com. ns2.c1.example.com.',
        `    - _rlec-dns.c1.example.com. 60 TXT ${owner} "ns1=${node?.id}"`,
        `    + _rlec-dns.c1.example.com. 60 TXT ${owner} "ns1=${node?.id}" "ns2=${joiner}"`,
        '    + ns2.c1.example.com. 60 A 10.0.0.12',
        '',
        '1 cluster: 1 pending',
        '',
      ].join('\n'),
    );
  });

  it('writes nothing to Route 53', async () => {
    // Prepare
    const [, second] = await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11', '10.0.0.12']);
    await setup.world.terminate(second?.id ?? '');
    const before = await setup.world.records(setup.zoneId);
    setup.world.emulator.proxy.resetCounts();
    // Act
    const { code } = await planJson();
    // Assess
    expect(code).toBe(2);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    expect(await setup.world.records(setup.zoneId)).toEqual(before);
  });

  it('plans the removal of every record of a cluster whose last node is gone', async () => {
    // Prepare
    const [node] = await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    await setup.world.terminate(node?.id ?? '');
    // Act
    const { code, plan } = await planJson();
    // Assess
    expect(code).toBe(2);
    expect(plan.clusters[0]?.changes.map((c) => c.action)).toEqual(['DELETE', 'DELETE', 'DELETE']);
  });

  it('exits 1 and names the foreign records when a cluster is refused, while planning the others', async () => {
    // Prepare
    await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    await setup.world.launch({ cluster: 'c2.example.com', privateIp: '10.0.0.21' });
    await changeBatch(setup.world.route53, setup.zoneId, [
      r53Change('CREATE', 'c2.example.com', 'NS', 300, ['ns.elsewhere.net.']),
    ]);
    // Act
    const { code, plan } = await planJson();
    // Assess
    expect(code).toBe(1);
    expect(plan.clusters.map((c) => [c.cluster, c.status])).toEqual([
      ['c1.example.com', 'in-step'],
      ['c2.example.com', 'refused'],
    ]);
    expect(plan.clusters[1]?.error).toContain('c2.example.com. 300 NS ns.elsewhere.net.');
  });

  it('uses the owner id given with --owner, and names the owner of the clusters it refuses', async () => {
    // Prepare
    await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    // Act
    const { code, plan } = await planJson('--owner', 'someone-else');
    // Assess
    expect(code).toBe(1);
    expect(plan.clusters[0]?.status).toBe('refused');
    expect(plan.clusters[0]?.error).toMatch(
      new RegExp(`\\(rlec-dns owner ${OWNER} wrote them: if that is your deployment, pass --owner ${OWNER}\\)$`),
    );
  });
});
