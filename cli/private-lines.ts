/** The private side's JSON (private-view.ts) as lines of text, for `status`, `plan` and `sync`. */
import type { Paint } from './output.js';
import { plural } from './output.js';
import type { OrphanJson, RuleJson, RuleStatus, RuleStepJson } from './private-view.js';

/** `+ create DELEGATE rule for c1.example.com on rslvr-out-…`, `- disassociate vpc-… from rslvr-rr-…`. */
export function stepLine(s: RuleStepJson, p: Paint): string {
  const rule = s.ruleId ?? 'the new rule';
  switch (s.action) {
    case 'create': {
      const to = s.targets === undefined ? '' : ` to ${s.targets.join(' ')}`;
      return p.green(`+ create ${s.type} rule for ${s.domain}${to} on ${s.endpointId}`);
    }
    case 'associate':
      return p.green(`+ associate ${rule} with ${s.vpcId}`);
    case 'update': {
      const what = [
        ...(s.targets === undefined ? [] : [`targets ${s.targets.join(' ')}`]),
        ...(s.endpointId === undefined ? [] : [`endpoint ${s.endpointId}`]),
      ];
      return p.yellow(`~ update ${rule}: ${what.join(', ')}`);
    }
    case 'disassociate':
      return p.red(`- disassociate ${rule} from ${s.vpcId}`);
    default:
      return p.red(`- delete ${rule}`);
  }
}

/** The rule's lines under a cluster's heading (two spaces in). */
export function ruleLines(r: RuleJson, p: Paint): string[] {
  const blocking = r.blocking.map(
    (b) =>
      `    ${p.red(`blocked by ${b.id}${b.name === undefined ? '' : ` "${b.name}"`} (${b.type} ${b.domain || '.'})`)}`,
  );
  if (r.status === 'refused') return [`  Resolver rule: ${p.red(`refused: ${r.error ?? ''}`)}`, ...blocking];
  if (r.status === 'failed') return [`  Resolver rule: ${p.red(`failed: ${r.error ?? ''}`)}`];
  const what =
    r.type === undefined
      ? 'none'
      : `${r.type} ${r.id ?? '(to create)'}${r.name === undefined ? '' : ` "${r.name}"`} for ${r.domain}` +
        `${r.targets.length === 0 ? '' : ` -> ${r.targets.join(' ')}`}${r.endpointId === undefined ? '' : ` on ${r.endpointId}`}`;
  const associated = r.associations.map((a) => (a.status === 'COMPLETE' ? a.vpcId : `${a.vpcId} (${a.status})`));
  const head: Record<Exclude<RuleStatus, 'refused' | 'failed'>, string> = {
    'in-step': p.green('in step'),
    pending: p.yellow(`${plural(r.steps.length, 'step')} pending`),
    changed: p.green(`${plural(r.steps.length, 'step')} applied`),
    elsewhere: p.dim(`owned elsewhere: ${r.owner ?? ''}; never changed here`),
  };
  return [
    `  Resolver rule: ${what}`,
    `    ${head[r.status]}`,
    ...(r.status === 'changed'
      ? []
      : [`    associated with: ${associated.length === 0 ? 'no VPC' : associated.join(', ')}`]),
    ...(r.vpcIds.length === 0 || r.status === 'elsewhere' ? [] : [`    wanted VPCs: ${r.vpcIds.join(', ')}`]),
    ...r.notes.map((n) => `    ${p.yellow(`note: ${n}`)}`),
    ...r.steps.map((s) => `    ${stepLine(s, p)}`),
  ];
}

/** The sweep's orphan rules, for `plan` (and `sync`). */
export function orphanLines(orphans: readonly OrphanJson[], p: Paint): string[] {
  if (orphans.length === 0) return [];
  const verb: Record<OrphanJson['status'], string> = {
    planned: 'to remove',
    removed: 'removed',
    refused: 'refused',
    failed: 'failed',
  };
  return [
    p.bold('Resolver rules of clusters that are gone'),
    ...orphans.flatMap((o) => [
      `  ${o.ruleId} (${o.cluster}): ${verb[o.status]}${o.error === undefined ? '' : `: ${o.error}`}`,
      ...o.steps.map((s) => `    ${stepLine(s, p)}`),
    ]),
  ];
}

/** `Resolver rules: 1 pending, 1 refused; 1 orphan rule to remove`; undefined when there are none. */
export function ruleSummaryLine(rules: readonly RuleJson[], orphans: readonly OrphanJson[]): string | undefined {
  if (rules.length === 0 && orphans.length === 0) return undefined;
  const order: RuleStatus[] = ['changed', 'pending', 'in-step', 'elsewhere', 'refused', 'failed'];
  const counts = order
    .map((s) => [s, rules.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s.replace('-', ' ')}`);
  const gone = orphans.filter((o) => o.status === 'planned').length;
  const removed = orphans.filter((o) => o.status === 'removed').length;
  const tail = [
    ...(gone > 0 ? [`${plural(gone, 'orphan rule')} to remove`] : []),
    ...(removed > 0 ? [`${plural(removed, 'orphan rule')} removed`] : []),
  ];
  return `Resolver rules: ${[counts.join(', ') || 'none', ...tail].join('; ')}`;
}
