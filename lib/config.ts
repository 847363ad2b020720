import { crossChecks } from './config-checks.js';
import { ConfigError } from './errors.js';

export type AddressType = 'private' | 'public';

/** Everything the reconciler needs from its environment, validated once at cold start. */
export interface Config {
  /** The tag whose value is the cluster FQDN. */
  readonly clusterTagKey: string;
  /** Which address of a member its glue record holds, unless the member's own tag says otherwise. */
  readonly addressType: AddressType;
  /** A tag on an instance that overrides `addressType` for it (`private` or `public`). */
  readonly addressTypeTagKey: string;
  /** TTL of every record written. */
  readonly recordTtl: number;
  /** Written into the ownership record; records of another owner are never touched. */
  readonly ownerId: string;
  /** When set, only these hosted zones may be used. */
  readonly hostedZoneIds: readonly string[] | undefined;
  /** How long hosted zones are cached in a container. */
  readonly zoneCacheSeconds: number;
}

export const DEFAULTS = {
  clusterTagKey: 'rlec:cluster',
  addressType: 'private',
  addressTypeTagKey: 'rlec:address-type',
  recordTtl: 60,
  ownerId: 'rlec-dns',
  zoneCacheSeconds: 60,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

const present = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

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

function ownerId(env: Env): string {
  const value = present(env, 'OWNER_ID') ?? DEFAULTS.ownerId;
  // It is written into a TXT string as owner=<id>: keep it to characters that need no quoting.
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(value)) {
    throw new ConfigError(`OWNER_ID must be 1-64 letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(value)}`);
  }
  return value;
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
 * combination cannot work (lib/config-checks.ts).
 *
 * @example loadConfig(process.env).recordTtl // 60
 */
export function loadConfig(env: Env): Config {
  const config: Config = {
    clusterTagKey: tagKey(env, 'CLUSTER_TAG_KEY', DEFAULTS.clusterTagKey),
    addressType: addressType(env),
    addressTypeTagKey: tagKey(env, 'ADDRESS_TYPE_TAG_KEY', DEFAULTS.addressTypeTagKey),
    recordTtl: integer(env, 'RECORD_TTL', DEFAULTS.recordTtl, 1, 172_800),
    ownerId: ownerId(env),
    hostedZoneIds: hostedZoneIds(env),
    zoneCacheSeconds: integer(env, 'ZONE_CACHE_SECONDS', DEFAULTS.zoneCacheSeconds, 0, 3600),
  };
  crossChecks(config, env);
  return config;
}
