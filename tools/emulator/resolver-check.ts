/**
 * The Resolver rule inputs the real API accepts, as pure checks (no moto, no state). Shapes and limits from the service
 * model and AWS's API reference; messages quoted from AWS where it documents them (the DELEGATE-with-targets message,
 * RSLVR-00718), else from moto, else ours, said where they are ours. Bad input gets the error the API names for it:
 * `ValidationException` for a member outside its shape, `InvalidRequestException` for a combination the rule type
 * does not allow, `InvalidParameterException` for a bad address, `LimitExceededException` past 6 targets.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { CannedResponse } from './aws-proxy.js';
import { resolverError, validationError } from './resolver-errors.js';

export const RULE_TYPES = ['FORWARD', 'SYSTEM', 'RECURSIVE', 'DELEGATE'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** Target IP addresses per rule: 6, not adjustable (Resolver quotas). */
export const MAX_TARGETS = 6;

/** One target of a FORWARD rule (TargetAddress). */
export interface Target {
  Ip?: string;
  Ipv6?: string;
  Port?: number;
  Protocol?: string;
  ServerNameIndication?: string;
}

/** A rule's own settings, checked: names are fully qualified (one trailing dot). */
export interface RuleSpec {
  readonly ruleType: RuleType;
  readonly name?: string | undefined;
  readonly domainName?: string | undefined;
  readonly delegationRecord?: string | undefined;
  readonly targetIps?: Target[] | undefined;
  readonly resolverEndpointId?: string | undefined;
}

/** CreateResolverRule's input, checked. */
export interface CreateSpec extends RuleSpec {
  readonly creatorRequestId: string;
  readonly tags: unknown[];
}

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: CannedResponse };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(error: CannedResponse): Checked<T> => ({ ok: false, error });
const invalidRequest = <T>(message: string): Checked<T> => fail(resolverError('InvalidRequestException', message));

// The service model's `Name` pattern, anchored.
const NAME_PATTERN = /^(?!^[0-9]+$)([a-zA-Z0-9\-_' ']+)$/;

/** `c1.example.com` and `c1.example.com.` are one name; the API reads names back with the trailing dot. */
export const fqdn = (name: string): string => (name.endsWith('.') ? name : `${name}.`);

/** The name a rule answers for, to compare rules: DomainName, or a DELEGATE rule's DelegationRecord. */
export const ruleMatchName = (rule: { DomainName?: unknown; DelegationRecord?: unknown }): string | undefined => {
  const name = rule.DomainName ?? rule.DelegationRecord;
  return typeof name === 'string' ? fqdn(name).toLowerCase() : undefined;
};

/** A rule or association name: up to 64 characters of the model's pattern. */
export function checkName(name: unknown, member = 'name'): Checked<string | undefined> {
  if (name === undefined) return ok(undefined);
  if (typeof name !== 'string' || name.length > 64)
    return fail(validationError(member, name, 'have length less than or equal to 64'));
  if (name !== '' && !NAME_PATTERN.test(name)) {
    return fail(validationError(member, name, `satisfy regular expression pattern: ${NAME_PATTERN.source}`));
  }
  return ok(name);
}

function checkDomain(value: unknown, member: string): Checked<string | undefined> {
  if (value === undefined) return ok(undefined);
  if (typeof value !== 'string' || value.length < 1 || value.length > 256) {
    return fail(validationError(member, value, 'have length less than or equal to 256 and greater than or equal to 1'));
  }
  return ok(fqdn(value));
}

/** TargetIps: 1 to 6 addresses, each IPv4 (`Ip`) or IPv6 (`Ipv6`), all of one family. */
export function checkTargets(value: unknown): Checked<Target[]> {
  if (!Array.isArray(value) || value.length < 1) {
    return fail(validationError('targetIps', JSON.stringify(value), 'have length greater than or equal to 1'));
  }
  // Our wording: the quota is documented, its error's text is not.
  if (value.length > MAX_TARGETS) {
    return fail(resolverError('LimitExceededException', `A rule can have at most ${MAX_TARGETS} target IP addresses`));
  }
  const targets: Target[] = [];
  for (const [i, raw] of value.entries()) {
    const target = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const { Ip, Ipv6, Port, Protocol, ServerNameIndication } = target;
    if ((Ip === undefined) === (Ipv6 === undefined)) return invalidRequest('A target address needs one of Ip and Ipv6');
    if (Ip !== undefined && (typeof Ip !== 'string' || !isIPv4(Ip))) {
      return fail(
        resolverError('InvalidParameterException', `Invalid IPv4 address: '${String(Ip)}'`, { FieldName: 'Ip' }),
      );
    }
    if (Ipv6 !== undefined && (typeof Ipv6 !== 'string' || !isIPv6(Ipv6))) {
      return fail(
        resolverError('InvalidParameterException', `Invalid IPv6 address: '${String(Ipv6)}'`, { FieldName: 'Ipv6' }),
      );
    }
    if (Port !== undefined && (typeof Port !== 'number' || !Number.isInteger(Port) || Port < 0 || Port > 65535)) {
      return fail(validationError(`targetIps.${i + 1}.member.port`, Port, 'have value less than or equal to 65535'));
    }
    targets.push({
      ...(typeof Ip === 'string' ? { Ip } : {}),
      ...(typeof Ipv6 === 'string' ? { Ipv6 } : {}),
      ...(typeof Port === 'number' ? { Port } : {}),
      ...(typeof Protocol === 'string' ? { Protocol } : {}),
      ...(typeof ServerNameIndication === 'string' ? { ServerNameIndication } : {}),
    });
  }
  if (targets.some((t) => t.Ip) && targets.some((t) => t.Ipv6)) {
    return invalidRequest('You can specify either IPv4 or IPv6 addresses but not both in the same rule');
  }
  return ok(targets);
}

/** CreateResolverRule's input, as the real API judges it (before it looks at the endpoint or existing rules). */
export function checkCreate(input: Record<string, unknown>): Checked<CreateSpec> {
  const { CreatorRequestId, RuleType, ResolverEndpointId, TargetIps, Tags } = input;
  if (typeof CreatorRequestId !== 'string' || CreatorRequestId.length < 1 || CreatorRequestId.length > 255) {
    return fail(validationError('creatorRequestId', CreatorRequestId, 'have length less than or equal to 255'));
  }
  if (!RULE_TYPES.includes(RuleType as RuleType)) {
    return fail(validationError('ruleType', RuleType, `satisfy enum value set: [${RULE_TYPES.join(', ')}]`));
  }
  const ruleType = RuleType as RuleType;
  const name = checkName(input.Name);
  if (!name.ok) return fail(name.error);
  const domainName = checkDomain(input.DomainName, 'domainName');
  if (!domainName.ok) return fail(domainName.error);
  const delegationRecord = checkDomain(input.DelegationRecord, 'delegationRecord');
  if (!delegationRecord.ok) return fail(delegationRecord.error);
  const endpointId = typeof ResolverEndpointId === 'string' ? ResolverEndpointId : undefined;

  if (ruleType === 'RECURSIVE') return invalidRequest('[RSLVR-00718] Cannot create a rule with type RECURSIVE');
  if (ruleType === 'DELEGATE') {
    // AWS's text for this one (CreateResolverRule, TargetIps); the next three are ours.
    if (TargetIps !== undefined) return invalidRequest('Delegate resolver rules need to specify a nameserver name');
    if (delegationRecord.value === undefined) return invalidRequest('A DELEGATE rule needs a DelegationRecord');
    if (domainName.value !== undefined)
      return invalidRequest('A DELEGATE rule takes a DelegationRecord, not a DomainName');
    if (endpointId === undefined) return invalidRequest('A DELEGATE rule needs an outbound ResolverEndpointId');
  } else {
    if (delegationRecord.value !== undefined) return invalidRequest('Only a DELEGATE rule takes a DelegationRecord');
    if (domainName.value === undefined) return invalidRequest(`A ${ruleType} rule needs a DomainName`);
    if (ruleType === 'SYSTEM' && (TargetIps !== undefined || endpointId !== undefined)) {
      // moto's wording.
      return invalidRequest('Cannot specify resolver endpoint ID and target IP for SYSTEM type resolver rule');
    }
  }
  const targets = TargetIps === undefined ? ok(undefined) : checkTargets(TargetIps);
  if (!targets.ok) return fail(targets.error);
  return ok({
    creatorRequestId: CreatorRequestId,
    ruleType,
    name: name.value,
    domainName: domainName.value,
    delegationRecord: delegationRecord.value,
    targetIps: targets.value,
    resolverEndpointId: endpointId,
    tags: Array.isArray(Tags) ? Tags : [],
  });
}
