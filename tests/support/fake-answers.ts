/**
 * Real SDK clients answered by a fake HTTP handler instead of the network: the whole middleware stack runs (retries,
 * pacing, error classification), and each request gets the next canned answer. For unit tests of lib/platform/clients.ts and
 * lib/platform/aws-errors.ts; integration tests use the emulator (route53-rules.ts).
 */
import { expect, vi } from 'vitest';

export interface FakeResponse {
  readonly status: number;
  readonly body: string;
}

/** A Route 53 (REST-XML) error answer. */
export const route53Answer = (code: string, status = 400, message = code): FakeResponse => ({
  status,
  body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error></ErrorResponse>`,
});

/** An EC2 (query protocol) error answer. */
export const ec2Answer = (code: string, status = 400, message = code): FakeResponse => ({
  status,
  body: `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors></Response>`,
});

export const noHostedZones: FakeResponse = {
  status: 200,
  body: '<ListHostedZonesResponse><HostedZones/><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>',
};

export const noReservations: FakeResponse = {
  status: 200,
  body: '<DescribeInstancesResponse><reservationSet/></DescribeInstancesResponse>',
};

/**
 * Answers the client's requests with these responses, in order (the last one repeats); an Error in the list is thrown
 * by the handler instead, as a network failure would be. Counts the requests.
 */
export function answerWith(
  client: { config: object },
  responses: readonly (FakeResponse | Error)[],
): { requests: number } {
  const seen = { requests: 0 };
  const requestHandler = {
    handle: async () => {
      const next = responses[Math.min(seen.requests, responses.length - 1)] as FakeResponse | Error;
      seen.requests += 1;
      if (next instanceof Error) throw next;
      return {
        response: {
          statusCode: next.status,
          headers: { 'content-type': 'text/xml' },
          body: new TextEncoder().encode(next.body),
        },
      };
    },
  };
  Object.assign(client.config, { requestHandler });
  return seen;
}

/**
 * Checks that the client retries adaptively, then takes the waiting out: full jitter over a backoff that a random of
 * 0 makes zero, and the adaptive rate limiter (which, once throttled, refills at 0.5 token/s and up) replaced by one
 * that never waits. Its effect on a burst is measured by the benchmark, not here.
 */
export async function withoutWaiting(client: { config: { retryStrategy: () => Promise<unknown> } }): Promise<void> {
  const strategy = (await client.config.retryStrategy()) as { mode: string; rateLimiter: unknown };
  expect(strategy.mode).toBe('adaptive');
  strategy.rateLimiter = { getSendToken: async () => {}, updateClientSendingRate: () => {} };
  vi.spyOn(Math, 'random').mockReturnValue(0);
}
