/** `rlec-dns export` against the emulator: the clusters' records in Route 53 as BIND zone-file lines. */
import { describe, expect, it } from 'vitest';
import { launchCluster, OWNER, runCli, useCliWorld } from './support/cli.js';

const setup = useCliWorld();

describe('rlec-dns export', () => {
  it("prints the cluster's records as aligned zone-file lines, one per value", async () => {
    // Prepare
    const [n1, n2] = await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11', '10.0.0.12']);
    // Act
    const { code, stdout } = await runCli(['export', '--cluster', 'c1.example.com']);
    // Assess
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      `; c1.example.com in hosted zone example.com. (${setup.zoneId})`,
      'c1.example.com.           60 IN NS  ns1.c1.example.com.',
      'c1.example.com.           60 IN NS  ns2.c1.example.com.',
      `_rlec-dns.c1.example.com. 60 IN TXT "heritage=rlec-dns,owner=${OWNER},account=123456789012,region=us-east-1"`,
      `_rlec-dns.c1.example.com. 60 IN TXT "ns1=${n1?.id}"`,
      `_rlec-dns.c1.example.com. 60 IN TXT "ns2=${n2?.id}"`,
      `ns1.c1.example.com.       60 IN A   ${n1?.address}`,
      `ns2.c1.example.com.       60 IN A   ${n2?.address}`,
      '',
    ]);
  });

  it('exports every cluster this deployment owns when none is named', async () => {
    // Prepare
    await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    await launchCluster(setup.world, 'c2.example.com', ['10.0.0.21']);
    // Act
    const { code, stdout } = await runCli(['export']);
    // Assess
    expect(code).toBe(0);
    expect(stdout.split('\n').filter((l) => l.startsWith(';'))).toEqual([
      `; c1.example.com in hosted zone example.com. (${setup.zoneId})`,
      `; c2.example.com in hosted zone example.com. (${setup.zoneId})`,
    ]);
  });

  it('gives each resource record as name, ttl, class, type and value in JSON', async () => {
    // Prepare
    const [node] = await launchCluster(setup.world, 'c1.example.com', ['10.0.0.11']);
    // Act
    const { code, stdout } = await runCli(['export', '--json']);
    // Assess
    expect(code).toBe(0);
    const records = [
      { name: 'c1.example.com.', ttl: 60, class: 'IN', type: 'NS', value: 'ns1.c1.example.com.' },
      {
        name: '_rlec-dns.c1.example.com.',
        ttl: 60,
        class: 'IN',
        type: 'TXT',
        value: `"heritage=rlec-dns,owner=${OWNER},account=123456789012,region=us-east-1"`,
      },
      { name: '_rlec-dns.c1.example.com.', ttl: 60, class: 'IN', type: 'TXT', value: `"ns1=${node?.id}"` },
      { name: 'ns1.c1.example.com.', ttl: 60, class: 'IN', type: 'A', value: '10.0.0.11' },
    ];
    expect(JSON.parse(stdout)).toEqual({
      clusters: [
        {
          cluster: 'c1.example.com',
          zone: { id: setup.zoneId, name: 'example.com.' },
          records,
          zones: [{ zone: { id: setup.zoneId, name: 'example.com.', private: false }, records }],
        },
      ],
    });
  });

  it('says so when a named cluster has no records', async () => {
    // Prepare: a zone, no cluster in it
    // Act
    const { code, stdout } = await runCli(['export', '--cluster', 'c1.example.com']);
    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(`; c1.example.com in hosted zone example.com. (${setup.zoneId})\n; no records\n`);
  });
});
