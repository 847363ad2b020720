/**
 * A DNS role a deployment may not assume (issue 12): the external id is wrong, or the role's trust policy does not
 * list the deployment's account. Its first Route 53 call of the invocation is refused for good: nothing is read or
 * written in the DNS account, the refusal is logged once with the role's ARN and STS's reason, counted once, and no
 * event is retried (retrying cannot fix a trust policy). The deployment that may assume the role is not affected.
 */
import { describe, expect, it } from 'vitest';
import { processEvents } from '../../lib/controller/process-events.js';
import { sweep } from '../../lib/controller/sweep.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import type { CapturedTelemetry } from '../../tools/world/telemetry.js';
import { deploymentAt, launchAt, type SharedZone, type Site, sharedZone, zoneRecords } from '../support/accounts.js';
import { useWorld } from '../support/use-world.js';

const TRUSTED: Site = { account: '111111111111', region: 'us-east-1' };
const SAME_ACCOUNT_OTHER_REGION: Site = { account: '111111111111', region: 'eu-west-1' };
const UNTRUSTED: Site = { account: '333333333333', region: 'us-east-1' };

const setup = useWorld();

/** The zone, whose role trusts only 111111111111, with c1 published by the trusted deployment. */
async function layout(): Promise<SharedZone> {
  const zone = await sharedZone(setup.world.emulator.endpoint, [TRUSTED.account, UNTRUSTED.account], [TRUSTED.account]);
  await launchAt(zone, TRUSTED, 'c1.example.org', '10.1.0.11');
  const { deps } = deploymentAt(zone, TRUSTED);
  await sweep(deps);
  deps.close();
  return zone;
}

const CASES = [
  ['a wrong external id', SAME_ACCOUNT_OTHER_REGION, { externalId: 'not-the-external-id' }],
  ['a trust policy that does not list the account', UNTRUSTED, {}],
] as const;

/** The one error line, naming the role and STS's reason, and its count. */
function assessRefusal(telemetry: CapturedTelemetry, zone: SharedZone, site: Site): void {
  const errors = telemetry.lines.filter((l) => l.level === 'error');
  expect(errors).toHaveLength(1);
  expect(errors[0]?.message).toContain(
    `AWS refused sts:AssumeRole on ${zone.roleArn}: AccessDenied: User: arn:aws:iam::${site.account}:user/`,
  );
  expect(errors[0]?.message).toContain(`is not authorized to perform: sts:AssumeRole on resource: ${zone.roleArn}`);
  expect(errors[0]?.attributes).toMatchObject({ action: 'sts:AssumeRole', resource: zone.roleArn });
  expect(telemetry.count(METRIC.awsPermanentErrors)).toBe(1);
}

describe.each(CASES)('a DNS role that cannot be assumed (%s)', (_case, site, role) => {
  it('makes the sweep change nothing, and says so once, with the role and the reason', async () => {
    // Prepare
    const zone = await layout();
    await launchAt(zone, site, 'c2.example.org', '10.2.0.21');
    const before = await zoneRecords(zone);
    const { deps, telemetry } = deploymentAt(zone, site, role);
    setup.world.emulator.proxy.resetCounts();

    // Act
    const outcomes = await sweep(deps);

    // Assess
    expect([...outcomes.values()]).toEqual([]);
    expect(await zoneRecords(zone)).toEqual(before);
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
    assessRefusal(telemetry, zone, site);
    deps.close();
  });

  it('makes a batch of events for two clusters change nothing, retry nothing, and say so once', async () => {
    // Prepare
    const zone = await layout();
    const ids = [
      await launchAt(zone, site, 'c2.example.org', '10.2.0.21'),
      await launchAt(zone, site, 'c4.example.org', '10.2.0.41'),
    ];
    const before = await zoneRecords(zone);
    const { deps, telemetry } = deploymentAt(zone, site, role);
    const events = ids.map((id, i) => ({ id: `m${i}`, body: setup.world.stateEvent(id, 'running') }));

    // Act
    const result = await processEvents(deps, events);

    // Assess
    expect(result.retry).toEqual([]);
    expect([...result.outcomes.values()].filter((o) => o.status === 'changed')).toEqual([]);
    expect(await zoneRecords(zone)).toEqual(before);
    assessRefusal(telemetry, zone, site);
    deps.close();
  });

  it('makes an event that needs the ownership scan (an instance EC2 forgot) change nothing, and say so once', async () => {
    // Prepare
    const zone = await layout();
    const before = await zoneRecords(zone);
    const { deps, telemetry } = deploymentAt(zone, site, role);
    const forgotten = { id: 'm0', body: setup.world.stateEvent('i-0123456789abcdef0', 'terminated') };

    // Act
    const result = await processEvents(deps, [forgotten]);

    // Assess
    expect(result.retry).toEqual([]);
    expect(await zoneRecords(zone)).toEqual(before);
    assessRefusal(telemetry, zone, site);
    deps.close();
  });
});
