/**
 * The default clients against a fake HTTP handler: which errors the SDK retries by itself, and that every Route 53
 * request, retries included, is paced.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../lib/platform/clients.js';
import { AwsPermanentError, AwsTransientError, ConfigError } from '../../lib/platform/errors.js';
import { TokenBucket } from '../../lib/platform/pacing.js';
import {
  answerWith,
  ec2Answer,
  noHostedZones,
  noReservations,
  route53Answer,
  withoutWaiting,
} from '../support/fake-answers.js';

const route53Error = (code: string) => route53Answer(code);
const ec2Error = (code: string) => ec2Answer(code, 503);

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

  it('gives up after 8 attempts, with the throttling error as a transient one', async () => {
    // Prepare
    const { route53 } = createClients({ region: 'us-east-1', route53Pacing: false });
    const seen = answerWith(route53, [route53Error('Throttling')]);
    await withoutWaiting(route53);

    // Act & Assess
    const error = await route53.send(new ListHostedZonesCommand({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsTransientError);
    expect(error).toMatchObject({ code: 'Throttling', cause: expect.objectContaining({ name: 'Throttling' }) });
    expect(seen.requests).toBe(8);
  });

  it('does not retry an error that retrying cannot fix, and says it is permanent', async () => {
    // Prepare
    const { route53 } = createClients({ region: 'us-east-1' });
    const seen = answerWith(route53, [route53Error('InvalidInput')]);

    // Act
    const error = await route53.send(new ListHostedZonesCommand({})).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AwsPermanentError);
    expect(error).toMatchObject({ code: 'InvalidInput', action: 'ListHostedZones' });
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

  it('lowers the pacing of every later Route 53 call when an attempt is answered Throttling', async () => {
    // Prepare
    const bucket = new TokenBucket({ ratePerSecond: 1000, burst: 10 });
    const { route53 } = createClients({ region: 'us-east-1', route53Pacing: bucket });
    answerWith(route53, [route53Error('Throttling'), noHostedZones, noHostedZones]);
    await withoutWaiting(route53);

    // Act
    await route53.send(new ListHostedZonesCommand({}));
    await route53.send(new ListHostedZonesCommand({}));

    // Assess: one throttled attempt, one halving; the call after it succeeded leaves the rate alone
    expect(bucket.throttles).toBe(1);
    expect(bucket.ratePerSecond).toBe(500);
  });

  it('does not lower the pacing for PriorRequestNotComplete (one zone busy, not the account)', async () => {
    // Prepare
    const bucket = new TokenBucket({ ratePerSecond: 1000, burst: 10 });
    const { route53 } = createClients({ region: 'us-east-1', route53Pacing: bucket });
    answerWith(route53, [route53Error('PriorRequestNotComplete'), noHostedZones]);
    await withoutWaiting(route53);

    // Act
    await route53.send(new ListHostedZonesCommand({}));

    // Assess
    expect(bucket.throttles).toBe(0);
    expect(bucket.ratePerSecond).toBe(1000);
  });

  it('paces Route 53 requests at ROUTE53_RATE', async () => {
    // Prepare
    vi.stubEnv('ROUTE53_SHARE', '20');
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
