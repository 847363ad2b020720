/**
 * The configuration, read and validated once at cold start from the environment (platform/env.ts), failing with a
 * message that names the variable; combinations that cannot work are refused in config-checks.ts.
 */
import type { Deployment } from '../registry/ownership.js';
import { crossChecks } from './config-checks.js';
import { type Env, integer, present } from './env.js';
import { ConfigError } from './errors.js';
import { type PacingConfig, pacingFromEnv } from './pacing-config.js';
import { type ResolverConfig, resolverConfigFromEnv } from './resolver-config.js';

export type AddressType = 'private' | 'public';

/** Which hosted zones a cluster is published in: the longest matching public one, private one, or both (split view). */
export type ZoneType = 'public' | 'private' | 'both';

/** Which glue a member gets: A (its IPv4 address), AAAA (its primary IPv6 address), or both. */
export type AddressFamily = 'ipv4' | 'ipv6' | 'dual';

/**
 * Everything the reconciler needs from its environment, validated once at cold start. It is also the deployment's
 * identity (owner id, account, Region) that the ownership records carry.
 */
export interface Config extends Deployment {
  /** The tag whose value is the cluster FQDN. */
  readonly clusterTagKey: string;
  /** Where clusters are published (`ZONE_TYPE`): public zones (the default), private zones, or both. */
  readonly zoneType: ZoneType;
  /**
   * Which IPv4 address of a member its glue holds in a *public* zone, unless the member's own tag says otherwise. A
   * private zone always gets private addresses. See {@link addressTypeDefault} for the default.
   */
  readonly addressType: AddressType;
  /** Glue families (`ADDRESS_FAMILY`): A, AAAA or both per slot. */
  readonly addressFamily: AddressFamily;
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
  /** The Route 53 Resolver rule per private cluster (`RESOLVER_*`; platform/resolver-config.ts). */
  readonly resolver: ResolverConfig;
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
  zoneType: 'public',
  /** With the default ZONE_TYPE (public); see {@link addressTypeDefault}. */
  addressType: 'private',
  addressFamily: 'ipv4',
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

/** One of `allowed`, or `fallback` when unset; a ConfigError naming the variable otherwise. */
function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = present(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    const list = allowed.map((a) => `"${a}"`).join(', ');
    throw new ConfigError(`${name} must be one of ${list}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/**
 * The default of ADDRESS_TYPE, which only public zones use (a private zone always gets private addresses):
 *
 * | ZONE_TYPE | default   | why                                                                                  |
 * |-----------|-----------|--------------------------------------------------------------------------------------|
 * | public    | `private` | today's default: changing it would move every existing cluster's glue to public      |
 * |           |           | addresses on upgrade, and unpublish (delete the glue of) every member without one    |
 * | both      | `public`  | split view: the private zone already serves the VPC with private addresses; the      |
 * |           |           | public zone is then for the rest of the world, which only public addresses serve     |
 * | private   | –         | unused; ADDRESS_TYPE=public is refused (config-checks.ts)                            |
 *
 * Private addresses in a public zone are followed only by resolvers that can reach them (run in the VPC, or
 * on-premises over VPN or Direct Connect), never by the VPC Resolver: the cold-start notice says so
 * ({@link addressNotice}).
 */
export const addressTypeDefault = (zoneType: ZoneType): AddressType =>
  zoneType === 'both' ? 'public' : DEFAULTS.addressType;

function addressType(env: Env, zoneType: ZoneType): AddressType {
  const value = present(env, 'ADDRESS_TYPE') ?? addressTypeDefault(zoneType);
  if (value !== 'private' && value !== 'public') {
    throw new ConfigError(`ADDRESS_TYPE must be "private" or "public", got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * What the cold-start log says when private addresses can end up in a public zone (ADDRESS_TYPE=private, or the
 * per-instance tag): who can follow that glue. Undefined when no public zone is written.
 */
export function addressNotice(
  config: Pick<Config, 'zoneType' | 'addressType' | 'addressTypeTagKey'>,
): string | undefined {
  if (config.zoneType === 'private') return undefined;
  const who =
    'only resolvers that can reach those addresses follow that glue (resolvers you run in the VPC, on-premises ' +
    'resolvers over VPN or Direct Connect); the VPC Resolver (AmazonProvidedDNS) recurses over the internet and ' +
    'cannot, so clients asking it do not resolve the cluster: for them use ZONE_TYPE=private or both';
  if (config.addressType === 'private') {
    return `public hosted zones get the members' private addresses (ADDRESS_TYPE=private): ${who}`;
  }
  return `public hosted zones get public addresses; an instance tagged ${config.addressTypeTagKey}=private puts its private address there, and then ${who}`;
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
  const zoneType = oneOf<ZoneType>(env, 'ZONE_TYPE', ['public', 'private', 'both'], DEFAULTS.zoneType);
  const config: Config = {
    ...where,
    ...ownership(env, where),
    clusterTagKey: tagKey(env, 'CLUSTER_TAG_KEY', DEFAULTS.clusterTagKey),
    zoneType,
    addressType: addressType(env, zoneType),
    addressFamily: oneOf<AddressFamily>(env, 'ADDRESS_FAMILY', ['ipv4', 'ipv6', 'dual'], DEFAULTS.addressFamily),
    addressTypeTagKey: tagKey(env, 'ADDRESS_TYPE_TAG_KEY', DEFAULTS.addressTypeTagKey),
    recordTtl: integer(env, 'RECORD_TTL', DEFAULTS.recordTtl, 1, 172_800),
    hostedZoneIds: hostedZoneIds(env),
    zoneCacheSeconds: integer(env, 'ZONE_CACHE_SECONDS', DEFAULTS.zoneCacheSeconds, 0, 3600),
    dnsRole: dnsRole(env),
    resolver: resolverConfigFromEnv(env),
    route53Pacing: pacingFromEnv(env),
    telemetry: {
      serviceName: present(env, 'POWERTOOLS_SERVICE_NAME') ?? DEFAULTS.serviceName,
      metricsNamespace: present(env, 'POWERTOOLS_METRICS_NAMESPACE') ?? DEFAULTS.metricsNamespace,
    },
  };
  crossChecks(config, env);
  return config;
}
