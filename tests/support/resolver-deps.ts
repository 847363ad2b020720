/** The private side's dependencies against a test world: a paced, classified Resolver client on a counting bucket. */
import type { ResolverRuleDeps } from '../../lib/controller/resolver-rule.js';
import type { RuleMember } from '../../lib/plan/resolver.js';
import { type Clock, TokenBucket } from '../../lib/platform/pacing.js';
import { createResolverClient } from '../../lib/platform/resolver-client.js';
import { resolverConfigFromEnv } from '../../lib/platform/resolver-config.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../../tools/emulator/emulator.js';
import { deploymentOf } from '../../tools/world/deployment.js';
import type { World } from '../../tools/world/world.js';

/** A bucket that counts the tokens taken, on a clock that moves only when a caller waits. */
export class CountingBucket extends TokenBucket {
  takes = 0;

  constructor() {
    let now = 0;
    const clock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    };
    super({ ratePerSecond: 2, burst: 2 }, clock);
  }

  override async take(): Promise<number> {
    this.takes += 1;
    return super.take();
  }
}

/** Every Resolver action the private side calls, to count them at the emulator. */
export const RESOLVER_ACTIONS = [
  'ListResolverRules',
  'ListTagsForResource',
  'ListResolverRuleAssociations',
  'GetResolverRuleAssociation',
  'CreateResolverRule',
  'UpdateResolverRule',
  'DeleteResolverRule',
  'AssociateResolverRule',
  'DisassociateResolverRule',
] as const;

export const resolverCalls = (world: World): number =>
  RESOLVER_ACTIONS.reduce((sum, action) => sum + world.emulator.proxy.count(action), 0);

/** Deps for owner `rlec-dns-test` in the test account and Region, with these Resolver settings. */
export function resolverDeps(
  world: World,
  env: Record<string, string>,
): ResolverRuleDeps & { bucket: CountingBucket; close(): void } {
  const bucket = new CountingBucket();
  const { resolver } = createResolverClient({
    endpoint: world.emulator.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    pacing: bucket,
  });
  return {
    resolver,
    route53: world.route53,
    config: { ...deploymentOf('rlec-dns-test'), resolver: resolverConfigFromEnv(env) },
    telemetry: { log: world.telemetry.log, metrics: world.telemetry.sink },
    sleep: async () => {},
    bucket,
    close: () => resolver.destroy(),
  };
}

/** Members with slots 1..n at 10.0.9.<slot> and fd00:9::<slot>. */
export const nodes = (...slots: number[]): RuleMember[] =>
  slots.map((slot) => ({
    instanceId: `i-${String(slot).padStart(17, '0')}`,
    slot,
    ipv4: `10.0.9.${slot}`,
    ipv6: `fd00:9::${slot}`,
  }));
