/**
 * The default clients against a fake HTTP handler: which errors the SDK retries by itself, and that every Route 53
 * request, retries included, is paced.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../lib/clients.js';
import { ConfigError } from '../../lib/errors.js';
import { TokenBucket } from '../../lib/pacing.js';

interface FakeResponse {
  readonly status: number;
  readonly body: string;
}

const route53Error = (code: string): FakeResponse => ({
  status: 400,
  body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${code}</Message></Error></ErrorResponse>`,
});
const noHostedZones: FakeResponse = {
  status: 200,
  body: '<ListHostedZonesResponse><HostedZones/><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>',
};
const ec2Error = (code: string): FakeResponse => ({
  status: 503,
  body: `<Response><Errors><Error><Code>${code}</Code><Message>${code}</Message></Error></Errors></Response>`,
});
const noReservations: FakeResponse = {
  status: 200,
  body: '<DescribeInstancesResponse><reservationSet/></DescribeInstancesResponse>',
};

/** Answers the client's requests with these responses, in order; counts the requests. */
function answerWith(client: { config: object }, responses: readonly FakeResponse[]): { requests: number } {
  const seen = { requests: 0 };
  const requestHandler = {
    handle: async () => {
      const next = responses[Math.min(seen.requests, responses.length - 1)] as FakeResponse;
      seen.requests += 1;
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
async function withoutWaiting(client: { config: { retryStrategy: () => Promise<unknown> } }): Promise<void> {
  const strategy = (await client.config.retryStrategy()) as { mode: string; rateLimiter: unknown };
  expect(strategy.mode).toBe('adaptive');
  strategy.rateLimiter = { getSendToken: async () => {}, updateClientSendingRate: () => {} };
  vi.spyOn(Math, 'random').mockReturnValue(0);
}

beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
  vi.stubEnv('AWS_ENDPOINT_URL', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('createClients', () => {
  it.each(['Throttling', 'PriorRequestNotComplete'])('retries Route 53 %s until the call succeeds', async (code) => {
    // Prepare
    const { route53 } = createClients({ region: 'us-east-1' });
    const seen = answerWith(route53, [route53Error(code), route53Error(code), noHostedZones]);
    await withoutWaiting(route53);

    // Act
    const out = await route53.send(new ListHostedZonesCommand({}));

    // Assess
    expect(out.HostedZones).toEqual([]);
    expect(seen.requests).toBe(3);
  });

  it('retries EC2 RequestLimitExceeded until the call succeeds', async () => {
    // Prepare
    const { ec2 } = createClients({ region: 'us-east-1' });
    const seen = answerWith(ec2, [ec2Error('RequestLimitExceeded'), noReservations]);
    await withoutWaiting(ec2);

    // Act
    await ec2.send(new DescribeInstancesCommand({}));

    // Assess
    expect(seen.requests).toBe(2);
  });

  it('gives up after 8 attempts, with the throttling error', async () => {
    // Prepare
    const { route53 } = createClients({ region: 'us-east-1', route53Pacing: false });
    const seen = answerWith(route53, [route53Error('Throttling')]);
    await withoutWaiting(route53);

    // Act & Assess
    await expect(route53.send(new ListHostedZonesCommand({}))).rejects.toThrow(
      expect.objectContaining({ name: 'Throttling' }),
    );
    expect(seen.requests).toBe(8);
  });

  it('does not retry an error that retrying cannot fix', async () => {
    // Prepare
    const { route53 } = createClients({ region: 'us-east-1' });
    const seen = answerWith(route53, [route53Error('InvalidInput')]);

    // Act & Assess
    await expect(route53.send(new ListHostedZonesCommand({}))).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidInput' }),
    );
    expect(seen.requests).toBe(1);
  });

  it('makes every Route 53 request, retries included, take a token from the pacing bucket', async () => {
    // Prepare
    const bucket = new TokenBucket({ ratePerSecond: 1000, burst: 10 });
    const take = vi.spyOn(bucket, 'take');
    const { route53 } = createClients({ region: 'us-east-1', route53Pacing: bucket });
    answerWith(route53, [route53Error('Throttling'), noHostedZones]);
    await withoutWaiting(route53);

    // Act
    await route53.send(new ListHostedZonesCommand({}));

    // Assess
    expect(take).toHaveBeenCalledTimes(2);
  });

  it('paces Route 53 requests at ROUTE53_RATE', async () => {
    // Prepare
    vi.stubEnv('ROUTE53_RATE', '20');
    vi.stubEnv('ROUTE53_BURST', '1');
    const { route53 } = createClients({ region: 'us-east-1' });
    answerWith(route53, [noHostedZones]);
    const started = performance.now();

    // Act
    for (let i = 0; i < 4; i++) await route53.send(new ListHostedZonesCommand({}));

    // Assess: the first goes at once, the next three 50 ms apart
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('fails at creation, naming the variable, when ROUTE53_RATE is not a positive number', () => {
    // Prepare
    vi.stubEnv('ROUTE53_RATE', 'fast');

    // Act & Assess
    expect(() => createClients()).toThrow(ConfigError);
    expect(() => createClients()).toThrow(/^ROUTE53_RATE must be/);
  });
});
