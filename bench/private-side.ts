/**
 * (f) What the private side costs (issue 11): Resolver API calls, by action, for 10 private clusters of 3 members,
 * with each rule type: the batch that publishes them, a batch in which one member of each leaves, and a sweep that
 * finds everything in step. The Resolver client is the functions' own (lib/platform/resolver-client.ts), paced as
 * deployed by default (RESOLVER_SHARE ÷ the containers of serverless.yml's concurrencies), so the times show what
 * that pacing costs to one container, against the emulated
 * Resolver limit (5 requests/s per account and Region: the bench's world enforces RESOLVER_LIMIT); Route 53 is not
 * paced here (its cost is parts a–e's). The counts are exact (throttled attempts included, and counted apart); the
 * times are one run's.
 */
import { processEvents } from '../lib/controller/process-events.js';
import { sweep } from '../lib/controller/sweep.js';
import { loadConfig } from '../lib/platform/config.js';
import { createDeps } from '../lib/platform/factory.js';
import { CapturedTelemetry } from '../tools/world/telemetry.js';
import type { World } from '../tools/world/world.js';
import { deployedPacing, deployedResolverShare } from './deployment.js';
import { DEPLOYMENT_ENV } from './fleet.js';

const CLUSTERS = 10;
const MEMBERS = 3;

export interface PrivateStep {
  readonly step: string;
  readonly seconds: number;
  /** Resolver calls by action (attempts the Resolver throttled included). */
  readonly calls: Readonly<Record<string, number>>;
  /** Attempts the emulated Resolver limit answered ThrottlingException (absent in results before it was modelled). */
  readonly throttled?: number;
}

export interface PrivateCost {
  readonly rule: 'delegate' | 'forward';
  /** The Resolver pacing of the container (absent in results before it was derived from the share). */
  readonly pacing?: { readonly ratePerSecond: number; readonly burst: number };
  readonly steps: readonly PrivateStep[];
}

const RESOLVER_ACTIONS = /Resolver|TagsForResource|TagResource/;

function resolverCalls(world: World): Record<string, number> {
  return Object.fromEntries(Object.entries(world.emulator.proxy.counts()).filter(([a]) => RESOLVER_ACTIONS.test(a)));
}

const throttledSoFar = (world: World) =>
  [...(world.emulator.resolverThrottle?.throttled.values() ?? [])].reduce((a, b) => a + b, 0);

async function timed(world: World, step: string, work: () => Promise<unknown>): Promise<PrivateStep> {
  world.emulator.proxy.resetCounts();
  const throttledBefore = throttledSoFar(world);
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  return { step, seconds, calls: resolverCalls(world), throttled: throttledSoFar(world) - throttledBefore };
}

async function measure(world: World, rule: 'delegate' | 'forward'): Promise<PrivateCost> {
  await world.reset();
  const endpoint = await world.outboundEndpoint();
  await world.privateZone('example.com', endpoint.vpcId);
  const config = loadConfig({
    ...DEPLOYMENT_ENV,
    ZONE_TYPE: 'private',
    RESOLVER_ENDPOINT_ID: endpoint.endpointId,
    RESOLVER_RULE: rule,
    RESOLVER_SHARE: String(deployedResolverShare()),
    ROUTE53_CONTAINERS: String(deployedPacing().containers),
  });
  const telemetry = new CapturedTelemetry();
  const deps = createDeps(config, {
    telemetry: { log: telemetry.log, metrics: telemetry.sink },
    clients: { route53Pacing: false },
  });
  const members: string[][] = [];
  for (let c = 0; c < CLUSTERS; c += 1) {
    const ids: string[] = [];
    for (let m = 0; m < MEMBERS; m += 1) ids.push(await world.launch({ cluster: `c${c}.example.com` }));
    members.push(ids);
  }
  const deliver = (events: Record<string, unknown>[]) =>
    processEvents(
      deps,
      events.map((body, i) => ({ id: `m${i}`, body })),
    );
  const launched = members.flat().map((id) => world.stateEvent(id, 'running'));
  const leaving = members.map((ids) => ids[0] ?? '');
  const steps = [
    await timed(world, `publish: one batch of ${launched.length} events`, () => deliver(launched)),
    await timed(world, `one member of each leaves: one batch of ${leaving.length} events`, async () => {
      await world.terminate(...leaving);
      await deliver(leaving.map((id) => world.stateEvent(id, 'terminated')));
    }),
    await timed(world, 'sweep, everything in step', () => sweep(deps)),
  ];
  deps.close();
  return { rule, steps, pacing: config.resolver.pacing };
}

export async function privateSideCosts(world: World): Promise<PrivateCost[]> {
  return [await measure(world, 'delegate'), await measure(world, 'forward')];
}

export function privateCostLines(costs: readonly PrivateCost[]): string[] {
  const total = (calls: Readonly<Record<string, number>>) => Object.values(calls).reduce((a, b) => a + b, 0);
  return [
    `(f) private side: Resolver API calls for ${CLUSTERS} private clusters of ${MEMBERS} members (Resolver paced at ${pacingOf(costs)}; ` +
      'the Resolver limited to 5 requests/s per account and Region)',
    ...costs.flatMap((c) => [
      `    RESOLVER_RULE=${c.rule}`,
      ...c.steps.map((s) => {
        const detail = Object.entries(s.calls)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([action, n]) => `${action} ${n}`)
          .join(', ');
        const throttled = s.throttled === undefined ? '' : `; ${s.throttled} throttled`;
        return `      ${s.step.padEnd(52)} ${String(total(s.calls)).padStart(4)} calls in ${s.seconds.toFixed(1).padStart(5)} s: ${detail}${throttled}`;
      }),
    ]),
    '    one ListResolverRules listing per run; per cluster: its rules’ tags, associations, the zone’s VPCs (GetHostedZone is Route 53, not counted), and the writes',
  ];
}

function pacingOf(costs: readonly PrivateCost[]): string {
  const pacing = costs[0]?.pacing;
  if (pacing === undefined) return '2/s, burst 2';
  return `${Math.round(pacing.ratePerSecond * 100) / 100}/s, burst ${pacing.burst}, as deployed`;
}
