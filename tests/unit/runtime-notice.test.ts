/** The cold-start notice: once per container, who can follow the private glue this configuration puts in public zones. */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRuntime } from '../../lib/platform/runtime.js';
import { DEPLOYMENT_ENV } from '../../tools/world/deployment.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const notices = (info: { mock: { calls: unknown[][] } }): string[] =>
  info.mock.calls.map((call) => String(call[0])).filter((m) => m.startsWith('public hosted zones get'));

describe('createRuntime', () => {
  it('says once at cold start that the VPC Resolver cannot follow private addresses in a public zone', () => {
    // Prepare
    const info = vi.spyOn(Logger.prototype, 'info').mockImplementation(() => {});

    // Act
    const built = createRuntime({ ...DEPLOYMENT_ENV });
    built.deps.route53.destroy();
    built.deps.ec2.destroy();

    // Assess
    expect(notices(info)).toHaveLength(1);
    expect(notices(info)[0]).toContain('the VPC Resolver (AmazonProvidedDNS) recurses over the internet and cannot');
  });

  it('says nothing of public zones when only private zones are written', () => {
    // Prepare
    const info = vi.spyOn(Logger.prototype, 'info').mockImplementation(() => {});

    // Act
    const built = createRuntime({ ...DEPLOYMENT_ENV, ZONE_TYPE: 'private' });
    built.deps.route53.destroy();
    built.deps.ec2.destroy();

    // Assess
    expect(notices(info)).toEqual([]);
  });
});
