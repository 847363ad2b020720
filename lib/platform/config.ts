/**
 * The configuration, read and validated once at cold start from the environment (platform/env.ts), failing with a
 * message that names the variable; combinations that cannot work are refused in config-checks.ts.
 */
import type { Deployment } from '../registry/ownership.js';
import { crossChecks } from './config-checks.js';
import { type Env, integer, present } from './env.js';
import { ConfigError } from './errors.js';
import { type PacingConfig, pacingFromEnv } from './pacing-config.js';

export type AddressType = 'private' | 'public';

/**
 * Everything the reconciler needs from its environment, validated once at cold start. It is also the deployment's
 * identity (owner id, account, Region) that the ownership records carry.
 */
export interface Config extends Deployment {
  /** The tag whose value is the cluster FQDN. */
  readonly clusterTagKey: string;
  /** Which address of a member its glue record holds, unless the member's own tag says otherwise. */
  readonly addressType: AddressType;
  /** A tag on an instance that overrides `addressType` for it (`private` or `public`). */
  readonly addressTypeTagKey: string;
  /** TTL of every record written. */
  readonly recordTtl: number;
  /** When set, only these hosted zones may be used. */
  readonly hostedZoneIds: readonly string[] | undefined;
  /** How long hosted zones are cached in a container. */
  readonly zoneCacheSeconds: number;
  /**
   * The role in the zones' account that every Route 53 call goes through (`DNS_ROLE_ARN`, with the external id its
   * trust policy asks for, `DNS_ROLE_EXTERNAL_ID`); undefined when the zones are in this account.
   */
  readonly dnsRole: { readonly arn: string; readonly externalId?: string } | undefined;
  /**
   * Client-side pacing of Route 53 requests: the deployment's share of the account's budget and each container's
   * rate (`ROUTE53_SHARE`, `ROUTE53_CONTAINERS`, `ROUTE53_RATE`, `ROUTE53_BURST`; platform/pacing-config.ts).
   */
  readonly route53Pacing: PacingConfig;
  /** Powertools' service name and metrics namespace (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`). */
  readonly telemetry: { readonly serviceName: string; readonly metricsNamespace: string };
}

export const DEFAULTS = {
  clusterTagKey: 'rlec:cluster',
  addressType: 'private',
  addressTypeTagKey: 'rlec:address-type',
  recordTtl: 60,
  ownerPrefix: 'rlec-dns',
  zoneCacheSeconds: 60,
  serviceName: 'rlec-dns',
  metricsNamespace: 'RlecDns',
} as const;

function tagKey(env: Env, name: string, fallback: string): string {
  const value = present(env, name) ?? fallback;
  // EC2 tag keys: up to 128 characters; the aws: prefix is reserved.
  if (value.length > 128 || value.toLowerCase().startsWith('aws:')) {
    throw new ConfigError(`${name} must be an EC2 tag key of at most 128 characters, not starting with aws:`);
  }
  return value;
}

function addressType(env: Env): AddressType {
  const value = present(env, 'ADDRESS_TYPE') ?? DEFAULTS.addressType;
  if (value !== 'private' && value !== 'public') {
    throw new ConfigError(`ADDRESS_TYPE must be "private" or "public", got ${JSON.stringify(value)}`);
  }
  return value;
}

const OWNER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function account(env: Env): string {
  const value = present(env, 'ACCOUNT_ID');
  if (value === undefined || !/^[0-9]{12}$/.test(value)) {
    const got = value === undefined ? 'it is not set' : `got ${JSON.stringify(value)}`;
    throw new ConfigError(
      `ACCOUNT_ID must be the deployment's 12-digit AWS account id (serverless.yml sets it; the CLI asks STS): ${got}`,
    );
  }
  return value;
}

function region(env: Env): string {
  const value = present(env, 'AWS_REGION') ?? present(env, 'AWS_DEFAULT_REGION');
  if (value === undefined || !/^[a-z]{2}(-[a-z]+)+-[0-9]+$/.test(value)) {
    const got = value === undefined ? 'neither is set' : `got ${JSON.stringify(value)}`;
    throw new ConfigError(`AWS_REGION (or AWS_DEFAULT_REGION) must name the deployment's Region: ${got}`);
  }
  return value;
}

function ownerIdOf(name: string, value: string): string {
  // It is written into a TXT string as owner=<id>: keep it to characters that need no quoting.
  if (!OWNER_ID.test(value)) {
    throw new ConfigError(`${name} must be 1-128 letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The owner id: OWNER_ID when set, else `<OWNER_PREFIX>-<account>-<region>` (serverless.yml sets OWNER_PREFIX to
 * `<service>-<stage>`), so two stacks of one stage in two Regions or accounts never share an id. The earlier default
 * (the prefix alone, or OWNER_ID itself) is kept as a legacy id: records written before the account and Region were
 * recorded are still recognised, and rewritten in the bound form.
 */
function ownership(env: Env, where: { account: string; region: string }) {
  const explicit = present(env, 'OWNER_ID');
  const prefix = ownerIdOf('OWNER_PREFIX', present(env, 'OWNER_PREFIX') ?? DEFAULTS.ownerPrefix);
  const ownerId = ownerIdOf('OWNER_ID', explicit ?? `${prefix}-${where.account}-${where.region}`);
  const listed = present(env, 'LEGACY_OWNER_IDS')
    ?.split(',')
    .map((id) => ownerIdOf('LEGACY_OWNER_IDS', id.trim()));
  return { ownerId, legacyOwnerIds: listed ?? [explicit ?? prefix] };
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]{1,512}$/;

function dnsRole(env: Env): Config['dnsRole'] {
  const arn = present(env, 'DNS_ROLE_ARN');
  const externalId = present(env, 'DNS_ROLE_EXTERNAL_ID');
  if (arn === undefined) {
    if (externalId !== undefined) throw new ConfigError('DNS_ROLE_EXTERNAL_ID is set but DNS_ROLE_ARN is not');
    return undefined;
  }
  if (!ROLE_ARN.test(arn)) throw new ConfigError(`DNS_ROLE_ARN must be an IAM role ARN, got ${JSON.stringify(arn)}`);
  if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    throw new ConfigError('DNS_ROLE_EXTERNAL_ID must be 2-1224 letters, digits or +=,.@:/-');
  }
  return externalId === undefined ? { arn } : { arn, externalId };
}

function hostedZoneIds(env: Env): readonly string[] | undefined {
  const raw = present(env, 'HOSTED_ZONE_IDS');
  if (raw === undefined) return undefined;
  const ids = raw.split(',').map((id) => id.trim().replace(/^\/?hostedzone\//, ''));
  const bad = ids.find((id) => !/^[A-Z0-9]{1,32}$/.test(id));
  if (bad !== undefined) {
    throw new ConfigError(
      `HOSTED_ZONE_IDS must be a comma-separated list of hosted zone ids, bad entry ${JSON.stringify(bad)}`,
    );
  }
  return ids;
}

/**
 * Reads and validates the configuration. Throws a ConfigError naming the variable at fault, or the variables whose
 * combination cannot work (lib/platform/config-checks.ts).
 *
 * @example loadConfig(process.env).recordTtl // 60
 */
export function loadConfig(env: Env): Config {
  const where = { account: account(env), region: region(env) };
  const config: Config = {
    ...where,
    ...ownership(env, where),
    clusterTagKey: tagKey(env, 'CLUSTER_TAG_KEY', DEFAULTS.clusterTagKey),
    addressType: addressType(env),
    addressTypeTagKey: tagKey(env, 'ADDRESS_TYPE_TAG_KEY', DEFAULTS.addressTypeTagKey),
    recordTtl: integer(env, 'RECORD_TTL', DEFAULTS.recordTtl, 1, 172_800),
    hostedZoneIds: hostedZoneIds(env),
    zoneCacheSeconds: integer(env, 'ZONE_CACHE_SECONDS', DEFAULTS.zoneCacheSeconds, 0, 3600),
    dnsRole: dnsRole(env),
    route53Pacing: pacingFromEnv(env),
    telemetry: {
      serviceName: present(env, 'POWERTOOLS_SERVICE_NAME') ?? DEFAULTS.serviceName,
      metricsNamespace: present(env, 'POWERTOOLS_METRICS_NAMESPACE') ?? DEFAULTS.metricsNamespace,
    },
  };
  crossChecks(config, env);
  return config;
}
