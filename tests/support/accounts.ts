/**
 * The layout of issue 12 on the emulator: a DNS account (222222222222) holding the zone and the role that workload
 * deployments assume, and workload accounts whose instances and functions live in their own account and Region.
 * Used by the cross-account integration tests and the CLI's.
 */
import { RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { AwsCredentialIdentity } from '@smithy/types';
import { loadConfig } from '../../lib/platform/config.js';
import { type BuiltDeps, createDeps } from '../../lib/platform/factory.js';
import { clients } from '../../tools/emulator/emulator.js';
import { accountCredentials, createRole, trustAccounts } from '../../tools/emulator/iam-accounts.js';
import { createZone, records } from '../../tools/world/route53-helpers.js';
import { CapturedTelemetry } from '../../tools/world/telemetry.js';

export const DNS_ACCOUNT = '222222222222';
export const EXTERNAL_ID = 'rlec-dns-test-external';

export interface SharedZone {
  readonly endpoint: string;
  readonly zoneId: string;
  /** Route 53 of the DNS account itself (what an administrator there sees). */
  readonly route53: Route53Client;
  /** The role the trusted workload accounts may assume, with {@link EXTERNAL_ID}. */
  readonly roleArn: string;
  /** Credentials of an IAM user in each workload account. */
  readonly workloads: ReadonlyMap<string, AwsCredentialIdentity>;
}

/**
 * The DNS account's zone (`example.org`) and role, and a user in each workload account. The role's trust lists
 * `trusted` (default: every workload account) with the external id.
 */
export async function sharedZone(
  endpoint: string,
  workloadAccounts: readonly string[],
  trusted: readonly string[] = workloadAccounts,
): Promise<SharedZone> {
  const dns = await accountCredentials(endpoint, DNS_ACCOUNT);
  const workloads = new Map<string, AwsCredentialIdentity>();
  for (const account of workloadAccounts) workloads.set(account, await accountCredentials(endpoint, account));
  const roleArn = await createRole(endpoint, dns, 'rlec-dns-test', trustAccounts(trusted, EXTERNAL_ID));
  const { route53 } = clients(endpoint, { credentials: dns });
  const zoneId = (await createZone(route53, 'example.org')).replace('/hostedzone/', '');
  return { endpoint, zoneId, route53, roleArn, workloads };
}

/** The credentials of a workload account of the layout. */
export function workload(zone: SharedZone, account: string): AwsCredentialIdentity {
  const credentials = zone.workloads.get(account);
  if (credentials === undefined) throw new Error(`no workload account ${account} in this layout`);
  return credentials;
}

/** The zone's records as the DNS account sees them, sorted (`World.records` lines). */
export const zoneRecords = async (zone: SharedZone): Promise<string[]> =>
  (await records(zone.route53, zone.zoneId)).sort();

/** Where a deployment runs. */
export interface Site {
  readonly account: string;
  readonly region: string;
}

/** Launches an instance tagged with `cluster` in the site's own EC2; returns its id. */
export async function launchAt(zone: SharedZone, site: Site, cluster: string, privateIp: string): Promise<string> {
  const { ec2 } = clients(zone.endpoint, { credentials: workload(zone, site.account), region: site.region });
  try {
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-03cf127a',
        MinCount: 1,
        MaxCount: 1,
        PrivateIpAddress: privateIp,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'rlec:cluster', Value: cluster }] }],
      }),
    );
    const id = out.Instances?.[0]?.InstanceId;
    if (id === undefined) throw new Error('RunInstances returned no instance');
    return id;
  } finally {
    ec2.destroy();
  }
}

/** Terminates an instance in the site's own EC2. */
export async function terminateAt(zone: SharedZone, site: Site, id: string): Promise<void> {
  const { ec2 } = clients(zone.endpoint, { credentials: workload(zone, site.account), region: site.region });
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  ec2.destroy();
}

/** The default owner id a deployment of stage `prod` gets at a site. */
export const ownerAt = (site: Site): string => `rlec-dns-prod-${site.account}-${site.region}`;

/**
 * A deployment at a site, as its functions build it: its own account's credentials, EC2 in its Region, Route 53
 * through the DNS role (`role` to give another ARN or external id). The default owner id (prefix + account + Region).
 */
export function deploymentAt(
  zone: SharedZone,
  site: Site,
  role: { readonly arn?: string; readonly externalId?: string } = {},
): { deps: BuiltDeps; telemetry: CapturedTelemetry } {
  const telemetry = new CapturedTelemetry();
  const config = loadConfig({
    ACCOUNT_ID: site.account,
    AWS_REGION: site.region,
    OWNER_PREFIX: 'rlec-dns-prod',
    DNS_ROLE_ARN: role.arn ?? zone.roleArn,
    DNS_ROLE_EXTERNAL_ID: role.externalId ?? EXTERNAL_ID,
  });
  const deps = createDeps(config, {
    clients: {
      endpoint: zone.endpoint,
      region: site.region,
      credentials: workload(zone, site.account),
      route53Pacing: false,
      maxAttempts: 1,
    },
    telemetry: { log: telemetry.log, metrics: telemetry.sink },
    zoneCacheSeconds: 0,
  });
  return { deps, telemetry };
}
