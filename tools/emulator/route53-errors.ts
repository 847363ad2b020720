import { randomUUID } from 'node:crypto';
import type { CannedResponse } from './aws-proxy.js';
import { element } from './xml.js';

const ROUTE53_NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

/**
 * Route 53's standard error body:
 * `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId>`.
 */
export function route53ErrorBody(code: string, message: string, requestId: string = randomUUID()): string {
  return (
    `<?xml version="1.0"?>\n<ErrorResponse xmlns="${ROUTE53_NS}"><Error><Type>Sender</Type>${element('Code', code)}` +
    `${element('Message', message)}</Error>${element('RequestId', requestId)}</ErrorResponse>`
  );
}

/** A Route 53 error response (HTTP 400 unless told otherwise), for an interceptor to return. */
export function route53Error(code: string, message: string, status = 400): CannedResponse {
  const requestId = randomUUID();
  return {
    status,
    body: route53ErrorBody(code, message, requestId),
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
  };
}

/** The account-wide rate limit was hit: `Throttling`, "Rate exceeded". The SDK retries it by default. */
export function throttlingError(): CannedResponse {
  return route53Error('Throttling', 'Rate exceeded');
}

/** The hosted zone is still applying an earlier change: `PriorRequestNotComplete`. The SDK retries it by default. */
export function priorRequestNotCompleteError(): CannedResponse {
  return route53Error(
    'PriorRequestNotComplete',
    'The request was rejected because Route 53 was still processing a prior request.',
  );
}

/**
 * A rejected change batch, in the form Route 53 has used since 2024: a standard ErrorResponse whose message lists
 * every problem as `[first, second]`. The SDK surfaces it as an error named `InvalidChangeBatch` with that message.
 */
export function invalidChangeBatchError(messages: readonly string[]): CannedResponse {
  return route53Error('InvalidChangeBatch', `[${messages.join(', ')}]`);
}

/**
 * The older, non-standard form of the same error: root `<InvalidChangeBatch>` holding `<Messages><Message>`. Kept so
 * a test can show what the SDK makes of it: @aws-sdk/client-route-53 3.x finds no `<Code>` and throws an error named
 * `Unknown` (message `UnknownError`), which is why the emulator answers with {@link invalidChangeBatchError}.
 */
export function legacyInvalidChangeBatchBody(messages: readonly string[], requestId: string = randomUUID()): string {
  const list = messages.map((message) => element('Message', message)).join('');
  return (
    `<?xml version="1.0"?>\n<InvalidChangeBatch xmlns="${ROUTE53_NS}"><Messages>${list}</Messages>` +
    `${element('RequestId', requestId)}</InvalidChangeBatch>`
  );
}

/**
 * An EC2 (query protocol) error response, e.g. `ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503)`.
 */
export function ec2Error(code: string, message: string, status = 400): CannedResponse {
  const requestId = randomUUID();
  return {
    status,
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${element('Code', code)}` +
      `${element('Message', message)}</Error></Errors>${element('RequestID', requestId)}</Response>`,
    headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
  };
}
