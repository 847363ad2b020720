import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
// The SDK's own retry classifier (@smithy/service-error-classification, now shipped inside @smithy/core).
import { isThrottlingError } from '@smithy/core/retry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clients,
  type Emulator,
  ROUTE53_2026,
  startEmulator,
  TEST_CREDENTIALS,
  TEST_REGION,
} from '../../tools/emulator/emulator.js';
import { request } from '../../tools/emulator/http.js';
import { accountCredentials, createRole, trustAccounts } from '../../tools/emulator/iam-accounts.js';
import { change, changeBatch, createZone, records } from '../../tools/world/route53-helpers.js';

const DEFAULT_ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const NAMED_ACCOUNT = '111122223333';
const SIGNED_BY_TESTING =
  'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0';
const BURST = 50;

/** The start's throttle runs on a clock that stands still unless a test moves it: no refill behind a test's back. */
let now = 0;
let emulator: Emulator;
let route53: Route53Client;
/** No retries: a Throttling answer reaches the test as is. */
let route53Once: Route53Client;

beforeAll(async () => {
  emulator = await startEmulator({ route53Throttle: ROUTE53_2026, clock: () => now });
  ({ route53 } = clients(emulator.endpoint));
  route53Once = clients(emulator.endpoint, { maxAttempts: 1 }).route53;
});

afterAll(async () => {
  for (const client of [route53, route53Once]) client?.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
});

/** Spends the default account's whole request bucket. */
async function spendTheBurst(): Promise<void> {
  for (let i = 0; i < BURST; i++) await route53Once.send(new ListHostedZonesCommand({}));
}

/** A role `dns` in the other account that the default account may assume (the emulator checks trust as AWS does). */
async function trustedRole(): Promise<void> {
  const owner = await accountCredentials(emulator.endpoint, OTHER_ACCOUNT);
  await createRole(emulator.endpoint, owner, 'dns', trustAccounts([DEFAULT_ACCOUNT]));
}

/** Route 53 clients signed with temporary credentials of a role in another account. */
async function otherAccountClient(): Promise<Route53Client> {
  await trustedRole();
  const sts = new STSClient({ endpoint: emulator.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/dns`, RoleSessionName: 'throttle-test' }),
  );
  sts.destroy();
  if (Credentials?.AccessKeyId === undefined || Credentials.SecretAccessKey === undefined) {
    throw new Error('AssumeRole returned no credentials');
  }
  return new Route53Client({
    endpoint: emulator.endpoint,
    region: TEST_REGION,
    maxAttempts: 1,
    credentials: {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      ...(Credentials.SessionToken === undefined ? {} : { sessionToken: Credentials.SessionToken }),
    },
  });
}

describe('the emulator under the 2026 throttling model', () => {
  it('answers the request after a burst of 50 with Throttling, which the SDK classifies as throttling', async () => {
    // Prepare
    await spendTheBurst();

    // Act
    const error = await route53Once.send(new ListHostedZonesCommand({})).catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    expect(isThrottlingError(error as Parameters<typeof isThrottlingError>[0])).toBe(true);
    expect(emulator.throttle?.usage(DEFAULT_ACCOUNT).refused).toEqual({ account: 1, action: 0, changes: 0 });
  });

  it("answers in Route 53's error form: HTTP 400, ErrorResponse, Sender, Throttling, Rate exceeded", async () => {
    // Prepare
    await spendTheBurst();

    // Act
    const res = await request(`${emulator.endpoint}/2013-04-01/hostedzone`, {
      headers: { authorization: SIGNED_BY_TESTING },
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('text/xml');
    expect(res.body.toString()).toMatch(
      /^<\?xml version="1.0"\?>\n<ErrorResponse xmlns="https:\/\/route53.amazonaws.com\/doc\/2013-04-01\/"><Error><Type>Sender<\/Type><Code>Throttling<\/Code><Message>Rate exceeded<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
  });

  it('lets a request through again once the bucket has refilled a token', async () => {
    // Prepare
    await spendTheBurst();
    await expect(route53Once.send(new ListHostedZonesCommand({}))).rejects.toMatchObject({ name: 'Throttling' });

    // Act
    now += 100;
    const again = route53Once.send(new ListHostedZonesCommand({}));

    // Assess
    await expect(again).resolves.toBeDefined();
    await expect(route53Once.send(new ListHostedZonesCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
  });

  it('keeps buckets per account: a role in another account still has its own 50 requests', async () => {
    // Prepare
    const other = await otherAccountClient();
    await spendTheBurst();

    // Act
    const listed = await other.send(new ListHostedZonesCommand({}));
    other.destroy();

    // Assess
    expect(listed.HostedZones).toEqual([]);
    await expect(route53Once.send(new ListHostedZonesCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
    expect(emulator.throttle?.accounts().sort()).toEqual([DEFAULT_ACCOUNT, OTHER_ACCOUNT]);
    expect(emulator.throttle?.usage(OTHER_ACCOUNT)).toMatchObject({ requests: 1, changeTokens: 0 });
  });

  it("tells a request's account as moto does: its x-moto-account-id header, else its key's owner", async () => {
    // Prepare
    await trustedRole();
    const sts = new STSClient({ endpoint: emulator.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/dns`, RoleSessionName: 'who' }),
    );
    sts.destroy();

    // Act
    const byKey = await Promise.all([
      emulator.accountOfKey('bench-second-client'),
      emulator.accountOfKey(Credentials?.AccessKeyId ?? ''),
    ]);
    await request(`${emulator.endpoint}/2013-04-01/hostedzone`, {
      headers: { authorization: SIGNED_BY_TESTING, 'x-moto-account-id': NAMED_ACCOUNT },
    });

    // Assess
    expect(byKey).toEqual([DEFAULT_ACCOUNT, OTHER_ACCOUNT]);
    expect(emulator.throttle?.usage(NAMED_ACCOUNT).requests).toBe(1);
    expect(emulator.throttle?.usage(DEFAULT_ACCOUNT).requests).toBe(0);
  });

  it('counts the change tokens of the batches it admits: 1 per CREATE or DELETE, 2 per UPSERT', async () => {
    // Prepare
    const zoneId = await createZone(route53);

    // Act
    await changeBatch(route53, zoneId, [
      change('CREATE', 'ns1.c1.example.com', 'A', 60, ['10.0.0.1']),
      change('CREATE', 'ns2.c1.example.com', 'A', 60, ['10.0.0.2']),
    ]);
    await changeBatch(route53, zoneId, [
      change('DELETE', 'ns2.c1.example.com', 'A', 60, ['10.0.0.2']),
      change('UPSERT', 'ns1.c1.example.com', 'A', 60, ['10.0.0.3']),
    ]);

    // Assess
    expect(emulator.throttle?.usage(DEFAULT_ACCOUNT).changeTokens).toBe(5);
  });
});

describe('a throttle installed as the interceptor', () => {
  it('refuses a batch of UPSERTs the change bucket cannot pay for, and admits the same changes as CREATEs', async () => {
    // Prepare
    const zoneId = await createZone(route53);
    const small = emulator.route53Throttle(
      { name: 'three changes', changes: { capacity: 3, refillPerSecond: 1 } },
      () => 0,
    );
    emulator.proxy.beforeForward = small.interceptor;
    const names = ['ns1.c1.example.com', 'ns2.c1.example.com'];

    // Act
    const upserts = changeBatch(
      route53Once,
      zoneId,
      names.map((name, i) => change('UPSERT', name, 'A', 60, [`10.0.0.${i + 1}`])),
    );
    await expect(upserts).rejects.toMatchObject({ name: 'Throttling' });
    await changeBatch(
      route53Once,
      zoneId,
      names.map((name, i) => change('CREATE', name, 'A', 60, [`10.0.0.${i + 1}`])),
    );

    // Assess
    expect(small.usage(DEFAULT_ACCOUNT)).toEqual({
      requests: 1,
      changeTokens: 2,
      refused: { account: 0, action: 0, changes: 1 },
    });
    expect(await records(route53, zoneId)).toEqual([
      'ns1.c1.example.com. A 60 10.0.0.1',
      'ns2.c1.example.com. A 60 10.0.0.2',
    ]);
  });

  it('is retried by a default SDK client, which gets through once the bucket has refilled', async () => {
    // Prepare
    let clock = 0;
    const oneASecond = emulator.route53Throttle(
      { name: 'one a second', account: { capacity: 1, refillPerSecond: 1 } },
      () => clock,
    );
    emulator.proxy.beforeForward = async (ctx) => {
      const refused = await oneASecond.interceptor(ctx);
      if (refused !== undefined) clock += 1_000; // Time passes while the SDK backs off.
      return refused;
    };
    await route53.send(new ListHostedZonesCommand({}));

    // Act
    const listed = await route53.send(new ListHostedZonesCommand({}));

    // Assess
    expect(listed.$metadata.attempts).toBe(2);
    expect(Object.fromEntries(oneASecond.throttled)).toEqual({ ListHostedZones: 1 });
  });
});
