/**
 * End to end, in real DNS, inside a dual-stack VPC (issue 11, ADDRESS_FAMILY=dual): the private zone's AAAA glue and a
 * FORWARD rule's IPv6 targets lead the VPC Resolver to the nodes over IPv6.
 *
 * moto chooses an instance's addresses itself (an IPv6 address from the VPC's Amazon-provided block, an IPv4 one from
 * the subnet; it ignores the addresses asked for), so the test puts those addresses on the loopback interface, where
 * packets never leave the machine. The nodes' servers listen on their IPv6 addresses only, and the resolver may not
 * ask any IPv4 address off loopback: a name that resolves was found through AAAA glue or IPv6 targets, never A.
 * Two deployments with ZONE_TYPE=private and ADDRESS_FAMILY=dual: c1.v6.internal with RESOLVER_RULE=delegate,
 * c2.v6.internal with RESOLVER_RULE=forward, two nodes each. NSD serves the private zone on 127.0.0.70, Unbound plays
 * the VPC Resolver on 127.0.0.71 (support/vpc-resolver.ts).
 *
 * Needs root, nsd, unbound, dig and ip: missing either, it fails in CI and is skipped, loudly, elsewhere.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnce } from '../../lib/controller/run-once.js';
import type { OutboundEndpoint } from '../../tools/world/resolver-helpers.js';
import { World } from '../../tools/world/world.js';
import type { ZoneRecord } from '../cli/support/dns-responder.js';
import { LoopbackAddresses, loopbackProblem } from './support/loopback.js';
import { DNS_PORT, NodeServers } from './support/nodes.js';
import { hostedZoneFile, ParentServer } from './support/parent.js';
import { Resolver } from './support/resolver.js';
import { type DnsTools, preflight } from './support/tools.js';
import { rulesForVpc, vpcResolverZones } from './support/vpc-resolver.js';

const ZONE = 'v6.internal';
const ZONE_SERVER = { host: '127.0.0.70', port: DNS_PORT };
const VPC_RESOLVER = { host: '127.0.0.71', port: DNS_PORT };

interface Case {
  readonly cluster: string;
  readonly rule: 'delegate' | 'forward';
}
const CASES: readonly Case[] = [
  { cluster: `c1.${ZONE}`, rule: 'delegate' },
  { cluster: `c2.${ZONE}`, rule: 'forward' },
];
const NODES = 2;

const checked = await preflight('127.0.0.70');
const problem = checked.ok ? await loopbackProblem() : checked.problem;

if (checked.ok && problem === undefined) dualStack(checked.tools);
else {
  describe('end to end in real DNS, dual stack', () => {
    it('has root, the DNS tools and an IPv6 loopback it needs', (ctx) => {
      const message = `tests/e2e/dual-stack cannot run: ${problem}`;
      if (!process.env.CI) {
        console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED: ${message}\n${'!'.repeat(100)}\n`);
        ctx.skip(message);
      }
      throw new Error(message);
    });
  });
}

/** A node's addresses as EC2 gives them. */
interface Node {
  readonly id: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

function dualStack(tools: DnsTools): void {
  let world: World;
  let endpoint: OutboundEndpoint;
  let vpcId: string;
  let zoneId: string;
  let dir: string | undefined;
  let zoneServer: ParentServer | undefined;
  let vpcResolver: Resolver | undefined;
  const loopback = new LoopbackAddresses();
  const servers: NodeServers[] = [];
  const nodes = new Map<string, Node[]>();

  const nodesOf = (c: Case) => nodes.get(c.cluster) ?? [];
  const nameOf = (c: Case) => `node1.${c.cluster}.`;

  async function launch(c: Case, subnetId: string): Promise<Node[]> {
    const launched: Node[] = [];
    for (let i = 0; i < NODES; i += 1) {
      const id = await world.launch({ cluster: c.cluster, subnetId, ipv6: true });
      const out = await world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      const instance = out.Reservations?.[0]?.Instances?.[0];
      const ipv6 = instance?.NetworkInterfaces?.[0]?.Ipv6Addresses?.[0]?.Ipv6Address;
      if (instance?.PrivateIpAddress === undefined || ipv6 === undefined) throw new Error(`${id} has no address pair`);
      launched.push({ id, ipv4: instance.PrivateIpAddress, ipv6 });
    }
    return launched;
  }

  /** What every node of a cluster serves: its NS, AAAA glue, and node1… at the nodes' IPv6 addresses. */
  function nodeRecords(c: Case): ZoneRecord[] {
    const zone = `${c.cluster}.`;
    const list = nodesOf(c);
    return [
      { name: zone, type: 'SOA', data: `ns1.${zone} admin.${zone} 1 3600 600 604800 60` },
      ...list.map((_, i) => ({ name: zone, type: 'NS' as const, data: `ns${i + 1}.${zone}` })),
      ...list.map((n, i) => ({ name: `ns${i + 1}.${zone}`, type: 'AAAA' as const, data: n.ipv6 })),
      ...list.map((n, i) => ({ name: `node${i + 1}.${zone}`, type: 'AAAA' as const, data: n.ipv6 })),
    ];
  }

  beforeAll(async () => {
    world = await World.start();
    endpoint = await world.outboundEndpoint();
    const subnet = await world.dualStackSubnet();
    vpcId = subnet.vpcId;
    zoneId = await world.privateZone(ZONE, vpcId);
    for (const c of CASES) {
      nodes.set(c.cluster, await launch(c, subnet.subnetId));
      const deps = world.deps({
        OWNER_ID: `rlec-dns-e2e-v6-${c.rule}`,
        ZONE_TYPE: 'private',
        ADDRESS_FAMILY: 'dual',
        RESOLVER_ENDPOINT_ID: endpoint.endpointId,
        RESOLVER_RULE: c.rule,
      });
      const result = await runOnce(deps, { clusters: [c.cluster], mode: 'apply' });
      expect(result.outcomes.get(c.cluster)?.status).toBe('changed');
      expect(result.rules.get(c.cluster)?.status).toBe('changed');
    }
    for (const c of CASES) {
      for (const n of nodesOf(c)) {
        await loopback.add(n.ipv6);
        await loopback.add(n.ipv4);
      }
      servers.push(
        await NodeServers.start(
          c.cluster,
          nodesOf(c).map((n) => n.ipv6),
          nodeRecords(c),
        ),
      );
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'rlec-dns-e2e-v6-'));
    zoneServer = await ParentServer.start(
      { tools, dir, zone: ZONE, ...ZONE_SERVER },
      await hostedZoneFile(world.route53, zoneId, ZONE),
    );
    const rules = await rulesForVpc(world.resolver, vpcId);
    vpcResolver = await Resolver.start({
      tools,
      dir,
      ...VPC_RESOLVER,
      ipv6: true,
      zones: await vpcResolverZones({ name: ZONE, server: ZONE_SERVER }, rules),
    });
  }, 90_000);

  afterAll(async () => {
    const outcomes = await Promise.allSettled([
      vpcResolver?.stop(),
      zoneServer?.stop(),
      ...servers.map((s) => s.close()),
    ]);
    await loopback.removeAll();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    await world?.stop();
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed.length > 0) throw new Error(`could not stop everything: ${failed.map((f) => f.reason).join('; ')}`);
  }, 30_000);

  describe('end to end in real DNS, dual stack', () => {
    it('writes an A and an AAAA glue record for every node in the private zone', async () => {
      for (const c of CASES) {
        const glue = (await world.clusterRecords(zoneId, c.cluster)).filter((l) => / (A|AAAA) /.test(l));
        const expected = nodesOf(c).flatMap((n) => [` A 60 ${n.ipv4}`, ` AAAA 60 ${n.ipv6}`]);
        for (const part of expected)
          expect(
            glue.some((l) => l.endsWith(part)),
            `${c.cluster}${part}`,
          ).toBe(true);
        expect(glue).toHaveLength(2 * NODES);
      }
    });

    it("forwards c2's name to the nodes' IPv6 addresses", async () => {
      const rules = await rulesForVpc(world.resolver, vpcId);
      const forward = rules.find((r) => r.name === CASES[1]?.cluster);
      expect(forward?.targets.map((t) => t.host).sort()).toEqual(
        nodesOf(CASES[1] as Case)
          .map((n) => n.ipv6)
          .sort(),
      );
    });

    for (const [index, c] of CASES.entries()) {
      it(`resolves ${nameOf(c)} through the VPC Resolver over IPv6 (${c.rule})`, async () => {
        await vpcResolver?.forget();
        const { message } = (await vpcResolver?.resolve(nameOf(c), 'AAAA')) ?? { message: undefined };
        expect(message?.rcode).toBe('NOERROR');
        expect(message?.answers.map((r) => r.data)).toEqual([nodesOf(c)[0]?.ipv6]);
        const asked = nodesOf(c).filter((n) => servers[index]?.queries(n.ipv6).some((q) => q.name === nameOf(c)));
        expect(asked.length).toBeGreaterThan(0);
      });
    }
  });
}
