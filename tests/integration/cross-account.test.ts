/**
 * The zone lives in another account (issue 12): a workload deployment in account 111111111111 writes its cluster
 * into account 222222222222's zone through a role it assumes there (DNS_ROLE_ARN, with an external id), EC2 staying
 * in its own account; a role it may not assume changes nothing and is a permanent error, named and counted.
 */
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { AwsCredentialIdentity } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { sweep } from '../../lib/controller/sweep.js';
import { loadConfig } from '../../lib/platform/config.js';
import { createDeps } from '../../lib/platform/factory.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { clients, TEST_REGION } from '../../tools/emulator/emulator.js';
import { accountCredentials, createRole, trustAccounts } from '../../tools/emulator/iam-accounts.js';
import { createZone, records } from '../../tools/world/route53-helpers.js';
import { CapturedTelemetry } from '../../tools/world/telemetry.js';
import { delegation } from '../support/delegation.js';
import { useWorld } from '../support/use-world.js';

const WORKLOAD = '111111111111';
const DNS = '222222222222';
const EXTERNAL_ID = 'rlec-dns-test-external';
const C1 = 'c1.example.org';

const setup = useWorld();

interface Accounts {
  readonly workload: AwsCredentialIdentity;
  readonly dnsZone: string;
  readonly dnsRoute53: Route53Client;
  readonly roleArn: string;
}

/** The DNS account with its zone and a role the workload account may assume with the external id. */
async function accounts(): Promise<Accounts> {
  const { endpoint } = setup.world.emulator;
  const dns = await accountCredentials(endpoint, DNS);
  const workload = await accountCredentials(endpoint, WORKLOAD);
  const roleArn = await createRole(endpoint, dns, 'rlec-dns-test', trustAccounts([WORKLOAD], EXTERNAL_ID));
  const dnsRoute53 = clients(endpoint, { credentials: dns }).route53;
  const dnsZone = (await createZone(dnsRoute53, 'example.org')).replace('/hostedzone/', '');
  return { workload, dnsZone, dnsRoute53, roleArn };
}

/** An instance of the workload account, tagged with the cluster. */
async function launch(workload: AwsCredentialIdentity, privateIp: string): Promise<string> {
  const { ec2 } = clients(setup.world.emulator.endpoint, { credentials: workload });
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-03cf127a',
      MinCount: 1,
      MaxCount: 1,
      PrivateIpAddress: privateIp,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'rlec:cluster', Value: C1 }] }],
    }),
  );
  ec2.destroy();
  return out.Instances?.[0]?.InstanceId ?? '';
}

/** The workload deployment: its own credentials, EC2 in its account, Route 53 through the DNS role. */
function deployment(a: Accounts, externalId = EXTERNAL_ID) {
  const telemetry = new CapturedTelemetry();
  const config = loadConfig({
    ACCOUNT_ID: WORKLOAD,
    AWS_REGION: TEST_REGION,
    OWNER_ID: 'workload',
    DNS_ROLE_ARN: a.roleArn,
    DNS_ROLE_EXTERNAL_ID: externalId,
  });
  const deps = createDeps(config, {
    clients: {
      endpoint: setup.world.emulator.endpoint,
      region: TEST_REGION,
      credentials: a.workload,
      route53Pacing: false,
      maxAttempts: 1,
    },
    telemetry: { log: telemetry.log, metrics: telemetry.sink },
    zoneCacheSeconds: 0,
  });
  return { deps, telemetry };
}

describe('a zone in another account', () => {
  it('gets the workload cluster through the assumed role, bound to the workload account', async () => {
    // Prepare
    const a = await accounts();
    const node = await launch(a.workload, '10.1.0.11');
    const { deps } = deployment(a);

    // Act
    const outcomes = await sweep(deps);

    // Assess
    expect(outcomes.get(C1)?.status).toBe('changed');
    const expected = delegation(C1, [[1, node, '10.1.0.11']], 'workload', { account: WORKLOAD, region: TEST_REGION });
    expect((await records(a.dnsRoute53, a.dnsZone)).sort()).toEqual(expected);
    deps.close();
  });

  it('changes nothing when the role may not be assumed (wrong external id), and says so once, counted', async () => {
    // Prepare
    const a = await accounts();
    await launch(a.workload, '10.1.0.11');
    const { deps, telemetry } = deployment(a, 'not-the-external-id');

    // Act
    const outcomes = await sweep(deps);

    // Assess
    expect([...outcomes.values()].filter((o) => o.status === 'changed')).toEqual([]);
    expect(await records(a.dnsRoute53, a.dnsZone)).toEqual([]);
    const errors = telemetry.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(`AWS refused sts:AssumeRole on ${a.roleArn}: AccessDenied`);
    expect(errors[0]?.attributes).toMatchObject({ action: 'sts:AssumeRole', resource: a.roleArn });
    expect(telemetry.count(METRIC.awsPermanentErrors)).toBe(1);
    deps.close();
  });
});
