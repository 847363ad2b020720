/**
 * The CLI in a workload account whose zone lives in the DNS account (issue 12): `--dns-role-arn` and
 * `--dns-role-external-id` (or DNS_ROLE_ARN and DNS_ROLE_EXTERNAL_ID) send every Route 53 call through the role; EC2
 * and STS stay in the caller's own account. A role it may not assume is one error naming the role, before any call.
 */
import { describe, expect, it, vi } from 'vitest';
import { sweep } from '../../lib/controller/sweep.js';
import {
  DNS_ACCOUNT,
  deploymentAt,
  EXTERNAL_ID,
  launchAt,
  ownerAt,
  type SharedZone,
  type Site,
  sharedZone,
  workload,
  zoneRecords,
} from '../support/accounts.js';
import { delegation } from '../support/delegation.js';
import { runCli, useCliWorld } from './support/cli.js';

const setup = useCliWorld();

/** The deployment whose functions published c1; the CLI runs in the other workload account. */
const PUBLISHER: Site = { account: '111111111111', region: 'us-east-1' };
const HERE: Site = { account: '333333333333', region: 'us-east-1' };
const C1 = 'c1.example.org';
const C3 = 'c3.example.org';

interface StatusJson {
  clusters: { cluster: string; state: string; owner?: string; members: { instanceId: string; role: string }[] }[];
}

/** The shared zone with c1 published by PUBLISHER's functions, and one instance of c3 running HERE. */
async function layout(trusted?: readonly string[]) {
  const zone = await sharedZone(setup.world.emulator.endpoint, [PUBLISHER.account, HERE.account], trusted);
  const published = await launchAt(zone, PUBLISHER, C1, '10.1.0.11');
  const { deps } = deploymentAt(zone, PUBLISHER);
  await sweep(deps);
  deps.close();
  const own = await launchAt(zone, HERE, C3, '10.3.0.31');
  return { zone, published, own };
}

/**
 * Runs the CLI as a user of HERE's account would (the SDK reads the credentials from the process's environment),
 * OWNER_ID unset: the default owner id, as the functions'.
 */
function cliHere(zone: SharedZone, argv: readonly string[], env: Record<string, string> = {}) {
  const { accessKeyId, secretAccessKey } = workload(zone, HERE.account);
  vi.stubEnv('AWS_ACCESS_KEY_ID', accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', secretAccessKey);
  return runCli(argv, { env: { OWNER_ID: '', OWNER_PREFIX: 'rlec-dns-prod', ...env } });
}

const roleFlags = (zone: SharedZone, externalId = EXTERNAL_ID) => [
  '--dns-role-arn',
  zone.roleArn,
  '--dns-role-external-id',
  externalId,
];

describe('rlec-dns with the zone in another account', () => {
  it("status lists the other deployment's cluster as owned elsewhere, and its own from its own EC2", async () => {
    // Prepare
    const { zone, own } = await layout();

    // Act
    const { code, stdout } = await cliHere(zone, ['status', '--json', ...roleFlags(zone)]);

    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as StatusJson;
    expect(report.clusters.map((c) => [c.cluster, c.state])).toEqual([
      [C1, 'elsewhere'],
      [C3, 'out-of-step'],
    ]);
    expect(report.clusters[0]?.owner).toBe(`owner ${ownerAt(PUBLISHER)} (account ${PUBLISHER.account}, us-east-1)`);
    expect(report.clusters[1]?.members).toEqual([expect.objectContaining({ instanceId: own, role: 'pending' })]);
  });

  it("sync writes its own cluster into the DNS account's zone, bound to its own account, and nothing else", async () => {
    // Prepare
    const { zone, own } = await layout();
    const before = await zoneRecords(zone);

    // Act
    const { code } = await cliHere(zone, ['sync', '--no-wait', ...roleFlags(zone)]);

    // Assess
    expect(code).toBe(0);
    const mine = delegation(C3, [[1, own, '10.3.0.31']], ownerAt(HERE), HERE);
    expect(await zoneRecords(zone)).toEqual([...before, ...mine].sort());
  });

  it('takes the role from DNS_ROLE_ARN and DNS_ROLE_EXTERNAL_ID, as the functions do', async () => {
    // Prepare
    const { zone } = await layout();

    // Act
    const env = { DNS_ROLE_ARN: zone.roleArn, DNS_ROLE_EXTERNAL_ID: EXTERNAL_ID };
    const { code, stdout } = await cliHere(zone, ['status', '--json'], env);

    // Assess
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as StatusJson).clusters.map((c) => c.state)).toEqual(['elsewhere', 'out-of-step']);
  });

  it('refuses a role it may not assume (wrong external id) in one line naming the role, and calls Route 53 not once', async () => {
    // Prepare
    const { zone } = await layout();
    const before = await zoneRecords(zone);
    setup.world.emulator.proxy.resetCounts();

    // Act
    const { code, stdout, stderr } = await cliHere(zone, ['sync', ...roleFlags(zone, 'not-the-external-id')]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `rlec-dns: error: cannot assume the DNS role ${zone.roleArn}: AccessDenied: User: ` +
        `arn:aws:iam::${HERE.account}:user/rlec-dns-test is not authorized to perform: sts:AssumeRole on resource: ` +
        `${zone.roleArn}; its trust policy must allow account ${HERE.account} (with the external id it asks for: ` +
        '--dns-role-external-id); nothing was changed\n',
    );
    const counts = setup.world.emulator.proxy.counts();
    expect(Object.keys(counts).filter((action) => /HostedZone|ResourceRecordSets/.test(action))).toEqual([]);
    expect(await zoneRecords(zone)).toEqual(before);
  });

  it('refuses a role whose trust policy does not list its account, and changes nothing', async () => {
    // Prepare
    const { zone } = await layout([PUBLISHER.account]);
    const before = await zoneRecords(zone);

    // Act
    const { code, stderr } = await cliHere(zone, ['sync', ...roleFlags(zone)]);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^rlec-dns: error: cannot assume the DNS role ${zone.roleArn}: AccessDenied: `));
    expect(await zoneRecords(zone)).toEqual(before);
  });

  it('rejects an empty or malformed --dns-role-arn, naming the option', async () => {
    // Prepare
    const { zone } = await layout();

    // Act
    const empty = await cliHere(zone, ['status', '--dns-role-arn', '']);
    const malformed = await cliHere(zone, ['status', '--dns-role-arn', `${DNS_ACCOUNT}:rlec-dns`]);
    const alone = await cliHere(zone, ['status', '--dns-role-external-id', EXTERNAL_ID]);

    // Assess
    expect([empty.code, malformed.code, alone.code]).toEqual([1, 1, 1]);
    expect(empty.stderr).toBe('rlec-dns: error: --dns-role-arn is empty (see rlec-dns status --help)\n');
    expect(malformed.stderr).toBe(
      `rlec-dns: error: --dns-role-arn must be an IAM role ARN, got "${DNS_ACCOUNT}:rlec-dns" (see rlec-dns status --help)\n`,
    );
    expect(alone.stderr).toBe(
      'rlec-dns: error: --dns-role-external-id is set but --dns-role-arn (or DNS_ROLE_ARN) is not (see rlec-dns status --help)\n',
    );
  });

  it('documents the role options in every command’s help', async () => {
    // Prepare, Act
    const { stdout } = await runCli(['plan', '--help']);
    // Assess
    expect(stdout).toMatch(/--dns-role-arn ARN +a role in the zones' account for every Route 53 call/);
    expect(stdout).toMatch(/--dns-role-external-id ID +the external id the role's trust policy asks for/);
  });
});
