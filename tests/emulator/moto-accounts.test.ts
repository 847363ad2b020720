/**
 * moto 5.2.5 serves several accounts at once, and STS AssumeRole moves a caller into the role's account: what the
 * cross-account layout (the zone in a DNS account, the functions in workload accounts) is tested on. Pinned here, with
 * moto alone, because the product's tests depend on it: the account is the one that holds the caller's access key
 * (tools/emulator/identity.ts), and moto's AssumeRole checks nothing (not the trust policy, not the external id, not
 * even that the role exists). The emulator refuses what AWS refuses (tools/emulator/sts-trust.ts, tested in
 * tests/emulator/sts-trust.test.ts).
 */
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator, TEST_CREDENTIALS, TEST_REGION } from '../../tools/emulator/emulator.js';
import { accountCredentials, createRole, trustAccounts } from '../../tools/emulator/iam-accounts.js';
import { change, changeBatch, createZone, records } from '../../tools/world/route53-helpers.js';

const WORKLOAD_ACCOUNT = '111111111111';
const DNS_ACCOUNT = '222222222222';
const OTHER_ACCOUNT = '333333333333';
const ROLE_NAME = 'rlec-dns-test';
const ROLE_ARN = `arn:aws:iam::${DNS_ACCOUNT}:role/${ROLE_NAME}`;
const EXTERNAL_ID = 'rlec-dns-external-id';

let emulator: Emulator;
let workload: AwsCredentialIdentity;
let dns: AwsCredentialIdentity;
const opened: { destroy(): void }[] = [];

/** A client of `url` (moto itself, or the emulator) acting with these credentials; destroyed after the tests. */
function client<T extends { destroy(): void }>(
  Client: new (config: object) => T,
  url: string,
  credentials: AwsCredentialIdentity,
): T {
  const made = new Client({ endpoint: url, region: TEST_REGION, credentials, maxAttempts: 1 });
  opened.push(made);
  return made;
}

async function zoneNames(url: string, credentials: AwsCredentialIdentity): Promise<string[]> {
  const { HostedZones = [] } = await client(Route53Client, url, credentials).send(new ListHostedZonesCommand({}));
  return HostedZones.map((zone) => zone.Name ?? '').sort();
}

async function assume(url: string, credentials: AwsCredentialIdentity, roleArn: string, externalId?: string) {
  const { Credentials } = await client(STSClient, url, credentials).send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: 'rlec-dns-test',
      ...(externalId === undefined ? {} : { ExternalId: externalId }),
    }),
  );
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    ...(Credentials.SessionToken ? { sessionToken: Credentials.SessionToken } : {}),
  };
}

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
});

describe('moto alone, with several accounts', () => {
  it("files a hosted zone under the account of the caller's access key, and lists it to that account only", async () => {
    // Prepare
    await createZone(client(Route53Client, emulator.motoUrl, dns), 'dns.example.com');
    await createZone(client(Route53Client, emulator.motoUrl, workload), 'workload.example.com');

    // Act
    const seen = {
      dns: await zoneNames(emulator.motoUrl, dns),
      workload: await zoneNames(emulator.motoUrl, workload),
      unknownKey: await zoneNames(emulator.motoUrl, TEST_CREDENTIALS),
    };

    // Assess
    expect(seen).toEqual({ dns: ['dns.example.com.'], workload: ['workload.example.com.'], unknownKey: [] });
  });

  it("gives AssumeRole credentials that act in the role's account: they see its zones and not the caller's", async () => {
    // Prepare
    await createRole(emulator.motoUrl, dns, ROLE_NAME, trustAccounts([WORKLOAD_ACCOUNT]));
    await createZone(client(Route53Client, emulator.motoUrl, dns), 'dns.example.com');
    await createZone(client(Route53Client, emulator.motoUrl, workload), 'workload.example.com');

    // Act
    const assumed = await assume(emulator.motoUrl, workload, ROLE_ARN);

    // Assess
    expect(assumed.accessKeyId).toMatch(/^ASIA/);
    expect(await zoneNames(emulator.motoUrl, assumed)).toEqual(['dns.example.com.']);
    const identity = await client(STSClient, emulator.motoUrl, assumed).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({
      Account: DNS_ACCOUNT,
      Arn: `arn:aws:sts::${DNS_ACCOUNT}:assumed-role/${ROLE_NAME}/rlec-dns-test`,
    });
  });

  it('ignores the external id: a wrong one and a missing one are both accepted', async () => {
    // Prepare
    await createRole(emulator.motoUrl, dns, ROLE_NAME, trustAccounts([WORKLOAD_ACCOUNT], EXTERNAL_ID));

    // Act
    const withWrongId = await assume(emulator.motoUrl, workload, ROLE_ARN, 'not-the-external-id');
    const withoutId = await assume(emulator.motoUrl, workload, ROLE_ARN);

    // Assess
    expect(withWrongId.accessKeyId).toMatch(/^ASIA/);
    expect(withoutId.accessKeyId).toMatch(/^ASIA/);
  });

  it('ignores the trust policy: a role that trusts another account only is assumed all the same', async () => {
    // Prepare
    await createRole(emulator.motoUrl, dns, ROLE_NAME, trustAccounts([OTHER_ACCOUNT]));

    // Act
    const assumed = await assume(emulator.motoUrl, workload, ROLE_ARN);

    // Assess
    expect(await client(STSClient, emulator.motoUrl, assumed).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: DNS_ACCOUNT,
    });
  });

  it('assumes a role that does not exist, in whatever account its ARN names', async () => {
    // Act
    const assumed = await assume(emulator.motoUrl, workload, `arn:aws:iam::${OTHER_ACCOUNT}:role/no-such-role`);

    // Assess
    expect(await client(STSClient, emulator.motoUrl, assumed).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: OTHER_ACCOUNT,
    });
  });
});

describe("the emulator's Route 53 rules, with several accounts", () => {
  it("read and write the zone of the caller's account, not the default account's", async () => {
    // Prepare
    await createRole(emulator.motoUrl, dns, ROLE_NAME, trustAccounts([WORKLOAD_ACCOUNT]));
    const zoneId = await createZone(client(Route53Client, emulator.motoUrl, dns), 'dns.example.com');
    const assumed = await assume(emulator.endpoint, workload, ROLE_ARN);
    const route53 = client(Route53Client, emulator.endpoint, assumed);

    // Act
    await changeBatch(route53, zoneId, [change('CREATE', 'ns1.c1.dns.example.com', 'A', 60, ['10.0.0.1'])]);

    // Assess
    expect(await records(route53, zoneId)).toEqual(['ns1.c1.dns.example.com. A 60 10.0.0.1']);
    expect(await records(client(Route53Client, emulator.motoUrl, dns), zoneId)).toEqual([
      'ns1.c1.dns.example.com. A 60 10.0.0.1',
    ]);
  });
});
