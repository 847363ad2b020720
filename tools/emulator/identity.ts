/**
 * Who a request to moto comes from. moto 5.2.5 (moto/core/responses.py, `get_current_account`) takes a request's
 * account from, in order: the MOTO_ACCOUNT_ID environment variable of the server (which we never set: it would make
 * every request one account); an `x-moto-account-id` header; the account that holds the access key id named in the
 * SigV4 `Authorization` header (an IAM user's key, or a temporary key from STS AssumeRole, which moto files under the
 * role's account); else 123456789012. It never checks a signature. So the emulator forwards the caller's own
 * Authorization header whenever it talks to moto on the caller's behalf: otherwise moto would answer for 123456789012.
 */

/** The header moto reads the account from, ahead of the access key. Only the emulator's own set-up calls send it. */
export const MOTO_ACCOUNT_HEADER = 'x-moto-account-id';

/** moto's account for a request whose key it does not know (or with no key at all). */
export const MOTO_DEFAULT_ACCOUNT = '123456789012';

/**
 * An Authorization header moto accepts for `service` as sent by `accessKeyId` (moto routes by the credential scope's
 * service and never checks the signature).
 */
export function unsignedAuthorization(accessKeyId: string, service: string): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

/** The access key id a SigV4 Authorization header names, if any. */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

/**
 * The headers that tell moto who the caller of `headers` is, re-scoped to `service` (moto routes by the scope): the
 * caller's access key, and its account header when it sent one.
 */
export function callerHeaders(headers: Record<string, string>, service: string): Record<string, string> {
  const accessKeyId = accessKeyIdOf(headers.authorization) ?? 'testing';
  const account = headers[MOTO_ACCOUNT_HEADER];
  return {
    authorization: unsignedAuthorization(accessKeyId, service),
    ...(account === undefined ? {} : { [MOTO_ACCOUNT_HEADER]: account }),
  };
}
