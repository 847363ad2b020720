/**
 * End to end, in real DNS, inside a VPC (issue 11): clients that ask the VPC Resolver find the cluster through the
 * private hosted zone and the Resolver rule rlec-dns writes.
 *
 * The emulator holds a VPC with an outbound Resolver endpoint and the private zone corp.internal associated with it.
 * Two deployments publish one cluster each, with ZONE_TYPE=private: c1.corp.internal with RESOLVER_RULE=delegate
 * (nodes at 127.0.0.41-43), c2.corp.internal with RESOLVER_RULE=forward (nodes at 127.0.0.44-46). The private zone,
 * read back from the emulator and written out by the export code, is served by NSD on 127.0.0.40; the nodes' servers
 * listen on port 53 of their addresses; Unbound on 127.0.0.50 plays the VPC Resolver, configured from the private zone
 * and the rules associated with the VPC as read back from the emulator (support/vpc-resolver.ts). Then one node of
 * each cluster is lost (its host answers nothing), and removed.
 *
 * Needs root (port 53) and nsd, unbound and dig, as tests/e2e/delegation.test.ts: missing either, it fails in CI and
 * is skipped, loudly, elsewhere.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDns } from '../../cli/dns/client.js';
import { runOnce } from '../../lib/controller/run-once.js';
import type { OutboundEndpoint } from '../../tools/world/resolver-helpers.js';
import { World } from '../../tools/world/world.js';
import { type BlackHole, DNS_PORT, NodeServers, nodeZone, startBlackHole } from './support/nodes.js';
import { hostedZoneFile, ParentServer } from './support/parent.js';
import { Resolver } from './support/resolver.js';
import { type DnsTools, preflight } from './support/tools.js';
import { rulesForVpc, vpcResolverZones } from './support/vpc-resolver.js';

const ZONE = 'corp.internal';
const ZONE_SERVER = { host: '127.0.0.40', port: DNS_PORT };
const VPC_RESOLVER = { host: '127.0.0.50', port: DNS_PORT };
/** Cold runs per check that a lost node is never asked: each asks one of the servers first, at random. */
const RUNS = 12;

interface Case {
  readonly cluster: string;
  readonly rule: 'delegate' | 'forward';
  readonly addresses: readonly string[];
}
const CASES: readonly Case[] = [
  { cluster: `c1.${ZONE}`, rule: 'delegate', addresses: ['127.0.0.41', '127.0.0.42', '127.0.0.43'] },
  { cluster: `c2.${ZONE}`, rule: 'forward', addresses: ['127.0.0.44', '127.0.0.45', '127.0.0.46'] },
];

const checked = await preflight(CASES[0]?.addresses[0] ?? '');

if (checked.ok) privateEndToEnd(checked.tools);
else {
  describe('end to end in real DNS, inside a VPC', () => {
    it('has root and the DNS tools it needs', (ctx) => {
      const message = `tests/e2e cannot run: ${checked.problem}`;
      if (!process.env.CI) {
        console.warn(`\n${'!'.repeat(100)}\n!! SKIPPED: ${message}\n${'!'.repeat(100)}\n`);
        ctx.skip(message);
      }
      throw new Error(message);
    });
  });
}

function privateEndToEnd(tools: DnsTools): void {
  let world: World;
  let endpoint: OutboundEndpoint;
  let zoneId: string;
  let dir: string | undefined;
  let zoneServer: ParentServer | undefined;
  let vpcResolver: Resolver | undefined;
  const nodes: NodeServers[] = [];
  const holes: BlackHole[] = [];
  /** Instance id by address. */
  const instances = new Map<string, string>();

  const envOf = (c: Case) => ({
    OWNER_ID: `rlec-dns-e2e-${c.rule}`,
    ZONE_TYPE: 'private',
    RESOLVER_ENDPOINT_ID: endpoint.endpointId,
    RESOLVER_RULE: c.rule,
  });
  const reconcile = async (c: Case) => {
    const result = await runOnce(world.deps(envOf(c)), { clusters: [c.cluster], mode: 'apply' });
    const outcome = result.outcomes.get(c.cluster);
    expect(outcome?.status, JSON.stringify(outcome)).toBe('changed');
  };
  /** What the VPC Resolver knows, read again from the emulator: the private zone's records and the rules. */
  const refresh = async () => {
    await zoneServer?.reload(await hostedZoneFile(world.route53, zoneId, ZONE));
    for (const c of CASES) await servedGlue(c);
    const rules = await rulesForVpc(world.resolver, endpoint.vpcId);
    await vpcResolver?.reconfigure(await vpcResolverZones({ name: ZONE, server: ZONE_SERVER }, rules));
    return rules;
  };
  /** Waits until NSD (which swaps zones in the background) refers to the glue the hosted zone holds for a cluster. */
  const servedGlue = async (c: Case) => {
    const lines = await world.clusterRecords(zoneId, c.cluster);
    const held = lines
      .filter((l) => l.includes(' A '))
      .map((l) => l.split(' ').at(-1) ?? '')
      .sort();
    let served: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      const { message } = await queryDns(ZONE_SERVER, c.cluster, 'NS', 1_000);
      served = message.additional
        .filter((r) => r.type === 'A')
        .map((r) => r.data)
        .sort();
      if (served.join() === held.join()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`NSD still refers ${c.cluster} to ${served.join(', ')}, the zone holds ${held.join(', ')}`);
  };
  const nameOf = (c: Case) => `node1.${c.cluster}.`;
  const resolve = async (c: Case) => {
    const { message } = (await vpcResolver?.resolve(nameOf(c), 'A')) ?? { message: undefined };
    return { rcode: message?.rcode, answers: (message?.answers ?? []).map((r) => r.data) };
  };

  beforeAll(async () => {
    world = await World.start();
    endpoint = await world.outboundEndpoint();
    zoneId = await world.privateZone(ZONE, endpoint.vpcId);
    for (const c of CASES) {
      for (const address of c.addresses) {
        instances.set(address, await world.launch({ cluster: c.cluster, privateIp: address }));
      }
      await reconcile(c);
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'rlec-dns-e2e-private-'));
    zoneServer = await ParentServer.start(
      { tools, dir, zone: ZONE, ...ZONE_SERVER },
      await hostedZoneFile(world.route53, zoneId, ZONE),
    );
    for (const c of CASES) {
      const glue = new Map(c.addresses.map((a, i) => [`ns${i + 1}.${c.cluster}.`, a]));
      nodes.push(await NodeServers.start(c.cluster, c.addresses, nodeZone(c.cluster, glue, c.addresses)));
    }
    // Started with the private zone only, as with no rule: the rules come in with the first refresh.
    vpcResolver = await Resolver.start({
      tools,
      dir,
      ...VPC_RESOLVER,
      zones: await vpcResolverZones({ name: ZONE, server: ZONE_SERVER }, []),
    });
  }, 60_000);

  afterAll(async () => {
    const outcomes = await Promise.allSettled([
      vpcResolver?.stop(),
      zoneServer?.stop(),
      ...nodes.map((n) => n.close()),
      ...holes.map((h) => h.close()),
    ]);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    await world?.stop();
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed.length > 0) throw new Error(`could not stop everything: ${failed.map((f) => f.reason).join('; ')}`);
  }, 30_000);

  describe('end to end in real DNS, inside a VPC', () => {
    it('finds no cluster through the private zone alone: the VPC Resolver does not follow its delegations', async () => {
      for (const c of CASES) {
        const answer = await resolve(c);
        expect(answer.answers, c.cluster).toEqual([]);
      }
    });

    it('reads back one rule per cluster, associated with the VPC: DELEGATE for c1, FORWARD to the nodes for c2', async () => {
      const rules = await refresh();
      expect(
        rules
          .map(
            (r) =>
              `${r.type} ${r.name} ${r.targets
                .map((t) => `${t.host}:${t.port}`)
                .sort()
                .join(',')}`,
          )
          .sort(),
      ).toEqual([`DELEGATE c1.${ZONE} `, `FORWARD c2.${ZONE} ${CASES[1]?.addresses.map((a) => `${a}:53`).join(',')}`]);
    });

    for (const [index, c] of CASES.entries()) {
      it(`resolves ${nameOf(c)} through the VPC Resolver (${c.rule})`, async () => {
        await vpcResolver?.forget();
        const answer = await resolve(c);
        expect(answer.rcode).toBe('NOERROR');
        expect(answer.answers).toEqual([c.addresses[0]]);
        const asked = c.addresses.filter((a) => nodes[index]?.queries(a).some((q) => q.name === nameOf(c)));
        expect(asked.length).toBeGreaterThan(0);
      });
    }

    for (const [index, c] of CASES.entries()) {
      it(`still resolves ${nameOf(c)} with one node's host gone (${c.rule})`, async () => {
        const lost = c.addresses[0] ?? '';
        await nodes[index]?.stopOne(lost);
        holes[index] = await startBlackHole(lost);
        // Cold runs until one has asked the lost node first (each does with odds of about 1/3): every one resolves.
        for (let i = 0; i < 20 && (holes[index]?.received() ?? 0) === 0; i += 1) {
          await vpcResolver?.forget();
          const answer = await resolve(c);
          expect(answer.rcode, `run ${i + 1}`).toBe('NOERROR');
          expect(answer.answers).toEqual([lost]);
        }
        expect(holes[index]?.received(), 'no cold run asked the lost node in 20 tries').toBeGreaterThan(0);
      }, 45_000);
    }

    for (const [index, c] of CASES.entries()) {
      it(`never asks the lost node once its instance is terminated and rlec-dns has run (${c.rule})`, async () => {
        const lost = c.addresses[0] ?? '';
        await world.terminate(instances.get(lost) ?? '');
        await reconcile(c);
        const rules = await refresh();
        const rule = rules.find((r) => r.name === c.cluster);
        if (c.rule === 'forward') expect(rule?.targets.map((t) => t.host).sort()).toEqual(c.addresses.slice(1));
        const glue = (await world.clusterRecords(zoneId, c.cluster)).filter((l) => / A /.test(l));
        expect(glue.some((l) => l.endsWith(` ${lost}`))).toBe(false);
        const before = holes[index]?.received() ?? 0;
        for (let i = 0; i < RUNS; i += 1) {
          await vpcResolver?.forget();
          const answer = await resolve(c);
          expect(answer.answers, `run ${i + 1}`).toEqual([lost]);
        }
        expect(holes[index]?.received()).toBe(before);
      }, 45_000);
    }
  });
}
