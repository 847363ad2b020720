/**
 * STS AssumeRole as AWS refuses it, as a request handler for the proxy (aws-proxy.ts). moto assumes any role, trusted
 * or not, existing or not, with any external id (pinned in tests/emulator/moto-accounts.test.ts); the product must be
 * tested against a role that cannot be assumed. So the handler reads the role from moto's IAM, the caller from moto's
 * STS and Organizations, and judges the role's trust policy (trust-policy.ts): a call the policy does not allow, or a
 * role that does not exist, gets STS's own refusal (HTTP 403 `AccessDenied`, "User: … is not authorized to perform:
 * sts:AssumeRole on resource: …"); an allowed call goes on to moto, which issues the credentials.
 */
import { randomUUID } from 'node:crypto';
import type { CannedResponse, RequestContext, RequestHandler } from './aws-proxy.js';
import { request } from './http.js';
import { callerHeaders, MOTO_ACCOUNT_HEADER } from './identity.js';
import { type AssumeRoleCall, trustAllows } from './trust-policy.js';
import { element, textOf } from './xml.js';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_ARN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

/** An STS (query protocol) error response. */
export function stsError(code: string, message: string, status = 400): CannedResponse {
  const requestId = randomUUID();
  return {
    status,
    body:
      `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type>${element('Code', code)}` +
      `${element('Message', message)}</Error>${element('RequestId', requestId)}</ErrorResponse>`,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
  };
}

/** STS's refusal of an AssumeRole the trust policy does not allow (or of a role that does not exist). */
export function assumeRoleDenied(callerArn: string, roleArn: string): CannedResponse {
  return stsError(
    'AccessDenied',
    `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    403,
  );
}

/** The handler that refuses the AssumeRole calls AWS would refuse, on top of moto at `motoUrl`. */
export function stsTrust(motoUrl: string): RequestHandler {
  const query = (headers: Record<string, string>, params: Record<string, string>) =>
    request(`${motoUrl}/`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams(params).toString(),
    });

  async function caller(ctx: RequestContext): Promise<{ account: string; arn: string }> {
    const res = await query(callerHeaders(ctx.headers, 'sts'), { Action: 'GetCallerIdentity', Version: '2011-06-15' });
    const body = res.body.toString();
    const account = textOf(body, 'Account');
    const arn = textOf(body, 'Arn');
    if (res.status !== 200 || !account || !arn) throw new Error(`moto GetCallerIdentity failed: ${body}`);
    return { account, arn };
  }

  /** The role's trust policy, or undefined when the role does not exist. */
  async function trustPolicy(ctx: RequestContext, account: string, name: string): Promise<unknown> {
    const headers = { ...callerHeaders(ctx.headers, 'iam'), [MOTO_ACCOUNT_HEADER]: account };
    const res = await query(headers, { Action: 'GetRole', RoleName: name, Version: '2010-05-08' });
    const body = res.body.toString();
    if (res.status === 404 || textOf(body, 'Code') === 'NoSuchEntity') return undefined;
    const document = textOf(body, 'AssumeRolePolicyDocument');
    if (res.status !== 200 || document === undefined) throw new Error(`moto GetRole failed: ${body}`);
    return JSON.parse(decodeURIComponent(document));
  }

  async function orgIdOf(ctx: RequestContext, account: string): Promise<string | undefined> {
    const res = await request(`${motoUrl}/`, {
      method: 'POST',
      headers: {
        ...callerHeaders(ctx.headers, 'organizations'),
        [MOTO_ACCOUNT_HEADER]: account,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSOrganizationsV20161128.DescribeOrganization',
      },
      body: '{}',
    });
    if (res.status !== 200) return undefined; // AWSOrganizationsNotInUseException: the account is in no organization.
    return (JSON.parse(res.body.toString()) as { Organization?: { Id?: string } }).Organization?.Id;
  }

  async function assumeRole(ctx: RequestContext): Promise<CannedResponse | undefined> {
    const params = new URLSearchParams(ctx.body);
    const roleArn = params.get('RoleArn') ?? '';
    const role = ROLE_ARN.exec(roleArn);
    if (!role) return undefined; // Malformed: moto's own validation answers.
    const [, , roleAccount = '', roleName = ''] = role;
    const { account, arn } = await caller(ctx);
    const policy = await trustPolicy(ctx, roleAccount, roleName);
    if (policy === undefined) return assumeRoleDenied(arn, roleArn);
    // A role session is its role as a principal (aws:PrincipalArn, and the ARN a trust policy names).
    const session = SESSION_ARN.exec(arn);
    const principalArn = session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : arn;
    const orgId = await orgIdOf(ctx, account);
    const externalId = params.get('ExternalId');
    const call: AssumeRoleCall = {
      account,
      principalArn,
      ...(orgId === undefined ? {} : { orgId }),
      ...(externalId === null ? {} : { externalId }),
    };
    return trustAllows(policy, call) ? undefined : assumeRoleDenied(arn, roleArn);
  }

  return async (ctx) => (ctx.service === 'sts' && ctx.action === 'AssumeRole' ? assumeRole(ctx) : undefined);
}
