/**
 * Route 53 Resolver answers in AWS's JSON protocol (1.1): a JSON body, and for an error HTTP 400 with
 * `{"__type": "<Code>", "Message": "…"}` plus the exception's own members (`FieldName` for InvalidParameterException,
 * `ResourceType` for the resource errors). The SDK names the error after `__type`.
 */
import { randomUUID } from 'node:crypto';
import type { CannedResponse } from './aws-proxy.js';

const JSON_1_1 = 'application/x-amz-json-1.1';

/** A successful Resolver answer. */
export function resolverJson(body: unknown): CannedResponse {
  return { status: 200, body: JSON.stringify(body), headers: { 'content-type': JSON_1_1 } };
}

/** A Resolver error, e.g. `resolverError('ResourceNotFoundException', 'Resolver rule … does not exist')`. */
export function resolverError(
  code: string,
  message: string,
  members: Record<string, string> = {},
  status = 400,
): CannedResponse {
  const requestId = randomUUID();
  return {
    status,
    body: JSON.stringify({ __type: code, Message: message, ...members }),
    headers: { 'content-type': JSON_1_1, 'x-amzn-requestid': requestId },
  };
}

/** The Resolver's rate limit (5 requests per second per account and Region) was hit. The SDK retries it by default. */
export function resolverThrottlingError(): CannedResponse {
  return resolverError('ThrottlingException', 'Rate exceeded');
}

/** A member breaks its shape's constraints: the protocol's own `ValidationException`, as AWS words it. */
export function validationError(member: string, value: unknown, constraint: string): CannedResponse {
  return resolverError(
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must ${constraint}`,
  );
}
