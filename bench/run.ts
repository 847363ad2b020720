/**
 * `npm run bench`: the benchmark of issue 3. Starts the emulator (moto server behind the Route 53 rules proxy, which
 * counts calls per action and here also enforces Route 53's request rate), runs the scenarios, measures cold start,
 * prints the figures, writes bench/results.json and refreshes the tables of docs/benchmark.md.
 *
 * Scenario (b) runs under Route 53's old limit (5 requests/s: key `b`, whose targets fail the run when missed, as
 * before), under the 2026 buckets (`b-2026`), and under those with a second Route 53 client in the account spending
 * half of its request budget (`b-2026-shared`); (d) is issue 13's scale-in; (e) counts the reads of
 * the zone-cut check (issue 9); (f) counts the private side's Resolver calls (issue 11). Issue 13's targets are reported, met or
 * not, and never fail the run (the product does not meet them all yet); the others fail it when missed.
 *
 * Environment: BENCH_ONLY=a,b,c,d,e,f runs some parts only (the others are kept from the last results.json; `b` runs
 * all three (b) cases, `b-2026` one of them); BENCH_COLD_RUNS (default 15) imports per bundle;
 * BENCH_BASELINE_EVENTS (default 6) events of the per-event baseline in scenario (b) before it is extrapolated.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, platform } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { emulatorEnv, RESOLVER_LIMIT, ROUTE53_2026, ROUTE53_LEGACY } from '../tools/emulator/emulator.js';
import { World } from '../tools/world/world.js';
import { coldStart } from './cold-start.js';
import { deployedDelivery, deployedPacing, PROJECT_DIR } from './deployment.js';
import type { ScenarioResult } from './measure.js';
import { type PrivateCost, privateCostLines, privateSideCosts } from './private-side.js';
import { RESULTS_FILE, renderDocs } from './render.js';
import { consoleReport, type Results } from './report.js';
import { scenarioA } from './scenario-a.js';
import { scenarioB } from './scenario-b.js';
import { scenarioD } from './scenario-d.js';
import { type CutCost, cutCostLines, zoneCutCosts } from './zone-cuts.js';

const RESULTS = RESULTS_FILE;
const run = promisify(execFile);
const COLD_START_TARGET = 1.25;

const only = new Set((process.env.BENCH_ONLY ?? 'a,b,c,d,e,f').split(',').map((s) => s.trim()));
/** `b-2026` is wanted when asked for by name or as part of `b`. */
const wants = (key: string) => only.has(key) || only.has(key.split('-')[0] ?? key);
const whole = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number above 0`);
  return value;
};

async function previous(): Promise<Results | undefined> {
  try {
    return JSON.parse(await readFile(RESULTS, 'utf8')) as Results;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const last = await previous();
  const scenarios = new Map<string, ScenarioResult>((last?.scenarios ?? []).map((s) => [s.key, s]));
  const started = performance.now();

  let cuts: CutCost[] | undefined;
  let privateSide: PrivateCost[] | undefined;
  if (['a', 'b', 'b-2026', 'b-2026-shared', 'd', 'e', 'f'].some(wants)) {
    // Before the first SDK client: the SDK's notices about Node 20 are not news for a benchmark.
    Object.assign(process.env, {
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const world = await World.start({ resolverThrottle: RESOLVER_LIMIT });
    // The functions' clients (lib/platform/clients.ts) find the emulator as they would find AWS: through the environment.
    // Their own logger (failed attempts) stays quiet: the proxy counts what Route 53 refused.
    Object.assign(process.env, emulatorEnv(world.emulator.endpoint), { POWERTOOLS_LOG_LEVEL: 'SILENT' });
    try {
      if (only.has('a')) {
        console.error('bench: scenario (a)…');
        scenarios.set('a', await scenarioA(world));
      }
      if (wants('e')) {
        console.error('bench: zone-cut check (e)…');
        cuts = await zoneCutCosts(world);
      }
      if (wants('f')) {
        console.error('bench: private side (f)…');
        privateSide = await privateSideCosts(world);
      }
      const common = {
        delivery: deployedDelivery(),
        pacing: deployedPacing(),
        visibilitySeconds: 3,
        baselineEvents: Math.max(2, whole('BENCH_BASELINE_EVENTS', 6)),
        arrivalSeconds: 10,
      };
      if (wants('b')) {
        console.error('bench: scenario (b), Route 53 at 5 requests/s…');
        scenarios.set(
          'b',
          await scenarioB(world, { ...common, key: 'b', title: 'burst through the queue', model: ROUTE53_LEGACY }),
        );
      }
      if (wants('b-2026') || wants('b-2026-shared')) {
        console.error("bench: scenario (b), Route 53's 2026 limits…");
        const b2026 = await scenarioB(world, {
          ...common,
          key: 'b-2026',
          title: "burst through the queue, Route 53's 2026 limits",
          model: ROUTE53_2026,
        });
        if (wants('b-2026')) scenarios.set(b2026.key, b2026);
        if (wants('b-2026-shared') && b2026.perEvent !== undefined) {
          console.error("bench: scenario (b), Route 53's 2026 limits, a second client spending half…");
          scenarios.set(
            'b-2026-shared',
            await scenarioB(world, {
              ...common,
              key: 'b-2026-shared',
              title: "burst through the queue, Route 53's 2026 limits, half the budget spent by another client",
              model: ROUTE53_2026,
              secondClient: { requestFraction: 0.5 },
              baseline: b2026.perEvent,
            }),
          );
        }
      }
      if (wants('d')) {
        console.error('bench: scenario (d), scale-in…');
        scenarios.set(
          'd',
          await scenarioD(world, {
            delivery: common.delivery,
            pacing: common.pacing,
            model: ROUTE53_2026,
            visibilitySeconds: 3,
            members: 210,
            terminations: 200,
            arrivalSeconds: 2,
            baselineEvents: 20,
          }),
        );
      }
    } finally {
      await world.stop();
    }
  }
  let cold = last?.coldStart;
  if (only.has('c')) {
    console.error('bench: cold start…');
    cold = await coldStart(whole('BENCH_COLD_RUNS', 15), COLD_START_TARGET);
  }

  const results: Results = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, platform: `${platform()} ${process.arch}` },
    scenarios: [...scenarios.values()].sort((a, b) => a.key.localeCompare(b.key)),
    coldStart: cold,
  };
  console.log(consoleReport(results));
  if (cuts !== undefined) console.log(`\n${cutCostLines(cuts).join('\n')}`);
  if (privateSide !== undefined) console.log(`\n${privateCostLines(privateSide).join('\n')}`);
  // Two decimals are plenty; then Biome's layout, so that `npm run lint` accepts the file as written.
  const rounded = (_key: string, value: unknown) =>
    typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 100) / 100 : value;
  await writeFile(RESULTS, `${JSON.stringify(results, rounded, 2)}\n`);
  await run(join(PROJECT_DIR, 'node_modules', '.bin', 'biome'), ['format', '--write', RESULTS]);
  const changed = await renderDocs(results);
  console.log(`\nwrote bench/results.json${changed.length > 0 ? `, updated ${changed.join(', ')}` : ''}`);
  console.log(`bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const notMet = (issue: boolean) =>
    results.scenarios.flatMap((s) =>
      s.targets.filter((t) => !t.met && (t.issue !== undefined) === issue).map((t) => `(${s.key}) ${t.name}`),
    );
  const pending = notMet(true);
  if (pending.length > 0) console.log(`issue 13 targets, not yet met (reported, not failing): ${pending.join(', ')}`);
  const missed = [
    ...notMet(false),
    ...(cold !== undefined && cold.ratio > cold.target ? ['(c) cold-start ratio'] : []),
  ];
  if (missed.length > 0) {
    console.log(`targets not met: ${missed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
