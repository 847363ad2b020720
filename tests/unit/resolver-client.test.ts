/**
 * The Resolver client against a fake HTTP handler: the SDK's own retries of throttling, a token per attempt from its
 * own bucket, and errors classified as the other clients' are.
 */
import { ListResolverRulesCommand } from '@aws-sdk/client-route53resolver';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsPermanentError, AwsTransientError } from '../../lib/platform/errors.js';
import { createResolverClient } from '../../lib/platform/resolver-client.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { CapturedTelemetry } from '../../tools/world/telemetry.js';
import { answerWith, type FakeResponse, withoutWaiting } from '../support/fake-answers.js';
import { CountingBucket } from '../support/resolver-deps.js';

const resolverAnswer = (code: string, status = 400): FakeResponse => ({
  status,
  body: JSON.stringify({ __type: code, Message: code }),
});
const noRules: FakeResponse = { status: 200, body: '{"ResolverRules":[]}' };

beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
  vi.stubEnv('AWS_ENDPOINT_URL', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('createResolverClient', () => {
  it('retries ThrottlingException, each attempt taking a token from its own bucket', async () => {
    // Prepare
    const bucket = new CountingBucket();
    const { resolver } = createResolverClient({ region: 'us-east-1', pacing: bucket });
    const seen = answerWith(resolver, [
      resolverAnswer('ThrottlingException'),
      resolverAnswer('ThrottlingException'),
      noRules,
    ]);
    await withoutWaiting(resolver);

    // Act
    const out = await resolver.send(new ListResolverRulesCommand({}));

    // Assess
    expect(out.ResolverRules).toEqual([]);
    expect(seen.requests).toBe(3);
    expect(bucket.takes).toBe(3);
    // 2/s, burst 2: the first throttle halves it to 1/s and spends the burst (the second attempt waits 1 s); the
    // second, a second later, halves it again to 0.5/s (the third waits 2 s)
    expect(bucket.waitedMs).toBe(3000);
    expect(bucket.ratePerSecond).toBe(0.5);
  });

  it('halves its own pacing on ThrottlingException, logs it once and counts ResolverThrottled', async () => {
    // Prepare
    const telemetry = new CapturedTelemetry();
    const { resolver, bucket } = createResolverClient({
      region: 'us-east-1',
      pacing: { ratePerSecond: 1000, burst: 10 },
      telemetry: { log: telemetry.log, metrics: telemetry.sink },
    });
    answerWith(resolver, [resolverAnswer('ThrottlingException'), noRules]);
    await withoutWaiting(resolver);

    // Act
    await resolver.send(new ListResolverRulesCommand({}));

    // Assess
    expect(bucket?.throttles).toBe(1);
    expect(bucket?.ratePerSecond).toBe(500);
    expect(telemetry.metrics).toEqual([{ name: METRIC.resolverThrottled, value: 1 }]);
    expect(telemetry.lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'Route 53 Resolver throttled this container: pacing lowered'],
    ]);
  });

  it('does not lower its pacing for an error that is not throttling', async () => {
    // Prepare
    const { resolver, bucket } = createResolverClient({
      region: 'us-east-1',
      pacing: { ratePerSecond: 1000, burst: 10 },
    });
    answerWith(resolver, [resolverAnswer('InternalServiceErrorException', 500), noRules]);
    await withoutWaiting(resolver);

    // Act
    await resolver.send(new ListResolverRulesCommand({}));

    // Assess
    expect(bucket?.throttles).toBe(0);
    expect(bucket?.ratePerSecond).toBe(1000);
  });

  it('names a refused call as permanent, with the service and action', async () => {
    // Prepare
    const { resolver } = createResolverClient({ region: 'us-east-1', pacing: false });
    answerWith(resolver, [resolverAnswer('AccessDeniedException')]);

    // Act
    const call = resolver.send(new ListResolverRulesCommand({}));

    // Assess
    await expect(call).rejects.toBeInstanceOf(AwsPermanentError);
    await expect(resolver.send(new ListResolverRulesCommand({}))).rejects.toMatchObject({
      service: 'route53resolver',
      action: 'ListResolverRules',
      code: 'AccessDeniedException',
    });
  });

  it('names a failure that outlasted the retries as transient', async () => {
    // Prepare
    const { resolver } = createResolverClient({ region: 'us-east-1', pacing: false, maxAttempts: 2 });
    answerWith(resolver, [resolverAnswer('InternalServiceErrorException', 500)]);
    await withoutWaiting(resolver);

    // Act
    const call = resolver.send(new ListResolverRulesCommand({}));

    // Assess
    await expect(call).rejects.toBeInstanceOf(AwsTransientError);
  });
});
