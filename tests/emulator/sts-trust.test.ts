/**
 * The emulator's AssumeRole refuses what AWS refuses (tools/emulator/sts-trust.ts): a caller the trust policy does not
 * name, an external id that does not match, a role that does not exist. moto alone accepts all of these
 * (tests/emulator/moto-accounts.test.ts); the product's "an unassumable role is refused" depends on this layer.
 */
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accountCredentials,
  createOrganization,
  createRole,
  type Emulator,
  startEmulator,
  stsClient,
  TEST_REGION,
  type TrustPolicy,
  trustAccounts,
  trustOrganization,
} from '../../tools/emulator/emulator.js';
import { createZone } from '../../tools/world/route53-helpers.js';

const WORKLOAD_ACCOUNT = '111111111111';
const DNS_ACCOUNT = '222222222222';
const OTHER_ACCOUNT = '333333333333';
const ROLE_NAME = 'rlec-dns-test';
const ROLE_ARN = `arn:aws:iam::${DNS_ACCOUNT}:role/${ROLE_NAME}`;
const EXTERNAL_ID = 'rlec-dns-external-id';
const WORKLOAD_USER_ARN = `arn:aws:iam::${WORKLOAD_ACCOUNT}:user/rlec-dns-test`;

let emulator: Emulator;
let workload: AwsCredentialIdentity;
let dns: AwsCredentialIdentity;
let other: AwsCredentialIdentity;
const opened: { destroy(): void }[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  for (const made of opened) made.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
  workload = await accountCredentials(emulator.endpoint, WORKLOAD_ACCOUNT);
  dns = await accountCredentials(emulator.endpoint, DNS_ACCOUNT);
  other = await accountCredentials(emulator.endpoint, OTHER_ACCOUNT);
});

/** AssumeRole on the role through the emulator, as `credentials`, with no retry. */
function assume(credentials: AwsCredentialIdentity, externalId?: string, roleArn = ROLE_ARN) {
  const sts = stsClient(emulator.endpoint, { credentials, maxAttempts: 1 });
  opened.push(sts);
  return sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: 'rlec-dns-test',
      ...(externalId === undefined ? {} : { ExternalId: externalId }),
    }),
  );
}

async function roleTrusting(policy: TrustPolicy): Promise<void> {
  await createRole(emulator.endpoint, dns, ROLE_NAME, policy);
}

/** What the SDK surfaces for STS's AccessDenied to this caller on ROLE_ARN. */
const accessDenied = (callerArn: string, roleArn = ROLE_ARN) => ({
  name: 'AccessDenied',
  message: `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  $metadata: expect.objectContaining({ httpStatusCode: 403 }),
});

describe('AssumeRole through the emulator', () => {
  it("assumes a role whose trust policy names the caller's account: the credentials act in the role's account", async () => {
    // Prepare
    await roleTrusting(trustAccounts([WORKLOAD_ACCOUNT]));
    const dnsRoute53 = new Route53Client({ endpoint: emulator.endpoint, region: TEST_REGION, credentials: dns });
    opened.push(dnsRoute53);
    const zoneId = await createZone(dnsRoute53);

    // Act
    const { Credentials } = await assume(workload);

    // Assess
    const assumed = {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    };
    const route53 = new Route53Client({ endpoint: emulator.endpoint, region: TEST_REGION, credentials: assumed });
    const sts = stsClient(emulator.endpoint, { credentials: assumed });
    opened.push(route53, sts);
    expect((await route53.send(new ListHostedZonesCommand({}))).HostedZones?.map((zone) => zone.Id)).toEqual([zoneId]);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(DNS_ACCOUNT);
  });

  it('assumes a role with the external id its trust policy requires', async () => {
    // Prepare
    await roleTrusting(trustAccounts([WORKLOAD_ACCOUNT], EXTERNAL_ID));

    // Act
    const { AssumedRoleUser } = await assume(workload, EXTERNAL_ID);

    // Assess
    expect(AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${DNS_ACCOUNT}:assumed-role/${ROLE_NAME}/rlec-dns-test`);
  });

  it('refuses a wrong external id with STS’s AccessDenied (403), naming the caller and the role', async () => {
    // Prepare
    await roleTrusting(trustAccounts([WORKLOAD_ACCOUNT], EXTERNAL_ID));

    // Act
    const attempt = assume(workload, 'not-the-external-id');

    // Assess
    await expect(attempt).rejects.toMatchObject(accessDenied(WORKLOAD_USER_ARN));
  });

  it('refuses a call without the external id the trust policy requires', async () => {
    // Prepare
    await roleTrusting(trustAccounts([WORKLOAD_ACCOUNT], EXTERNAL_ID));

    // Act
    const attempt = assume(workload);

    // Assess
    await expect(attempt).rejects.toMatchObject(accessDenied(WORKLOAD_USER_ARN));
  });

  it('refuses a caller from an account the trust policy does not name', async () => {
    // Prepare
    await roleTrusting(trustAccounts([WORKLOAD_ACCOUNT]));

    // Act
    const attempt = assume(other);

    // Assess
    await expect(attempt).rejects.toMatchObject(accessDenied(`arn:aws:iam::${OTHER_ACCOUNT}:user/rlec-dns-test`));
  });

  it('refuses a role that does not exist, as AWS does, with AccessDenied', async () => {
    // Prepare
    const missing = `arn:aws:iam::${DNS_ACCOUNT}:role/no-such-role`;

    // Act
    const attempt = assume(workload, undefined, missing);

    // Assess
    await expect(attempt).rejects.toMatchObject(accessDenied(WORKLOAD_USER_ARN, missing));
  });

  it("assumes a role that trusts the caller's organization, and refuses a caller outside it", async () => {
    // Prepare
    const orgId = await createOrganization(emulator.endpoint, workload);
    await roleTrusting(trustOrganization(orgId));

    // Act
    const inside = await assume(workload);
    const outside = assume(other);

    // Assess
    expect(orgId).toMatch(/^o-[a-z0-9]{10,32}$/);
    expect(inside.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    await expect(outside).rejects.toMatchObject(accessDenied(`arn:aws:iam::${OTHER_ACCOUNT}:user/rlec-dns-test`));
  });

  it('counts the refused call as an AssumeRole', async () => {
    // Prepare
    await roleTrusting(trustAccounts([OTHER_ACCOUNT]));

    // Act
    await assume(workload).catch(() => undefined);

    // Assess
    expect(emulator.proxy.count('AssumeRole')).toBe(1);
  });
});
