/**
 * The benchmark's figures as text: the console report, and the Markdown tables of docs/benchmark.md.
 */
import type { ColdStartResult } from './cold-start.js';
import { ACTIONS, type Figure, type RunFigures, type ScenarioResult, type Target } from './measure.js';

export interface Results {
  readonly generatedAt: string;
  readonly machine: { readonly cpus: number; readonly node: string; readonly platform: string };
  readonly scenarios: ScenarioResult[];
  readonly coldStart: ColdStartResult | undefined;
}

/** How many times the per-event figure is ours; a dash when either is zero. */
const ratio = (theirs: number, ours: number) =>
  ours === 0 || theirs === 0 ? '–' : `${(theirs / ours).toFixed(theirs / ours >= 10 ? 0 : 1)}×`;
const fixed = (n: number, digits = 1) => n.toFixed(digits);
const mark = (met: boolean) => (met ? 'met' : 'NOT MET');
/** An issue's target is labelled as such: it is reported without failing the run. */
const markOf = (t: Target) =>
  t.issue === undefined ? mark(t.met) : `issue ${t.issue} target, ${t.met ? 'met' : 'not yet met'}`;
const target = (t: Target, bold = false) => {
  const value = bold ? `**${t.value}**` : t.value;
  return `${t.name}${t.limit === undefined ? '' : ` ${t.limit}`}: ${value} (${markOf(t)})`;
};
/** How many times the minimum a figure is: `2.5×`; a dash when there is no minimum. */
const overMinimum = (f: Figure) =>
  f.minimum === undefined || f.minimum === 0 || !Number.isFinite(f.value)
    ? '–'
    : `${(f.value / f.minimum).toFixed(1)}×`;

/** Issue 13's figures: value, physical minimum, value ÷ minimum, per-event baseline, baseline ÷ value. */
function figureRows(s: ScenarioResult): [string, string, string, string, string, string][] {
  return (s.figures ?? []).map((f) => [
    f.name,
    fixed(f.value, f.digits ?? 0),
    f.minimum === undefined ? '–' : fixed(f.minimum, f.digits ?? 0),
    overMinimum(f),
    f.perEvent === undefined ? '–' : `${fixed(f.perEvent, f.digits ?? 0)}${s.perEvent?.extrapolated ? '*' : ''}`,
    f.perEvent === undefined ? '–' : ratio(f.perEvent, f.value),
  ]);
}
const FIGURE_HEADINGS = ['figure', 'rlec-dns', 'minimum', '÷ minimum', 'per event', 'per event ÷ rlec-dns'] as const;
const MINIMUM_NOTE =
  'minimum: one request per zone per batch (for ListResourceRecordSets, ChangeResourceRecordSets and Route 53 ' +
  'requests alike), one DescribeInstances per batch, no throttled attempt, the change tokens of one transition from ' +
  'the records before to the records after';
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

function rows(s: ScenarioResult): [string, string, string, string][] {
  const { perEvent } = s;
  const line = (label: string, pick: (f: RunFigures) => number, digits = 0): [string, string, string, string] => [
    label,
    fixed(pick(s.batched), digits),
    perEvent === undefined ? '–' : `${fixed(pick(perEvent), digits)}${perEvent.extrapolated ? '*' : ''}`,
    perEvent === undefined ? '–' : ratio(pick(perEvent), pick(s.batched)),
  ];
  return [
    ...ACTIONS.map((action) => line(action, (f) => f.calls[action] ?? 0)),
    line('Route 53 calls', (f) => f.route53Calls),
    line('Route 53 calls per event', (f) => f.route53PerEvent, 2),
    line('DescribeInstances per event', (f) => (f.calls.DescribeInstances ?? 0) / s.events, 2),
    line('throttled, retried by the SDK', (f) => f.throttledTotal),
    line('time to converge (s)', (f) => f.seconds, 1),
  ];
}

/** The console report. */
export function consoleReport(results: Results): string {
  const out: string[] = [];
  for (const s of results.scenarios) {
    out.push(
      '',
      `(${s.key}) ${s.title}: ${s.events} events, ${s.clusters} clusters, ${s.zones} zones ` +
        `(${s.instances} instances, ${s.unrelatedInstances} unrelated)`,
      `    ${s.conditions}`,
      `    ${'calls'.padEnd(32)}${'batched'.padStart(10)}${'per event'.padStart(12)}${'ratio'.padStart(9)}`,
    );
    for (const [label, a, b, r] of rows(s))
      out.push(`    ${label.padEnd(32)}${a.padStart(10)}${b.padStart(12)}${r.padStart(9)}`);
    const perEvent = s.perEvent;
    out.push(
      `    ${'converged'.padEnd(32)}${(s.batched.converged ? 'yes' : 'NO').padStart(10)}${(perEvent === undefined ? '–' : perEvent.converged ? 'yes' : 'NO').padStart(12)}`,
    );
    for (const note of s.batched.notes) out.push(`    batched: ${note}`);
    for (const note of perEvent?.notes ?? []) out.push(`    per event${perEvent?.extrapolated ? ' (*)' : ''}: ${note}`);
    for (const problem of [...s.batched.problems, ...(perEvent?.problems ?? [])]) out.push(`    PROBLEM: ${problem}`);
    const figured = figureRows(s);
    if (figured.length > 0) {
      const widths = [30, 10, 10, 11, 12, 22];
      const line = (cells: readonly string[]) =>
        `    ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('')}`;
      out.push(`    issue 13 figures (${MINIMUM_NOTE}):`, line(FIGURE_HEADINGS), ...figured.map(line));
    }
    out.push(`    targets: ${s.targets.map((t) => target(t)).join('; ')}`);
  }
  const c = results.coldStart;
  if (c !== undefined) {
    out.push(
      '',
      `(c) cold start: import in a fresh process, median of ${c.runs}, node ${c.nodeVersion}, NODE_OPTIONS=${c.nodeOptions || '(none)'}`,
      `    ${'bundle'.padEnd(24)}${'size'.padStart(10)}${'map'.padStart(10)}${'import'.padStart(10)}${'no maps'.padStart(10)}`,
    );
    for (const b of c.bundles) {
      out.push(
        `    ${b.name.padEnd(24)}${kb(b.bytes).padStart(10)}${kb(b.mapBytes).padStart(10)}` +
          `${`${fixed(b.importMs)} ms`.padStart(10)}${`${fixed(b.importMsWithoutMaps)} ms`.padStart(10)}`,
      );
    }
    out.push(
      `    handler ÷ both SDK clients: ${c.ratio.toFixed(2)} (without source maps ${c.ratioWithoutMaps.toFixed(2)}); ` +
        `target ≤ ${c.target}: ${mark(c.ratio <= c.target)}`,
    );
  }
  return out.join('\n');
}

/** The Markdown tables for docs/benchmark.md, between the markers. */
export function markdownTables(results: Results): string {
  const out: string[] = [];
  for (const s of results.scenarios) {
    out.push(
      `**(${s.key}) ${s.title}**: ${s.events} events, ${s.clusters} clusters, ${s.zones} hosted zones, ` +
        `${s.unrelatedInstances} unrelated instances. ${s.conditions}.`,
      '',
      '| | batched (rlec-dns) | one reconcile per event | ratio |',
      '|---|---:|---:|---:|',
      ...rows(s).map((r) => `| ${r.join(' | ')} |`),
      `| converged | ${s.batched.converged ? 'yes' : 'no'} | ${s.perEvent === undefined ? '–' : s.perEvent.converged ? 'yes' : 'no'} | |`,
      '',
    );
    if (s.perEvent?.extrapolated) out.push(`\\* ${s.perEvent.notes[0]}.`, '');
    if (s.batched.notes.length > 0) out.push(`Batched: ${s.batched.notes.join('; ')}.`, '');
    const figured = figureRows(s);
    if (figured.length > 0) {
      out.push(
        `Issue 13's figures (${MINIMUM_NOTE}):`,
        '',
        `| ${FIGURE_HEADINGS.join(' | ')} |`,
        '|---|---:|---:|---:|---:|---:|',
        ...figured.map((r) => `| ${r.join(' | ')} |`),
        '',
      );
    }
    out.push(`Targets: ${s.targets.map((t) => target(t, true)).join('; ')}.`, '');
  }
  const c = results.coldStart;
  if (c !== undefined) {
    out.push(
      `**(c) cold start**: import time in a fresh Node ${c.nodeVersion} process, median of ${c.runs}, ` +
        `with the functions' \`NODE_OPTIONS=${c.nodeOptions}\`; bundles built with serverless.yml's esbuild options.`,
      '',
      '| bundle | size | source map | import | import without source maps |',
      '|---|---:|---:|---:|---:|',
      ...c.bundles.map(
        (b) =>
          `| ${b.name} | ${kb(b.bytes)} | ${kb(b.mapBytes)} | ${fixed(b.importMs)} ms | ${fixed(b.importMsWithoutMaps)} ms |`,
      ),
      '',
      `Handler ÷ both SDK clients: **${c.ratio.toFixed(2)}** (without source maps ${c.ratioWithoutMaps.toFixed(2)}); ` +
        `target ≤ ${c.target}: ${mark(c.ratio <= c.target)}.`,
      '',
    );
  }
  out.push(
    `_Measured ${results.generatedAt.slice(0, 10)} on ${results.machine.cpus} CPUs, ${results.machine.platform}, ` +
      `Node ${results.machine.node}, against moto server behind the Route 53 rules proxy (\`npm run bench\`)._`,
  );
  return out.join('\n');
}
