/**
 * Route 53 Resolver rules as a request handler for the proxy (aws-proxy.ts), in front of moto 5.2.5, which has rules,
 * associations and tags but not the whole API (each gap pinned in tests/emulator/resolver-moto-quirks.test.ts): no
 * `DELEGATE` type, no UpdateResolverRule, no IPv6 targets, a 500 for a target without `Port`, a second dot on a
 * `DomainName` given with its trailing dot, a 500 when listing rules or associations of which one has no name, pages of
 * 10 by default, and no refusal of two rules for one domain name in one VPC.
 *
 * Every rule lives in moto, so ids, ARNs, tags, associations and "disassociate before delete" stay moto's. A rule is
 * held there as moto can hold it (a `DELEGATE` rule as a `FORWARD` rule for its delegated name, targets left out, a
 * missing name as `''`), and the layer keeps the rule's own settings beside it and answers with them: Create, Get,
 * List, Update and Delete of rules, and Associate and the association reads (names, the one-domain-per-VPC check,
 * paging). Everything else (endpoints, tags, Disassociate's checks) is moto's. One lock serialises the layer's actions.
 *
 * Where AWS's documentation is silent, the layer picks the stricter answer, so code that passes here does not lean on
 * a guess: a DELEGATE rule is read back with its `DelegationRecord` fully qualified (trailing dot, as `DomainName` is)
 * and without a `DomainName`; two rules conflict in a VPC when their DomainName or DelegationRecord is the same name
 * (case and trailing dot aside), whatever their types; a rule's endpoint must be OUTBOUND.
 */
import type { CannedResponse, RequestHandler } from './aws-proxy.js';
import { Mutex } from './mutex.js';
import {
  checkCreate,
  checkName,
  checkTargets,
  type RuleSpec,
  type RuleType,
  ruleMatchName,
  type Target,
} from './resolver-check.js';
import { resolverError, resolverJson, validationError } from './resolver-errors.js';
import { filterRules, pageOf } from './resolver-list.js';
import { asCanned, type Json, motoResolver } from './resolver-moto.js';

/** How the layer answers where AWS's documentation leaves the behaviour open; tests may change it. */
export interface ResolverControl {
  /**
   * CreateResolverRule with a CreatorRequestId already used and the same parameters: `ResourceExistsException` (what
   * moto does, and what a report of the real API shows for endpoints), or `ExistingRule` (the rule created the first
   * time). With other parameters the answer is `ResourceExistsException` either way.
   */
  creatorRequestIdReuse: 'ResourceExistsException' | 'ExistingRule';
}

/** The layer: its request handler, its settings, and a reset that forgets every rule it holds. */
export interface ResolverRules {
  readonly handler: RequestHandler;
  readonly control: ResolverControl;
  reset(): void;
}

interface Held extends RuleSpec {
  readonly modificationTime?: string;
  /** The create's parameters, to tell a retry from another request with the same CreatorRequestId. */
  readonly request: string;
}

type Action = (input: Json) => Promise<CannedResponse>;

export function resolverRules(motoUrl: string): ResolverRules {
  const moto = motoResolver(motoUrl);
  const lock = new Mutex();
  const held = new Map<string, Held>();
  const byCreator = new Map<string, string>();
  const control: ResolverControl = { creatorRequestIdReuse: 'ResourceExistsException' };

  /** A rule as the API returns it: moto's, with the settings the layer holds for it. */
  function present(rule: Json): Json {
    const out: Json = { ...rule };
    if (out.Name === '') delete out.Name;
    const spec = typeof rule.Id === 'string' ? held.get(rule.Id) : undefined;
    if (spec === undefined) return out;
    const set = (member: string, value: unknown) => {
      if (value === undefined) delete out[member];
      else out[member] = value;
    };
    set('RuleType', spec.ruleType);
    set('Name', spec.name);
    set('DomainName', spec.domainName);
    set('DelegationRecord', spec.delegationRecord);
    set('TargetIps', spec.targetIps);
    set('ResolverEndpointId', spec.resolverEndpointId);
    if (spec.modificationTime !== undefined) out.ModificationTime = spec.modificationTime;
    return out;
  }

  const presentAssociation = (association: Json): Json => {
    const { Name, ...rest } = association;
    return Name === '' || Name === undefined ? rest : { ...rest, Name };
  };

  /** The rule as presented, or moto's error answer (ResourceNotFoundException). */
  async function getRule(id: unknown): Promise<{ rule: Json } | { error: CannedResponse }> {
    const answer = await moto.call('GetResolverRule', { ResolverRuleId: id });
    return answer.status === 200 ? { rule: present(answer.json.ResolverRule as Json) } : { error: asCanned(answer) };
  }

  /** A rule's endpoint must exist and be outbound. */
  async function refuseEndpoint(id: string): Promise<CannedResponse | undefined> {
    const answer = await moto.call('GetResolverEndpoint', { ResolverEndpointId: id });
    if (answer.status !== 200) return asCanned(answer);
    const direction = (answer.json.ResolverEndpoint as Json | undefined)?.Direction;
    // Our wording: AWS documents that rules use outbound endpoints, not this error's text.
    if (direction !== 'OUTBOUND') {
      return resolverError('InvalidRequestException', `Resolver endpoint '${id}' is not an outbound endpoint`);
    }
    return undefined;
  }

  const create: Action = async (input) => {
    const checked = checkCreate(input);
    if (!checked.ok) return checked.error;
    const { creatorRequestId, tags, ...spec } = checked.value;
    if (spec.resolverEndpointId !== undefined) {
      const refused = await refuseEndpoint(spec.resolverEndpointId);
      if (refused) return refused;
    }
    const request = JSON.stringify({ ...spec, tags });
    const earlier = byCreator.get(creatorRequestId);
    if (
      earlier !== undefined &&
      control.creatorRequestIdReuse === 'ExistingRule' &&
      held.get(earlier)?.request === request
    ) {
      const found = await getRule(earlier);
      if ('rule' in found) return resolverJson({ ResolverRule: found.rule });
    }
    // moto refuses a CreatorRequestId it holds already with ResourceExistsException.
    const answer = await moto.call('CreateResolverRule', {
      CreatorRequestId: creatorRequestId,
      Name: spec.name ?? '',
      RuleType: spec.ruleType === 'DELEGATE' ? 'FORWARD' : spec.ruleType,
      DomainName: (spec.domainName ?? spec.delegationRecord ?? '').replace(/\.$/, ''),
      ...(spec.resolverEndpointId === undefined ? {} : { ResolverEndpointId: spec.resolverEndpointId }),
      TargetIps: [],
      Tags: tags,
    });
    if (answer.status !== 200) return asCanned(answer);
    const rule = answer.json.ResolverRule as Json;
    held.set(String(rule.Id), { ...spec, request });
    byCreator.set(creatorRequestId, String(rule.Id));
    return resolverJson({ ResolverRule: present(rule) });
  };

  const get: Action = async (input) => {
    const found = await getRule(input.ResolverRuleId);
    return 'rule' in found ? resolverJson({ ResolverRule: found.rule }) : found.error;
  };

  const list: Action = async (input) => {
    const all = await moto.listAll('ListResolverRules', 'ResolverRules');
    if (!Array.isArray(all)) return asCanned(all);
    const filtered = filterRules(all.map(present), input.Filters);
    if (!filtered.ok) return filtered.error;
    const paged = pageOf(filtered.value, input, (rule) => String(rule.Id));
    if (!paged.ok) return paged.error;
    const { page, next, maxResults } = paged.value;
    return resolverJson({ ResolverRules: page, MaxResults: maxResults, ...(next ? { NextToken: next } : {}) });
  };

  const update: Action = async (input) => {
    const { ResolverRuleId: id, Config: config } = input;
    if (typeof id !== 'string') return validationError('resolverRuleId', id, 'not be null');
    if (typeof config !== 'object' || config === null) return validationError('config', config, 'not be null');
    const found = await getRule(id);
    if ('error' in found) return found.error;
    const current = found.rule;
    const ruleType = current.RuleType as RuleType;
    const { Name, TargetIps, ResolverEndpointId } = config as Json;
    const name = checkName(Name);
    if (!name.ok) return name.error;
    let targets: Target[] | undefined;
    if (TargetIps !== undefined) {
      // Our wording: only FORWARD rules have targets (a DELEGATE rule must not be given any, per the API reference).
      if (ruleType !== 'FORWARD') {
        return resolverError(
          'InvalidRequestException',
          `Only a FORWARD rule has target IP addresses; '${id}' is ${ruleType}`,
        );
      }
      const checked = checkTargets(TargetIps);
      if (!checked.ok) return checked.error;
      targets = checked.value;
    }
    if (ResolverEndpointId !== undefined) {
      if (typeof ResolverEndpointId !== 'string')
        return validationError('resolverEndpointId', ResolverEndpointId, 'be a string');
      if (ruleType === 'SYSTEM') {
        return resolverError(
          'InvalidRequestException',
          'Cannot specify resolver endpoint ID and target IP for SYSTEM type resolver rule',
        );
      }
      const refused = await refuseEndpoint(ResolverEndpointId);
      if (refused) return refused;
    }
    const base: Held = held.get(id) ?? {
      ruleType,
      name: current.Name as string | undefined,
      domainName: current.DomainName as string | undefined,
      targetIps: current.TargetIps as Target[] | undefined,
      resolverEndpointId: current.ResolverEndpointId as string | undefined,
      request: '',
    };
    held.set(id, {
      ...base,
      ...(name.value === undefined ? {} : { name: name.value }),
      ...(targets === undefined ? {} : { targetIps: targets }),
      ...(ResolverEndpointId === undefined ? {} : { resolverEndpointId: ResolverEndpointId }),
      modificationTime: new Date().toISOString(),
    });
    return get({ ResolverRuleId: id });
  };

  const remove: Action = async (input) => {
    const answer = await moto.call('DeleteResolverRule', input);
    if (answer.status !== 200) return asCanned(answer);
    const rule = present(answer.json.ResolverRule as Json);
    held.delete(String(rule.Id));
    for (const [creator, id] of byCreator) if (id === rule.Id) byCreator.delete(creator);
    return resolverJson({ ResolverRule: rule });
  };

  const associate: Action = async (input) => {
    const { ResolverRuleId: id, VPCId: vpcId } = input;
    const name = checkName(input.Name);
    if (!name.ok) return name.error;
    const found = await getRule(id);
    if ('error' in found) return found.error;
    if (typeof vpcId === 'string') {
      const refused = await refuseSameDomain(String(id), ruleMatchName(found.rule), vpcId);
      if (refused) return refused;
    }
    const answer = await moto.call('AssociateResolverRule', { ...input, Name: name.value ?? '' });
    if (answer.status !== 200) return asCanned(answer);
    return resolverJson({ ResolverRuleAssociation: presentAssociation(answer.json.ResolverRuleAssociation as Json) });
  };

  /** AWS refuses a second rule for one domain name in one VPC (RSLVR-00802); moto only refuses the same rule twice. */
  async function refuseSameDomain(id: string, domain: string | undefined, vpcId: string) {
    const filters = { Filters: [{ Name: 'VPCId', Values: [vpcId] }] };
    const associations = await moto.listAll('ListResolverRuleAssociations', 'ResolverRuleAssociations', filters);
    if (!Array.isArray(associations)) return asCanned(associations);
    for (const association of associations) {
      if (association.ResolverRuleId === id) continue;
      const other = await getRule(association.ResolverRuleId);
      if ('rule' in other && domain !== undefined && ruleMatchName(other.rule) === domain) {
        const message = `[RSLVR-00802] Cannot associate rules with same domain name with same VPC. Conflict with resolver rule "${String(other.rule.Id)}"`;
        return resolverError('InvalidRequestException', message);
      }
    }
    return undefined;
  }

  /** Disassociate and GetResolverRuleAssociation: moto's answer, with the association as the API shows it. */
  const association =
    (action: string): Action =>
    async (input) => {
      const answer = await moto.call(action, input);
      if (answer.status !== 200) return asCanned(answer);
      return resolverJson({ ResolverRuleAssociation: presentAssociation(answer.json.ResolverRuleAssociation as Json) });
    };

  const listAssociations: Action = async (input) => {
    const key = 'ResolverRuleAssociations';
    const all = await moto.listAll(
      'ListResolverRuleAssociations',
      key,
      input.Filters ? { Filters: input.Filters } : {},
    );
    if (!Array.isArray(all)) return asCanned(all);
    const paged = pageOf(all.map(presentAssociation), input, (item) => String(item.Id));
    if (!paged.ok) return paged.error;
    const { page, next, maxResults } = paged.value;
    return resolverJson({ [key]: page, MaxResults: maxResults, ...(next ? { NextToken: next } : {}) });
  };

  const actions: Record<string, Action> = {
    CreateResolverRule: create,
    GetResolverRule: get,
    ListResolverRules: list,
    UpdateResolverRule: update,
    DeleteResolverRule: remove,
    AssociateResolverRule: associate,
    DisassociateResolverRule: association('DisassociateResolverRule'),
    GetResolverRuleAssociation: association('GetResolverRuleAssociation'),
    ListResolverRuleAssociations: listAssociations,
  };

  const handler: RequestHandler = async (ctx) => {
    const action = ctx.service === 'route53resolver' ? actions[ctx.action] : undefined;
    const input = action === undefined ? undefined : parseObject(ctx.body);
    // Anything else, and a body that is not a JSON object, is moto's to answer.
    if (action === undefined || input === undefined) return undefined;
    return lock.run(() => action(input));
  };

  return {
    handler,
    control,
    reset: () => {
      held.clear();
      byCreator.clear();
      control.creatorRequestIdReuse = 'ResourceExistsException';
    },
  };
}

function parseObject(body: string): Json | undefined {
  try {
    const parsed: unknown = JSON.parse(body === '' ? '{}' : body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : undefined;
  } catch {
    return undefined;
  }
}
