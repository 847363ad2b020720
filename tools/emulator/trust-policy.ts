/**
 * Whether a role's trust policy lets a caller assume it: the part of IAM's evaluation that moto skips (it assumes any
 * role, pinned in tests/emulator/moto-accounts.test.ts). Enough of the policy language for trust policies such as
 * dns-account/serverless.yml writes: Allow and Deny statements; `Principal` `*` or `{ AWS }` naming accounts
 * (`111111111111`, `arn:…:iam::111111111111:root`) or principal ARNs; `Action` with `*` wildcards; the condition
 * operators StringEquals, StringLike, ArnEquals and ArnLike on sts:ExternalId, aws:PrincipalOrgID,
 * aws:PrincipalAccount and aws:PrincipalArn. Anything else throws: a test must not pass on a policy the emulator
 * reads differently from AWS. A Deny that matches wins; else an Allow that matches grants; else the call is refused.
 *
 * Not evaluated (AWS evaluates them, moto has none of them): the caller's own identity policy (which must allow
 * sts:AssumeRole on the role in a cross-account call), permission boundaries, SCPs and RCPs.
 */

/** What IAM knows about an AssumeRole call when it reads the trust policy. */
export interface AssumeRoleCall {
  /** The caller's account. */
  account: string;
  /** The caller's principal ARN: a user's ARN, or the role's ARN for a role session (as aws:PrincipalArn). */
  principalArn: string;
  /** The caller's organization id, when its account is in one. */
  orgId?: string;
  /** The ExternalId the call carries, if any. */
  externalId?: string;
}

type Values = string | string[];

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  Condition?: Record<string, Record<string, Values>>;
  [element: string]: unknown;
}

const SUPPORTED_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'Action', 'Condition']);

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** IAM's `*` and `?` wildcards, anchored. */
function glob(pattern: string, flags = ''): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, flags);
}

function principalMatches(principal: unknown, call: AssumeRoleCall): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) throw new Error(`unsupported Principal ${principal}`);
  // A Service or Federated principal is another kind of caller: it never matches a signed-in IAM principal.
  return list((principal as { AWS?: unknown }).AWS).some((entry) => {
    if (entry === '*') return true;
    if (typeof entry !== 'string') throw new Error(`unsupported Principal entry ${JSON.stringify(entry)}`);
    const account = /^(\d{12})$|^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(entry);
    if (account) return (account[1] ?? account[2]) === call.account;
    return entry === call.principalArn;
  });
}

/** The value of a condition key in this call, or undefined when the request has no such key. */
function contextValue(key: string, call: AssumeRoleCall): string | undefined {
  switch (key.toLowerCase()) {
    case 'sts:externalid':
      return call.externalId;
    case 'aws:principalorgid':
      return call.orgId;
    case 'aws:principalaccount':
      return call.account;
    case 'aws:principalarn':
      return call.principalArn;
    default:
      throw new Error(`the emulator's trust check does not know the condition key ${key}`);
  }
}

const OPERATORS: Record<string, (value: string, expected: string) => boolean> = {
  stringequals: (value, expected) => value === expected,
  stringlike: (value, expected) => glob(expected).test(value),
  arnequals: (value, expected) => value === expected,
  arnlike: (value, expected) => glob(expected).test(value),
};

function conditionsHold(conditions: Statement['Condition'], call: AssumeRoleCall): boolean {
  return Object.entries(conditions ?? {}).every(([operator, keys]) => {
    const test = OPERATORS[operator.toLowerCase()];
    if (!test) throw new Error(`the emulator's trust check does not evaluate the condition operator ${operator}`);
    // Every key must hold; a key holds when its (single) value matches any of the listed values.
    return Object.entries(keys).every(([key, expected]) => {
      const value = contextValue(key, call);
      return value !== undefined && list(expected).some((one) => test(value, String(one)));
    });
  });
}

function statementMatches(statement: Statement, call: AssumeRoleCall): boolean {
  for (const element of Object.keys(statement)) {
    if (!SUPPORTED_ELEMENTS.has(element)) throw new Error(`the emulator's trust check does not evaluate ${element}`);
  }
  const actionMatches = list(statement.Action).some((action) => glob(String(action), 'i').test('sts:AssumeRole'));
  return actionMatches && principalMatches(statement.Principal, call) && conditionsHold(statement.Condition, call);
}

/**
 * Whether the trust policy (the parsed AssumeRolePolicyDocument) lets this call assume the role.
 *
 * @throws on a policy element, condition operator or condition key this evaluator does not implement.
 */
export function trustAllows(policy: unknown, call: AssumeRoleCall): boolean {
  const statements = list((policy as { Statement?: unknown } | null)?.Statement) as Statement[];
  const matching = statements.filter((statement) => statementMatches(statement, call));
  if (matching.some((statement) => statement.Effect === 'Deny')) return false;
  return matching.some((statement) => statement.Effect === 'Allow');
}
