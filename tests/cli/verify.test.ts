/**
 * `rlec-dns verify` against the emulator and DNS servers on loopback: the parent zone's server (what Route 53 holds,
 * served from 127.0.0.1) and each node's own server (on the node's address, 127.0.0.x).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { launchCluster, type Node, runCli, useCliWorld } from './support/cli.js';
import { clusterZone, type NodeServers, startNodeServers, startParent, zoneRecords } from './support/dns-fixtures.js';
import type { Responder, ZoneRecord } from './support/dns-responder.js';

const running: { close(): Promise<void> }[] = [];

const setup = useCliWorld();
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

const CLUSTER = 'c1.example.com';
const ADDRESSES = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];

interface VerifyJson {
  cluster: string;
  pass: boolean;
  expected: { published: string[]; glue: Record<string, string> };
  servers: {
    role: 'parent' | 'node';
    label: string;
    server?: string;
    pass: boolean;
    checks: {
      question: string;
      answer: string;
      pass: boolean;
      reason?: string;
      transport?: string;
      latencyMs?: number;
    }[];
  }[];
}

async function parent(records?: readonly ZoneRecord[], truncateUdp = false): Promise<Responder> {
  const server = await startParent(records ?? (await zoneRecords(setup.world.route53, setup.zoneId)), { truncateUdp });
  running.push(server);
  return server;
}

async function nodeServers(nodes: readonly Node[], records = clusterZone(CLUSTER, nodes)): Promise<NodeServers> {
  const servers = await startNodeServers(
    nodes.map((n) => n.address),
    `${CLUSTER}.`,
    records,
  );
  running.push(servers);
  return servers;
}

async function verify(parentServer: Responder, nodes: NodeServers | number, ...args: string[]) {
  const port = typeof nodes === 'number' ? nodes : nodes.port;
  const base = ['verify', '--cluster', CLUSTER, '--server', parentServer.address, '--node-port', String(port)];
  const result = await runCli([...base, '--timeout', '1000', '--json', ...args]);
  return { code: result.code, report: JSON.parse(result.stdout) as VerifyJson };
}

const failures = (report: VerifyJson) =>
  report.servers.flatMap((s) => s.checks.filter((c) => !c.pass).map((c) => `${s.role} ${s.label}: ${c.reason}`));

describe('rlec-dns verify', () => {
  it("passes when the parent refers to the published names with the members' glue and every node answers", async () => {
    // Prepare
    const nodes = await launchCluster(setup.world, CLUSTER, ADDRESSES);
    const parentServer = await parent();
    const servers = await nodeServers(nodes);
    // Act
    const { code, report } = await verify(parentServer, servers);
    // Assess
    expect(failures(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.pass).toBe(true);
    expect(report.servers.map((s) => [s.role, s.server])).toEqual([
      ['parent', parentServer.address],
      ...nodes.map((n) => ['node', `${n.address}:${servers.port}`]),
    ]);
    expect(report.servers[0]?.checks).toEqual([
      {
        question: 'c1.example.com. NS',
        answer: `referral: ${nodes.map((n) => `ns${n.slot}.c1.example.com.=${n.address}`).join(' ')}`,
        pass: true,
        transport: 'udp',
        latencyMs: expect.any(Number),
      },
    ]);
    expect(report.servers[1]?.checks.map((c) => c.question)).toEqual([
      'c1.example.com. NS',
      'c1.example.com. SOA',
      'node1.c1.example.com. A',
      'node2.c1.example.com. A',
      'node3.c1.example.com. A',
    ]);
    expect(parentServer.queries).toEqual([{ name: 'c1.example.com.', type: 'NS', transport: 'udp' }]);
  });

  it('prints a table per server with the answer, the latency and the verdict', async () => {
    // Prepare
    const nodes = await launchCluster(setup.world, CLUSTER, ADDRESSES.slice(0, 1));
    const parentServer = await parent();
    const servers = await nodeServers(nodes);
    // Act
    const args = ['--server', parentServer.address, '--node-port', String(servers.port)];
    const { code, stdout } = await runCli(['verify', '--cluster', CLUSTER, ...args]);
    // Assess
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`parent ${parentServer.address}  pass`);
    expect(lines[1]).toMatch(/^ {2}QUESTION +ANSWER +TIME +VERDICT$/);
    expect(lines[2]).toMatch(
      /^ {2}c1\.example\.com\. NS +referral: ns1\.c1\.example\.com\.=127\.0\.0\.11 +[\d.]+ ms +pass$/,
    );
    expect(lines[4]).toBe(`node ns1 ${nodes[0]?.id} (127.0.0.11:${servers.port})  pass`);
    expect(stdout).toMatch(/^ {2}node1\.c1\.example\.com\. A +127\.0\.0\.11 +[\d.]+ ms +pass$/m);
    expect(lines.at(-2)).toBe('verify c1.example.com: 2 servers, all pass');
  });

  it("fails, naming the parent server, when its glue is not the running member's address", async () => {
    // Prepare
    const nodes = await launchCluster(setup.world, CLUSTER, ADDRESSES);
    const served = (await zoneRecords(setup.world.route53, setup.zoneId)).map((r) =>
      r.name === 'ns2.c1.example.com.' && r.type === 'A' ? { ...r, data: '127.0.0.99' } : r,
    );
    const parentServer = await parent(served);
    const servers = await nodeServers(nodes);
    // Act
    const { code, report } = await verify(parentServer, servers);
    // Assess
    expect(code).toBe(1);
    expect(failures(report)).toEqual([
      `parent ${parentServer.address}: ns2.c1.example.com. glue is 127.0.0.99, expected ${nodes[1]?.address}`,
    ]);
  });

  it('fails when the delegation still lists a member that is gone', async () => {
    // Prepare
    const nodes = await launchCluster(setup.world, CLUSTER, ADDRESSES);
    const parentServer = await parent();
    await setup.world.terminate(nodes[2]?.id ?? '');
    const servers = await nodeServers(nodes.slice(0, 2));
    // Act
    const { code, report } = await verify(parentServer, servers);
    // Assess
    expect(code).toBe(1);
    expect(failures(report)).toEqual([
      `parent ${parentServer.address}: ns3.c1.example.com. is held by no running member`,
    ]);
    expect(report.servers.filter((s) => s.role === 'node')).toHaveLength(2);
  });

  it('fails when the parent zone does not delegate the cluster', async () => {
    // Prepare
    const nodes = await launchCluster(setup.world, CLUSTER, ADDRESSES.slice(0, 1));
    const undelegated = (await zoneRecords(setup.world.route53, setup.zoneId)).filter(
      (r) => !r.name.endsWith('c1.example.com.'),
    );
    const parentServer = await parent(undelegated);
    const servers = await nodeServers(nodes);
    // Act
    const { code, report } = await verify(parentServer, servers);
    // Assess
    expect(code).toBe(1);
    expect(failures(report)).toEqual([
      `parent ${parentServer.address}: answered NXDOMAIN: the parent does not delegate c1.example.com.`,
    ]);
  });

  it("fails, naming the node, when a node's DNS server does not answer", async () => {
    // Prepare
    const nodes = await launchCluster(setup.world, CLUSTER, ADDRESSES);
    const parentServer = await parent();
    const servers = await nodeServers(nodes.slice(0, 2), clusterZone(CLUSTER, nodes));
    // Act
    const result = await runCli([
      'verify',
      '--cluster',
      CLUSTER,
      '--server',
      parentServer.address,
      '--node-port',
      String(servers.port),
      '--timeout',
      '1000',
    ]);
    // Assess
    expect(result.code).toBe(1);
    const silent = `node ns3 ${nodes[2]?.id} (${nodes[2]?.address}:${servers.port})`;
    expect(result.stdout).toContain(`${silent}  FAIL\n`);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(`verify c1.example.com: 1 of 4 servers fail: ${silent}`);
  });

  it('fails a node whose server refuses to answer for the cluster', async () => {
    // Prepare
    const nodes = await launchCluster(setup.world, CLUSTER, ADDRESSES.slice(0, 1));
    const parentServer = await parent();
    const servers = await startNodeServers(['127.0.0.11'], 'other.example.org.', []);
    running.push(servers);
    // Act
    const { code, report } = await verify(parentServer, servers);
    // Assess
    expect(code).toBe(1);
    expect(failures(report)[0]).toBe(`node ns1 ${nodes[0]?.id}: answered REFUSED for c1.example.com. NS`);
  });

  it('fails a node that cannot resolve a node name, and checks only the names given with --node-names', async () => {
    // Prepare
    const nodes = await launchCluster(setup.world, CLUSTER, ADDRESSES.slice(0, 2));
    const parentServer = await parent();
    const onlyNode1 = clusterZone(CLUSTER, nodes).filter((r) => r.name !== 'node2.c1.example.com.');
    const servers = await nodeServers(nodes, onlyNode1);
    // Act
    const byDefault = await verify(parentServer, servers);
    const named = await verify(parentServer, servers, '--node-names', 'node1');
    // Assess
    expect(byDefault.code).toBe(1);
    expect(failures(byDefault.report)).toEqual(
      nodes.map((n) => `node ns${n.slot} ${n.id}: answered NXDOMAIN for node2.c1.example.com. A`),
    );
    expect(named.code).toBe(0);
  });

  it('asks again over TCP when the UDP answer is truncated', async () => {
    // Prepare
    const nodes = await launchCluster(setup.world, CLUSTER, ADDRESSES);
    const parentServer = await parent(undefined, true);
    const servers = await nodeServers(nodes);
    // Act
    const { code, report } = await verify(parentServer, servers);
    // Assess
    expect(code).toBe(0);
    expect(report.servers[0]?.checks[0]).toMatchObject({ pass: true, transport: 'tcp' });
    expect(parentServer.queries.map((q) => q.transport)).toEqual(['udp', 'tcp']);
  });

  it("asks the hosted zone's own name servers when no --server is given", async () => {
    // Prepare
    await launchCluster(setup.world, CLUSTER, ADDRESSES.slice(0, 1));
    // Act
    const result = await runCli(['verify', '--cluster', CLUSTER, '--json', '--timeout', '500', '--node-port', '9']);
    // Assess
    const report = JSON.parse(result.stdout) as VerifyJson;
    expect(setup.world.emulator.proxy.count('GetHostedZone')).toBe(1);
    expect(report.servers.filter((s) => s.role === 'parent').map((s) => s.label)).toEqual([
      'ns-2048.awsdns-64.com',
      'ns-2049.awsdns-65.net',
      'ns-2050.awsdns-66.org',
      'ns-2051.awsdns-67.co.uk',
    ]);
    expect(result.code).toBe(1);
  });

  it('needs --cluster', async () => {
    // Prepare, Act
    const { code, stderr } = await runCli(['verify']);
    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe('rlec-dns: error: verify needs --cluster NAME (see rlec-dns verify --help)\n');
  });
});
