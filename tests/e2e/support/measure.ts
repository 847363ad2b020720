/**
 * Resolution times, measured and reported, never asserted: each run starts from a resolver that has forgotten
 * everything about the zone and its servers, so each is the cost a resolver pays the first time it meets the
 * delegation (and again each time its memory of the servers expires).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Figures {
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** Runs over 100 ms: the resolver waited out at least one timeout (a lost node's). */
  readonly runsOver100Ms: number;
  /** Runs in which the resolver sent the lost node at least one packet (its first choice, or a later one). */
  readonly runsThatAskedTheLostNode?: number;
  readonly samplesMs: readonly number[];
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** Median, extremes and mean of the samples, rounded to 0.01 ms. */
export function figures(samples: readonly number[], runsThatAskedTheLostNode?: number): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return {
    runs: samples.length,
    medianMs: round(median),
    minMs: round(sorted[0] ?? 0),
    maxMs: round(sorted.at(-1) ?? 0),
    meanMs: round(samples.reduce((sum, s) => sum + s, 0) / Math.max(1, samples.length)),
    runsOver100Ms: samples.filter((s) => s > 100).length,
    ...(runsThatAskedTheLostNode === undefined ? {} : { runsThatAskedTheLostNode }),
    samplesMs: samples.map(round),
  };
}

/** One line for the test's output. */
export function describeFigures(label: string, f: Figures): string {
  const asked = f.runsThatAskedTheLostNode === undefined ? '' : `, ${f.runsThatAskedTheLostNode} asked the lost node`;
  const ms = (n: number) => n.toFixed(2);
  return `${label.padEnd(48)} median ${ms(f.medianMs).padStart(7)} ms, mean ${ms(f.meanMs).padStart(7)} ms, min ${ms(f.minMs)}, max ${ms(f.maxMs)} (${f.runs} runs: ${f.runsOver100Ms} over 100 ms${asked})`;
}

const RESULTS = fileURLToPath(new URL('../../../.tmp/e2e-results.json', import.meta.url));

/**
 * Writes the figures to .tmp/e2e-results.json (git-ignored: a test run leaves the tree clean); docs/e2e.md quotes
 * pooled runs' figures.
 */
export function writeResults(results: unknown): string {
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  return RESULTS;
}
