/**
 * A split view (ZONE_TYPE=both, issue 11) through the CLI: the same cluster in a public and a private zone, public
 * addresses in one and private ones in the other. `status` and `plan` show each zone on its own, `export` writes
 * each zone; with ADDRESS_FAMILY=dual the AAAA glue is there too.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli, useCliWorld } from './support/cli.js';
import { type PrivateSetup, privateSide, publishWith } from './support/private.js';

const setup = useCliWorld();
const C1 = 'c1.example.com';

interface ZoneView {
  zone: { id: string; name: string; private: boolean };
  state?: string;
  status?: string;
  records?: { name: string; type: string; values: string[] }[];
  changes?: { action: string; name: string; type: string; values: string[] }[];
}

interface Report {
  clusters: { cluster: string; zones: ZoneView[]; rule?: { status: string; type?: string } }[];
}

let side: PrivateSetup;

beforeEach(async () => {
  side = await privateSide(setup.world, { zoneType: 'both' });
});

async function publicIpOf(instanceId: string): Promise<string> {
  const out = await setup.world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return out.Reservations?.[0]?.Instances?.[0]?.PublicIpAddress ?? 'none';
}

const glueOf = (zone: ZoneView | undefined) =>
  (zone?.records ?? []).filter((r) => r.type === 'A').flatMap((r) => r.values);

describe('rlec-dns with a split view', () => {
  it('shows the cluster in its public and its private zone in status, each with its own glue', async () => {
    // Prepare
    const id = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    await publishWith(setup.world.deps(side.env), setup.world, [id]);
    const publicIp = await publicIpOf(id);
    // Act
    const result = await runCli(['status', '--json'], { env: side.env });
    const text = await runCli(['status'], { env: side.env });
    // Assess
    const [c1] = (JSON.parse(result.stdout) as Report).clusters;
    expect(c1?.zones.map((z) => [z.zone.id, z.zone.private, z.state])).toEqual([
      [setup.zoneId, false, 'in-step'],
      [side.privateZoneId, true, 'in-step'],
    ]);
    expect(glueOf(c1?.zones[0])).toEqual([publicIp]);
    expect(glueOf(c1?.zones[1])).toEqual(['10.0.0.11']);
    expect(c1?.rule).toMatchObject({ status: 'in-step', type: 'DELEGATE' });
    expect(text.stdout).toContain(`  zone example.com. (${setup.zoneId}) public: in step\n`);
    expect(text.stdout).toContain(`  zone example.com. (${side.privateZoneId}) private: in step\n`);
    expect(text.stdout).toContain(`ns1.c1.example.com.       60 IN A   ${publicIp}`);
    expect(text.stdout).toContain('ns1.c1.example.com.       60 IN A   10.0.0.11');
  });

  it('plans each zone’s changes under its own heading', async () => {
    // Prepare
    const id = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    const publicIp = await publicIpOf(id);
    // Act
    const result = await runCli(['plan', '--json'], { env: side.env });
    const text = await runCli(['plan'], { env: side.env });
    // Assess
    expect(result.code).toBe(2);
    const [c1] = (JSON.parse(result.stdout) as Report).clusters;
    const glue = (z: ZoneView | undefined) => z?.changes?.filter((c) => c.type === 'A').flatMap((c) => c.values);
    expect(c1?.zones.map((z) => [z.zone.private, z.status, glue(z)])).toEqual([
      [false, 'pending', [publicIp]],
      [true, 'pending', ['10.0.0.11']],
    ]);
    const lines = text.stdout.split('\n');
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(at(`(${setup.zoneId}) public: 3 changes pending`)).toBeLessThan(at(`60 A ${publicIp}`));
    expect(at(`60 A ${publicIp}`)).toBeLessThan(at(`(${side.privateZoneId}) private: 3 changes pending`));
    expect(at(`(${side.privateZoneId}) private: 3 changes pending`)).toBeLessThan(at('60 A 10.0.0.11'));
    expect(text.stdout).not.toContain('no longer the cluster');
  });

  it('exports each zone of the cluster as its own section, in text and JSON', async () => {
    // Prepare
    const id = await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    await publishWith(setup.world.deps(side.env), setup.world, [id]);
    const publicIp = await publicIpOf(id);
    // Act
    const text = await runCli(['export', '--cluster', C1], { env: side.env });
    const json = await runCli(['export', '--json'], { env: side.env });
    // Assess
    const lines = text.stdout.split('\n');
    const headers = lines.filter((l) => l.startsWith(';'));
    expect(headers).toEqual([
      `; ${C1} in public hosted zone example.com. (${setup.zoneId})`,
      `; ${C1} in private hosted zone example.com. (${side.privateZoneId})`,
    ]);
    const section = (i: number) =>
      lines.slice(lines.indexOf(headers[i] ?? ''), i === 0 ? lines.indexOf(headers[1] ?? '') : undefined);
    expect(section(0).filter((l) => l.includes(' IN A '))).toEqual([`ns1.c1.example.com.       60 IN A   ${publicIp}`]);
    expect(section(1).filter((l) => l.includes(' IN A '))).toEqual(['ns1.c1.example.com.       60 IN A   10.0.0.11']);
    const zones = (
      JSON.parse(json.stdout) as {
        clusters: { zones: { zone: { id: string }; records: { type: string; value: string }[] }[] }[];
      }
    ).clusters[0]?.zones;
    expect(zones?.map((z) => [z.zone.id, z.records.filter((r) => r.type === 'A').map((r) => r.value)])).toEqual([
      [setup.zoneId, [publicIp]],
      [side.privateZoneId, ['10.0.0.11']],
    ]);
  });

  it('shows and exports the AAAA glue of a dual-stack member (ADDRESS_FAMILY=dual)', async () => {
    // Prepare
    const env = { ...side.env, ZONE_TYPE: 'private', ADDRESS_FAMILY: 'dual' };
    const { subnetId } = await setup.world.dualStackSubnet();
    const id = await setup.world.launch({ cluster: C1, subnetId, ipv6: true });
    await publishWith(setup.world.deps(env), setup.world, [id]);
    // Act
    const status = await runCli(['status', '--json'], { env });
    const exported = await runCli(['export', '--cluster', C1], { env });
    // Assess
    const [c1] = (JSON.parse(status.stdout) as { clusters: { members: { ipv6?: string; role: string }[] }[] }).clusters;
    const ipv6 = c1?.members[0]?.ipv6 ?? 'none';
    expect(ipv6).toMatch(/:/);
    expect(c1?.members.map((m) => m.role)).toEqual(['published']);
    expect(exported.stdout).toContain(`ns1.c1.example.com.       60 IN AAAA ${ipv6}\n`);
  });
});
