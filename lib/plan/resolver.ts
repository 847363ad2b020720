/**
 * The Resolver rule plan: `(cluster, members, mode, family, VPCs, rules read back) → steps`. Pure: no SDK.
 *
 * | what is read back                                       | members | plan                                           |
 * |---------------------------------------------------------|---------|------------------------------------------------|
 * | a rule that shadows the cluster (lib/plan/shadows.ts)   | some    | `refused`, naming the rules; nothing changes   |
 * | a rule for the name tagged by another account or Region | any     | `elsewhere`; nothing changes                   |
 * | nothing of ours                                         | some    | create, then associate each wanted VPC         |
 * | our rule, of the wanted type                            | some    | update endpoint / targets; (dis)associate VPCs |
 * | our rule, of the other type (mode changed)              | some    | disassociate all, delete; create, associate    |
 * | our rule                                                | none    | disassociate all, delete (last member out)     |
 * | nothing of ours                                         | none    | nothing                                        |
 *
 * Shadows are looked for only when there is something to publish: the last member's way out never waits on another
 * team's rule. `forward` with no member that has an address of the family counts as no members (a FORWARD rule needs
 * a target), with a note.
 *
 * FORWARD targets (at most 6, the Resolver's fixed quota): a member that is a target now stays one while it runs;
 * the places left go to the other members in slot order (lowest first), so a freed place goes to the lowest slot not
 * yet a target. `ipv6` and `dual` give IPv6 targets (a rule holds one family), `ipv4` IPv4 ones.
 */
import { type CurrentRule, type DesiredRule, type Target, targetKey } from './resolver-rules.js';
import { shadowsOf } from './shadows.js';

export type RuleMode = 'delegate' | 'forward';
export type AddressFamily = 'ipv4' | 'ipv6' | 'dual';

/** Forward targets per rule: 6, not adjustable. */
export const MAX_TARGETS = 6;
export const DNS_PORT = 53;

/** A member as the rule sees it: its slot (`ns<slot>`), and its addresses. */
export interface RuleMember {
  readonly instanceId: string;
  readonly slot: number;
  readonly ipv4?: string | undefined;
  readonly ipv6?: string | undefined;
}

export interface RulePlanInput {
  /** Canonical, no trailing dot. */
  readonly cluster: string;
  /** The private zone's name, canonical, no trailing dot. */
  readonly zoneName: string;
  readonly mode: RuleMode;
  readonly family: AddressFamily;
  readonly endpointId: string;
  readonly members: readonly RuleMember[];
  /** The VPCs the rule should be associated with (RESOLVER_VPC_IDS, or the zone's). */
  readonly vpcIds: readonly string[];
  /** Rules read back for the cluster's name, its parents and below it (lib/registry/resolver.ts). */
  readonly rules: readonly CurrentRule[];
  /** Our rule's name (resolver-rules.ts `ruleNameFor`). */
  readonly ruleName: string;
}

export type RuleStep =
  | { readonly kind: 'create'; readonly rule: DesiredRule }
  | {
      readonly kind: 'update';
      readonly ruleId: string;
      readonly targets?: readonly Target[] | undefined;
      readonly endpointId?: string | undefined;
    }
  /** `ruleId` undefined: the rule this plan creates. */
  | { readonly kind: 'associate'; readonly ruleId: string | undefined; readonly vpcId: string }
  | { readonly kind: 'disassociate'; readonly ruleId: string; readonly vpcId: string }
  | { readonly kind: 'delete'; readonly ruleId: string };

export type RulePlan =
  | { readonly kind: 'refused'; readonly reason: string; readonly rules: readonly CurrentRule[] }
  | { readonly kind: 'elsewhere'; readonly rule: CurrentRule }
  | {
      readonly kind: 'steps';
      /** Empty: the rule is as it should be. */
      readonly steps: readonly RuleStep[];
      /** What the log should say (more members than targets, members without an address of the family). */
      readonly notes: readonly string[];
      /** The rule the cluster has after the steps; undefined when it has none. */
      readonly desired: DesiredRule | undefined;
    };

const addressOf = (member: RuleMember, family: AddressFamily): string | undefined =>
  family === 'ipv4' ? member.ipv4 : member.ipv6;

/**
 * The FORWARD targets for these members (see the module's comment), in slot order, and what to log about them.
 *
 * @example chooseTargets(sevenMembers, [], 'ipv4').targets.length // 6
 */
export function chooseTargets(
  cluster: string,
  members: readonly RuleMember[],
  current: readonly Target[],
  family: AddressFamily,
): { targets: Target[]; notes: string[] } {
  const notes: string[] = [];
  const bySlot = [...members].sort((a, b) => a.slot - b.slot);
  const kind = family === 'ipv4' ? 'IPv4' : 'IPv6';
  const without = bySlot.filter((m) => addressOf(m, family) === undefined);
  if (without.length > 0) {
    const listed = without.map((m) => `ns${m.slot} (${m.instanceId})`).join(', ');
    notes.push(`cluster ${cluster}: ${listed} has no ${kind} address and is not a FORWARD target`);
  }
  const eligible = bySlot.filter((m) => addressOf(m, family) !== undefined);
  const now = new Set(current.map(targetKey));
  const isTarget = (m: RuleMember) => now.has(targetKey({ address: addressOf(m, family) ?? '', port: DNS_PORT }));
  const kept = eligible.filter(isTarget).slice(0, MAX_TARGETS);
  const fill = eligible.filter((m) => !kept.includes(m)).slice(0, MAX_TARGETS - kept.length);
  const chosen = [...kept, ...fill].sort((a, b) => a.slot - b.slot);
  if (eligible.length > MAX_TARGETS) {
    const left = eligible.filter((m) => !chosen.includes(m)).map((m) => `ns${m.slot} (${m.instanceId})`);
    notes.push(
      `cluster ${cluster} has ${eligible.length} members; a FORWARD rule holds at most ${MAX_TARGETS} targets: ` +
        `targets ${chosen.map((m) => `ns${m.slot}`).join(', ')}; not a target: ${left.join(', ')}`,
    );
  }
  return { targets: chosen.map((m) => ({ address: addressOf(m, family) ?? '', port: DNS_PORT })), notes };
}

const sameTargets = (a: readonly Target[], b: readonly Target[]): boolean => {
  const left = new Set(a.map(targetKey));
  return a.length === b.length && b.every((t) => left.has(targetKey(t)));
};

/** Associations that still hold a VPC (one being deleted does not). */
const live = (rule: CurrentRule) => rule.associations.filter((a) => a.status !== 'DELETING');

const teardown = (rule: CurrentRule): RuleStep[] => [
  ...live(rule).map((a): RuleStep => ({ kind: 'disassociate', ruleId: rule.id, vpcId: a.vpcId })),
  { kind: 'delete', ruleId: rule.id },
];

/**
 * Plans the cluster's Resolver rule (see the module's table).
 *
 * @example planRule({ ...input, members: [] }) // last member out: disassociate and delete our rule
 */
export function planRule(input: RulePlanInput): RulePlan {
  const { cluster, mode, family } = input;
  const forName = input.rules.filter((r) => r.domain === cluster);
  const ours = forName.filter((r) => r.claim.kind === 'ours');
  const type = mode === 'delegate' ? 'DELEGATE' : 'FORWARD';
  const keeper = ours.find((r) => r.type === type);
  const notes: string[] = [];
  let targets: Target[] = [];
  if (mode === 'forward' && input.members.length > 0) {
    const chosen = chooseTargets(cluster, input.members, keeper?.targets ?? [], family);
    targets = chosen.targets;
    notes.push(...chosen.notes);
  }
  const publish = mode === 'delegate' ? input.members.length > 0 : targets.length > 0;
  if (!publish) {
    if (mode === 'forward' && input.members.length > 0) {
      notes.push(`cluster ${cluster}: no member has an address for a FORWARD target; the rule is removed`);
    }
    return { kind: 'steps', steps: ours.flatMap(teardown), notes, desired: undefined };
  }
  const elsewhere = forName.find((r) => r.claim.kind === 'elsewhere');
  if (elsewhere !== undefined && ours.length === 0) return { kind: 'elsewhere', rule: elsewhere };
  const shadows = shadowsOf(input);
  if (shadows.rules.length > 0) return { kind: 'refused', reason: shadows.reason, rules: shadows.rules };

  const desired: DesiredRule = { type, domain: cluster, endpointId: input.endpointId, targets, name: input.ruleName };
  const steps: RuleStep[] = ours.filter((r) => r !== keeper).flatMap(teardown);
  const wanted = new Set(input.vpcIds);
  if (keeper === undefined) {
    steps.push({ kind: 'create', rule: desired });
    for (const vpcId of wanted) steps.push({ kind: 'associate', ruleId: undefined, vpcId });
    return { kind: 'steps', steps, notes, desired };
  }
  const endpointChanged = keeper.endpointId !== input.endpointId;
  const targetsChanged = type === 'FORWARD' && !sameTargets(keeper.targets, targets);
  if (endpointChanged || targetsChanged) {
    steps.push({
      kind: 'update',
      ruleId: keeper.id,
      ...(targetsChanged ? { targets } : {}),
      ...(endpointChanged ? { endpointId: input.endpointId } : {}),
    });
  }
  const associated = live(keeper);
  for (const a of associated) {
    // A failed association is taken down; the next run associates the VPC again.
    if (!wanted.has(a.vpcId) || a.status === 'FAILED')
      steps.push({ kind: 'disassociate', ruleId: keeper.id, vpcId: a.vpcId });
  }
  const held = new Set(associated.map((a) => a.vpcId));
  for (const vpcId of wanted) if (!held.has(vpcId)) steps.push({ kind: 'associate', ruleId: keeper.id, vpcId });
  return { kind: 'steps', steps, notes, desired };
}
