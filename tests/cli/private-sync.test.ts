/** `rlec-dns sync` with the private side on (issue 11): the rule follows the records; a refused private side exits 1. */
import { CreateResolverRuleCommand } from '@aws-sdk/client-route53resolver';
import { beforeEach, describe, expect, it } from 'vitest';
import { listResolverRules } from '../../lib/provider/resolver-types.js';
import { runCli, useCliWorld } from './support/cli.js';
import { type PrivateSetup, privateSide } from './support/private.js';

const setup = useCliWorld();
const C1 = 'c1.example.com';
let side: PrivateSetup;

beforeEach(async () => {
  side = await privateSide(setup.world);
});

describe('rlec-dns sync with a private cluster', () => {
  it('creates and associates the DELEGATE rule after the records, and says so', async () => {
    // Prepare
    await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    // Act
    const { code, stdout } = await runCli(['sync', '--no-wait'], { env: side.env });
    // Assess
    expect(code).toBe(0);
    const [rule] = (await listResolverRules(setup.world.resolver)).ResolverRules ?? [];
    expect(rule).toMatchObject({ RuleType: 'DELEGATE', DelegationRecord: `${C1}.` });
    expect(stdout).toContain(`  Resolver rule: DELEGATE ${rule?.Id} "${rule?.Name}" for ${C1} on `);
    expect(stdout).toContain('    2 steps applied\n');
  });

  it('exits 1 when the private side is refused, after writing the records', async () => {
    // Prepare
    await setup.world.resolver.send(
      new CreateResolverRuleCommand({
        CreatorRequestId: 'another-team',
        RuleType: 'FORWARD',
        DomainName: C1,
        TargetIps: [{ Ip: '10.9.9.9', Port: 53 }],
        ResolverEndpointId: side.endpoint.endpointId,
      }),
    );
    await setup.world.launch({ cluster: C1, privateIp: '10.0.0.11' });
    // Act
    const { code, stdout } = await runCli(['sync', '--no-wait'], { env: side.env });
    // Assess
    expect(code).toBe(1);
    expect(stdout).toContain('  Resolver rule: refused: cluster c1.example.com refused on the private side');
    expect(await setup.world.clusterRecords(side.privateZoneId, C1)).toContain(`ns1.${C1}. A 60 10.0.0.11`);
  });
});
