/**
 * `rlec-dns verify` for issue 11: AAAA glue in the parent's referral (ADDRESS_FAMILY=dual), and a private cluster
 * checked through a resolver inside the VPC (--resolver), which answers recursively (as the VPC Resolver does once
 * the Resolver rule leads it to the nodes) and gives no referral.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Node, runCli, useCliWorld } from './support/cli.js';
import { clusterZone, startNodeServers, zoneRecords } from './support/dns-fixtures.js';
import { type Responder, startResponder, type ZoneRecord } from './support/dns-responder.js';
import { type PrivateSetup, privateSide, publishWith } from './support/private.js';

const setup = useCliWorld();
const C1 = 'c1.example.com';
const running: { close(): Promise<void> }[] = [];
let side: PrivateSetup;

beforeEach(async () => {
  side = await privateSide(setup.world);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

interface VerifyJson {
  pass: boolean;
  expected: { published: string[]; glue: Record<string, string>; glue6?: Record<string, string> };
  expectedPrivate?: { published: string[]; glue: Record<string, string> };
  servers: {
    role: string;
    label: string;
    pass: boolean;
    checks: { question: string; answer: string; pass: boolean; reason?: string }[];
  }[];
}

async function serve(records: readonly ZoneRecord[], recursive = false): Promise<Responder> {
  const server = await startResponder({ zone: 'example.com.', records, recursive });
  running.push(server);
  return server;
}

async function verify(env: Record<string, string>, ...args: string[]) {
  const result = await runCli(['verify', '--cluster', C1, '--timeout', '500', '--json', ...args], { env });
  return {
    code: result.code,
    stderr: result.stderr,
    report: result.stdout === '' ? undefined : (JSON.parse(result.stdout) as VerifyJson),
  };
}

const failures = (report: VerifyJson | undefined) =>
  (report?.servers ?? []).flatMap((s) =>
    s.checks.filter((c) => !c.pass).map((c) => `${s.role} ${s.label}: ${c.reason}`),
  );

describe('rlec-dns verify with AAAA glue (ADDRESS_FAMILY=dual)', () => {
  async function dualCluster(env: Record<string, string>) {
    const { subnetId } = await setup.world.dualStackSubnet();
    const id = await setup.world.launch({ cluster: C1, subnetId, ipv6: true });
    await publishWith(setup.world.deps(env), setup.world, [id]);
    return zoneRecords(setup.world.route53, side.privateZoneId);
  }

  it('passes the referral when it carries both the A and the AAAA glue of each member', async () => {
    // Prepare
    const env = { ...side.env, ADDRESS_FAMILY: 'dual' };
    const records = await dualCluster(env);
    const aaaa = records.find((r) => r.type === 'AAAA' && r.name === `ns1.${C1}.`);
    const parent = await serve(records);
    // Act
    const { report } = await verify(env, '--server', parent.address);
    // Assess
    expect(aaaa).toBeDefined();
    expect(report?.expected.glue6).toEqual({ [`ns1.${C1}.`]: aaaa?.data });
    const referral = report?.servers.find((s) => s.role === 'parent');
    expect(referral?.checks[0]?.reason).toBeUndefined();
    expect(referral?.pass).toBe(true);
    expect(referral?.checks[0]?.answer).toContain(aaaa?.data);
  });

  it('fails the referral, saying which, when the AAAA glue is missing', async () => {
    // Prepare
    const env = { ...side.env, ADDRESS_FAMILY: 'dual' };
    const records = await dualCluster(env);
    const aaaa = records.find((r) => r.type === 'AAAA');
    const parent = await serve(records.filter((r) => r.type !== 'AAAA'));
    // Act
    const { code, report } = await verify(env, '--server', parent.address);
    // Assess
    expect(code).toBe(1);
    const referral = report?.servers.find((s) => s.role === 'parent');
    expect(referral?.checks[0]?.reason).toBe(`ns1.${C1}. has no AAAA glue (expected ${aaaa?.data})`);
  });
});

describe('rlec-dns verify --resolver (a private cluster, through a resolver inside the VPC)', () => {
  const ADDRESSES = ['127.0.0.11', '127.0.0.12'];

  async function privateCluster(): Promise<{ nodes: Node[]; port: number; records: ZoneRecord[] }> {
    const launched: { id: string; address: string }[] = [];
    for (const address of ADDRESSES)
      launched.push({ id: await setup.world.launch({ cluster: C1, privateIp: address }), address });
    await publishWith(
      setup.world.deps(side.env),
      setup.world,
      launched.map((n) => n.id),
    );
    // The loop numbers new members in instance-id order.
    const nodes = launched.sort((a, b) => a.id.localeCompare(b.id)).map((n, i) => ({ ...n, slot: i + 1 }));
    const zone = clusterZone(C1, nodes);
    const servers = await startNodeServers(ADDRESSES, `${C1}.`, zone);
    running.push(servers);
    // What a resolver in the VPC holds once it has followed the rule: the private zone, and the nodes' answers.
    const privateRecords = await zoneRecords(setup.world.route53, side.privateZoneId);
    return {
      nodes,
      port: servers.port,
      records: [...privateRecords, ...zone.filter((r) => r.name.startsWith('node'))],
    };
  }

  it('asks the resolver recursively for the NS, each name server and each node, and passes when they match the private zone', async () => {
    // Prepare
    const { nodes, port, records } = await privateCluster();
    const resolver = await serve(records, true);
    // Act
    const { code, report } = await verify(side.env, '--resolver', resolver.address, '--node-port', String(port));
    // Assess
    expect(failures(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report?.servers.map((s) => s.role)).toEqual(['resolver', 'node', 'node']);
    expect(report?.servers[0]?.checks.map((c) => `${c.question} ${c.answer}`)).toEqual([
      `${C1}. NS ns1.${C1}. ns2.${C1}.`,
      ...nodes.map((n) => `ns${n.slot}.${C1}. A ${n.address}`),
      ...nodes.map((n) => `node${n.slot}.${C1}. A ${n.address}`),
    ]);
    expect(report?.expectedPrivate?.glue).toEqual(
      Object.fromEntries(nodes.map((n) => [`ns${n.slot}.${C1}.`, n.address])),
    );
  });

  it('fails, naming the name, when the resolver gives an address that is not the private zone’s glue', async () => {
    // Prepare
    const { nodes, port, records } = await privateCluster();
    const stale = records.map((r) => (r.name === `ns2.${C1}.` && r.type === 'A' ? { ...r, data: '127.0.0.99' } : r));
    const resolver = await serve(stale, true);
    // Act
    const { code, report } = await verify(side.env, '--resolver', resolver.address, '--node-port', String(port));
    // Assess
    expect(code).toBe(1);
    expect(failures(report)).toEqual([
      `resolver ${resolver.address}: ns2.${C1}. resolves to 127.0.0.99, but the private zone's glue is ${nodes[1]?.address}`,
    ]);
  });

  it('fails when the server given does not recurse (an authoritative server is not the VPC Resolver)', async () => {
    // Prepare
    const { port, records } = await privateCluster();
    const authoritative = await serve(records);
    // Act
    const { code, report } = await verify(side.env, '--resolver', authoritative.address, '--node-port', String(port));
    // Assess
    expect(code).toBe(1);
    expect(report?.servers[0]?.checks[0]?.reason).toBe(`does not recurse (RA clear) for ${C1}. NS: not a resolver`);
  });

  it('refuses a private-only cluster given neither --resolver nor --server, saying what to pass', async () => {
    // Prepare
    await privateCluster();
    // Act
    const { code, stderr } = await verify(side.env);
    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('pass --resolver HOST[:PORT]');
  });

  it('refuses --resolver for a cluster that is in no private zone', async () => {
    // Prepare
    const id = await setup.world.launch({ cluster: C1, privateIp: '127.0.0.11' });
    await publishWith(setup.world.deps(), setup.world, [id]);
    // Act
    const { code, stderr } = await verify({}, '--resolver', '127.0.0.1:53');
    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('it is not published in a private zone');
  });
});
