/**
 * More than one AWS account in one emulator: credentials of an IAM user in a given account, and roles in it. moto
 * keeps every account apart (zones, instances, roles) and tells them apart by the caller's access key (identity.ts),
 * so a test holds one set of credentials per account, as a real multi-account set-up does:
 *
 * ```ts
 * const dnsAccount = await accountCredentials(emulator.endpoint, '222222222222');
 * const roleArn = await createRole(emulator.endpoint, dnsAccount, 'rlec-dns-test', trustAccounts(['111111111111']));
 * ```
 *
 * IAM is spoken here as plain query requests: the project has no IAM client, and these two calls are all it needs.
 * moto wipes the users, keys and roles with the rest on `emulator.reset()`: create them again after it.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { request } from './http.js';
import { MOTO_ACCOUNT_HEADER, unsignedAuthorization } from './identity.js';
import { textOf } from './xml.js';

/** A trust policy document (the role's AssumeRolePolicyDocument). */
export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: TrustStatement[];
}

export interface TrustStatement {
  Effect: 'Allow' | 'Deny';
  Principal: '*' | { AWS: string | string[] };
  Action: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

async function iam(endpoint: string, headers: Record<string, string>, params: Record<string, string>): Promise<string> {
  const res = await request(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
    body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
  });
  const body = res.body.toString();
  if (res.status !== 200) throw new Error(`IAM ${params.Action} failed: HTTP ${res.status} ${body}`);
  return body;
}

/**
 * Long-term credentials of a new IAM user in `account` (the first call for an account creates it in moto). Calls
 * made with them act in that account.
 */
export async function accountCredentials(
  endpoint: string,
  account: string,
  userName = 'rlec-dns-test',
): Promise<AwsCredentialIdentity> {
  // The key does not exist yet: name the account in moto's header, this once.
  const headers = { authorization: unsignedAuthorization('testing', 'iam'), [MOTO_ACCOUNT_HEADER]: account };
  await iam(endpoint, headers, { Action: 'CreateUser', UserName: userName });
  const body = await iam(endpoint, headers, { Action: 'CreateAccessKey', UserName: userName });
  const accessKeyId = textOf(body, 'AccessKeyId');
  const secretAccessKey = textOf(body, 'SecretAccessKey');
  if (!accessKeyId || !secretAccessKey) throw new Error(`IAM CreateAccessKey returned no key: ${body}`);
  return { accessKeyId, secretAccessKey };
}

/** Creates a role with this trust policy in the account of `credentials`; returns its ARN. */
export async function createRole(
  endpoint: string,
  credentials: AwsCredentialIdentity,
  roleName: string,
  trustPolicy: TrustPolicy,
): Promise<string> {
  const body = await iam(
    endpoint,
    { authorization: unsignedAuthorization(credentials.accessKeyId, 'iam') },
    { Action: 'CreateRole', RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trustPolicy) },
  );
  const arn = textOf(body, 'Arn');
  if (!arn) throw new Error(`IAM CreateRole returned no Arn: ${body}`);
  return arn;
}

/**
 * Makes the account of `credentials` the management account of a new AWS Organization; returns the organization's
 * id (`o-…`), the value of aws:PrincipalOrgID for its callers.
 */
export async function createOrganization(endpoint: string, credentials: AwsCredentialIdentity): Promise<string> {
  const res = await request(`${endpoint}/`, {
    method: 'POST',
    headers: {
      authorization: unsignedAuthorization(credentials.accessKeyId, 'organizations'),
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSOrganizationsV20161128.CreateOrganization',
    },
    body: JSON.stringify({ FeatureSet: 'ALL' }),
  });
  const body = res.body.toString();
  const id = res.status === 200 ? (JSON.parse(body) as { Organization?: { Id?: string } }).Organization?.Id : undefined;
  if (!id) throw new Error(`Organizations CreateOrganization failed: HTTP ${res.status} ${body}`);
  return id;
}

/** A trust policy letting these accounts assume the role, with this external id when one is given. */
export function trustAccounts(accounts: readonly string[], externalId?: string): TrustPolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: accounts.map((account) => `arn:aws:iam::${account}:root`) },
        Action: 'sts:AssumeRole',
        ...(externalId === undefined ? {} : { Condition: { StringEquals: { 'sts:ExternalId': externalId } } }),
      },
    ],
  };
}

/** A trust policy letting any principal of this organization assume the role. */
export function trustOrganization(orgId: string): TrustPolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } },
      },
    ],
  };
}
