import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig } from '../../lib/platform/config.js';
import { ConfigError } from '../../lib/platform/errors.js';
import { DEPLOYMENT_ENV } from '../../tools/world/deployment.js';

const emptyEnv = {};
/** loadConfig with the account and Region a function always gets (serverless.yml and Lambda set them). */
const load = (env: Record<string, string>) => loadConfig({ ...DEPLOYMENT_ENV, ...env });

describe('loadConfig', () => {
  it('uses the defaults when nothing is set', () => {
    // Act
    const config = load(emptyEnv);

    // Assess
    expect(config).toEqual({
      clusterTagKey: 'rlec:cluster',
      zoneType: 'public',
      addressType: 'private',
      addressFamily: 'ipv4',
      addressTypeTagKey: 'rlec:address-type',
      recordTtl: 60,
      ownerId: 'rlec-dns-123456789012-us-east-1',
      account: '123456789012',
      region: 'us-east-1',
      legacyOwnerIds: ['rlec-dns'],
      hostedZoneIds: undefined,
      zoneCacheSeconds: 60,
      route53Pacing: { ratePerSecond: 5, burst: 5, share: 5, containers: 1, derived: true },
      resolver: {
        rule: 'none',
        endpointId: undefined,
        vpcIds: undefined,
        pacing: { ratePerSecond: 2, burst: 2 },
        share: 4,
      },
      telemetry: { serviceName: 'rlec-dns', metricsNamespace: 'RlecDns' },
    });
  });

  it('treats empty and blank variables as unset', () => {
    // Prepare
    const env = { CLUSTER_TAG_KEY: '', ADDRESS_TYPE: '  ', RECORD_TTL: '', OWNER_ID: ' ', HOSTED_ZONE_IDS: '' };

    // Act
    const config = load(env);

    // Assess
    expect(config).toMatchObject({
      clusterTagKey: DEFAULTS.clusterTagKey,
      addressType: DEFAULTS.addressType,
      recordTtl: DEFAULTS.recordTtl,
      ownerId: `${DEFAULTS.ownerPrefix}-123456789012-us-east-1`,
      hostedZoneIds: undefined,
    });
  });

  it('reads every variable when set', () => {
    // Prepare
    const env = {
      CLUSTER_TAG_KEY: 'redis:cluster',
      ADDRESS_TYPE: 'public',
      ADDRESS_TYPE_TAG_KEY: 'redis:address',
      RECORD_TTL: '30',
      OWNER_ID: 'rlec-dns-prod',
      HOSTED_ZONE_IDS: 'Z1ABC,Z2DEF',
      ZONE_CACHE_SECONDS: '0',
      ZONE_TYPE: 'both',
      ADDRESS_FAMILY: 'dual',
      RESOLVER_ENDPOINT_ID: 'rslvr-out-0123456789abcdef0',
      RESOLVER_RULE: 'forward',
      RESOLVER_VPC_IDS: 'vpc-0123456789abcdef0,vpc-0fedcba9876543210',
      RESOLVER_RATE: '1',
    };

    // Act
    const config = load(env);

    // Assess
    expect(config).toEqual({
      clusterTagKey: 'redis:cluster',
      zoneType: 'both',
      addressType: 'public',
      addressFamily: 'dual',
      addressTypeTagKey: 'redis:address',
      recordTtl: 30,
      ownerId: 'rlec-dns-prod',
      account: '123456789012',
      region: 'us-east-1',
      legacyOwnerIds: ['rlec-dns-prod'],
      hostedZoneIds: ['Z1ABC', 'Z2DEF'],
      zoneCacheSeconds: 0,
      route53Pacing: { ratePerSecond: 5, burst: 5, share: 5, containers: 1, derived: true },
      resolver: {
        rule: 'forward',
        endpointId: 'rslvr-out-0123456789abcdef0',
        vpcIds: ['vpc-0123456789abcdef0', 'vpc-0fedcba9876543210'],
        pacing: { ratePerSecond: 1, burst: 1 },
        share: 4,
      },
      telemetry: { serviceName: 'rlec-dns', metricsNamespace: 'RlecDns' },
    });
  });

  describe('CLUSTER_TAG_KEY', () => {
    it('accepts a key of 128 characters', () => {
      // Prepare
      const key = 'k'.repeat(128);

      // Act
      const config = load({ CLUSTER_TAG_KEY: key });

      // Assess
      expect(config.clusterTagKey).toBe(key);
    });

    it.each([
      { what: 'the reserved aws: prefix', value: 'aws:cluster' },
      { what: 'the reserved prefix in upper case', value: 'AWS:cluster' },
      { what: 'more than 128 characters', value: 'k'.repeat(129) },
    ])('refuses a key with $what, naming the variable', ({ value }) => {
      // Act & Assess
      expect(() => load({ CLUSTER_TAG_KEY: value })).toThrow(ConfigError);
      expect(() => load({ CLUSTER_TAG_KEY: value })).toThrow(/^CLUSTER_TAG_KEY /);
    });
  });

  describe('ADDRESS_TYPE_TAG_KEY', () => {
    it('refuses the reserved aws: prefix, naming the variable', () => {
      // Prepare
      const env = { ADDRESS_TYPE_TAG_KEY: 'aws:address' };

      // Act & Assess
      expect(() => load(env)).toThrow(ConfigError);
      expect(() => load(env)).toThrow(/^ADDRESS_TYPE_TAG_KEY /);
    });
  });

  describe('ADDRESS_TYPE', () => {
    it.each(['private', 'public'])('accepts %s', (value) => {
      // Act
      const config = load({ ADDRESS_TYPE: value });

      // Assess
      expect(config.addressType).toBe(value);
    });

    it.each(['elastic', 'PUBLIC', 'ipv6'])('refuses %s, naming the variable and the value', (value) => {
      // Act & Assess
      expect(() => load({ ADDRESS_TYPE: value })).toThrow(ConfigError);
      expect(() => load({ ADDRESS_TYPE: value })).toThrow(`ADDRESS_TYPE must be "private" or "public", got "${value}"`);
    });
  });

  describe('RECORD_TTL', () => {
    it.each([
      { value: '1', ttl: 1 },
      { value: '172800', ttl: 172_800 },
      { value: ' 300 ', ttl: 300 },
    ])('accepts $value', ({ value, ttl }) => {
      // Act
      const config = load({ RECORD_TTL: value });

      // Assess
      expect(config.recordTtl).toBe(ttl);
    });

    it.each([
      { what: 'a non-numeric value', value: 'sixty' },
      { what: 'a number with a unit', value: '60s' },
      { what: 'a fraction', value: '60.5' },
      { what: 'a negative number', value: '-60' },
      { what: 'zero', value: '0' },
      { what: 'more than two days', value: '172801' },
    ])('refuses $what, naming the variable', ({ value }) => {
      // Act & Assess
      expect(() => load({ RECORD_TTL: value })).toThrow(ConfigError);
      expect(() => load({ RECORD_TTL: value })).toThrow(/^RECORD_TTL must be a whole number from 1 to 172800/);
    });
  });

  describe('ZONE_CACHE_SECONDS', () => {
    it('refuses more than an hour, naming the variable', () => {
      // Prepare
      const env = { ZONE_CACHE_SECONDS: '3601' };

      // Act & Assess
      expect(() => load(env)).toThrow(ConfigError);
      expect(() => load(env)).toThrow(/^ZONE_CACHE_SECONDS /);
    });
  });

  describe('OWNER_ID', () => {
    it('accepts letters, digits and . _ : -', () => {
      // Prepare
      const ownerId = 'Team_A:rlec-dns.prod-2';

      // Act
      const config = load({ OWNER_ID: ownerId });

      // Assess
      expect(config.ownerId).toBe(ownerId);
    });

    it.each([
      { what: 'an inner space', value: 'rlec dns' },
      { what: 'a comma (it would break the ownership record)', value: 'a,b' },
      { what: 'a double quote', value: 'a"b' },
      { what: 'an equals sign', value: 'owner=x' },
      { what: 'more than 128 characters', value: 'o'.repeat(129) },
    ])('refuses $what, naming the variable', ({ value }) => {
      // Act & Assess
      expect(() => load({ OWNER_ID: value })).toThrow(ConfigError);
      expect(() => load({ OWNER_ID: value })).toThrow(/^OWNER_ID must be/);
    });
  });

  describe('the deployment identity', () => {
    it('names the account and the Region in the default owner id, and keeps the earlier default as a legacy id', () => {
      // Act
      const config = load({ OWNER_PREFIX: 'rlec-dns-prod', AWS_REGION: 'eu-west-1' });

      // Assess
      expect(config).toMatchObject({
        ownerId: 'rlec-dns-prod-123456789012-eu-west-1',
        account: '123456789012',
        region: 'eu-west-1',
        legacyOwnerIds: ['rlec-dns-prod'],
      });
    });

    it('keeps an explicit OWNER_ID as it is, and recognises it in records of the earlier form', () => {
      // Act
      const config = load({ OWNER_ID: 'team-a', OWNER_PREFIX: 'rlec-dns-prod' });

      // Assess
      expect(config.ownerId).toBe('team-a');
      expect(config.legacyOwnerIds).toEqual(['team-a']);
    });

    it('takes the legacy owner ids from LEGACY_OWNER_IDS when set', () => {
      // Act
      const config = load({ LEGACY_OWNER_IDS: 'old-a, old-b' });

      // Assess
      expect(config.legacyOwnerIds).toEqual(['old-a', 'old-b']);
    });

    it('falls back to AWS_DEFAULT_REGION', () => {
      // Act
      const config = loadConfig({ ACCOUNT_ID: '123456789012', AWS_DEFAULT_REGION: 'ap-southeast-2' });

      // Assess
      expect(config.region).toBe('ap-southeast-2');
    });

    it.each([
      { what: 'no ACCOUNT_ID', env: { AWS_REGION: 'us-east-1' }, message: /^ACCOUNT_ID must be .*it is not set/ },
      {
        what: 'an ACCOUNT_ID of 11 digits',
        env: { ACCOUNT_ID: '12345678901', AWS_REGION: 'us-east-1' },
        message: /^ACCOUNT_ID must be/,
      },
      { what: 'no Region', env: { ACCOUNT_ID: '123456789012' }, message: /^AWS_REGION \(or AWS_DEFAULT_REGION\) must/ },
      {
        what: 'a Region that is no Region',
        env: { ACCOUNT_ID: '123456789012', AWS_REGION: 'Ireland' },
        message: /^AWS_REGION/,
      },
      {
        what: 'an OWNER_PREFIX with a comma',
        env: { ...DEPLOYMENT_ENV, OWNER_PREFIX: 'a,b' },
        message: /^OWNER_PREFIX must be/,
      },
      {
        what: 'a LEGACY_OWNER_IDS entry with a space',
        env: { ...DEPLOYMENT_ENV, LEGACY_OWNER_IDS: 'a b' },
        message: /^LEGACY_OWNER_IDS must be/,
      },
    ])('refuses $what, naming the variable', ({ env, message }) => {
      // Act & Assess
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    });
  });

  describe('HOSTED_ZONE_IDS', () => {
    it.each([
      { what: 'bare ids', value: 'Z1ABC,Z2DEF' },
      { what: 'ids with /hostedzone/', value: '/hostedzone/Z1ABC,/hostedzone/Z2DEF' },
      { what: 'ids with hostedzone/ and no leading slash', value: 'hostedzone/Z1ABC,Z2DEF' },
      { what: 'spaces around the entries', value: ' Z1ABC , /hostedzone/Z2DEF ' },
    ])('accepts $what and keeps the bare ids', ({ value }) => {
      // Act
      const config = load({ HOSTED_ZONE_IDS: value });

      // Assess
      expect(config.hostedZoneIds).toEqual(['Z1ABC', 'Z2DEF']);
    });

    it.each([
      { what: 'a lower-case id', value: 'Z1ABC,z2def', bad: 'z2def' },
      { what: 'an empty entry', value: 'Z1ABC,,Z2DEF', bad: '' },
      { what: 'a trailing comma', value: 'Z1ABC,', bad: '' },
      { what: 'an ARN', value: 'arn:aws:route53:::hostedzone/Z1ABC', bad: 'arn:aws:route53:::hostedzone/Z1ABC' },
      { what: 'an id longer than 32 characters', value: 'Z'.repeat(33), bad: 'Z'.repeat(33) },
    ])('refuses $what, naming the variable and the bad entry', ({ value, bad }) => {
      // Act & Assess
      expect(() => load({ HOSTED_ZONE_IDS: value })).toThrow(ConfigError);
      expect(() => load({ HOSTED_ZONE_IDS: value })).toThrow(
        `HOSTED_ZONE_IDS must be a comma-separated list of hosted zone ids, bad entry ${JSON.stringify(bad)}`,
      );
    });
  });

  describe('FUNCTION_TIMEOUT_SECONDS', () => {
    it.each(['11', '60', '900', ' 300 '])('accepts a timeout of %s seconds', (value) => {
      // Act & Assess
      expect(() => load({ FUNCTION_TIMEOUT_SECONDS: value })).not.toThrow();
    });

    it.each([
      { what: 'a non-numeric value', value: 'sixty' },
      { what: 'a unit', value: '60s' },
      { what: 'a fraction', value: '60.5' },
      { what: 'zero', value: '0' },
      { what: 'more than Lambda allows', value: '901' },
    ])('refuses $what, naming the variable', ({ value }) => {
      // Act & Assess
      expect(() => load({ FUNCTION_TIMEOUT_SECONDS: value })).toThrow(ConfigError);
      expect(() => load({ FUNCTION_TIMEOUT_SECONDS: value })).toThrow(
        /^FUNCTION_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 900/,
      );
    });

    it.each(['1', '10'])(
      'refuses a timeout of %s s, in which every cluster would be deferred, naming the variable',
      (value) => {
        // Act & Assess
        expect(() => load({ FUNCTION_TIMEOUT_SECONDS: value })).toThrow(ConfigError);
        expect(() => load({ FUNCTION_TIMEOUT_SECONDS: value })).toThrow(
          `FUNCTION_TIMEOUT_SECONDS=${value} is too short: no cluster is started with less than 10 s left`,
        );
      },
    );
  });

  describe('combinations that cannot work', () => {
    it.each([
      { what: 'both set to one key', env: { CLUSTER_TAG_KEY: 'redis:cluster', ADDRESS_TYPE_TAG_KEY: 'redis:cluster' } },
      { what: 'the cluster key set to the address-type default', env: { CLUSTER_TAG_KEY: 'rlec:address-type' } },
      { what: 'the address-type key set to the cluster default', env: { ADDRESS_TYPE_TAG_KEY: 'rlec:cluster' } },
    ])('refuses the two tag keys equal ($what), naming both variables', ({ env }) => {
      // Act & Assess
      expect(() => load(env)).toThrow(ConfigError);
      expect(() => load(env)).toThrow(/^CLUSTER_TAG_KEY and ADDRESS_TYPE_TAG_KEY are both "/);
      expect(() => load(env)).toThrow(/every cluster's records deleted/);
    });

    it('accepts tag keys that differ only in case, which EC2 keeps apart', () => {
      // Prepare
      const env = { CLUSTER_TAG_KEY: 'Redis:Cluster', ADDRESS_TYPE_TAG_KEY: 'redis:cluster' };

      // Act
      const config = load(env);

      // Assess
      expect(config).toMatchObject({ clusterTagKey: 'Redis:Cluster', addressTypeTagKey: 'redis:cluster' });
    });

    it('refuses a cluster tag key holding a backslash, which EC2 filters read as an escape', () => {
      // Prepare
      const env = { CLUSTER_TAG_KEY: 'rlec\\cluster' };

      // Act & Assess
      expect(() => load(env)).toThrow(ConfigError);
      expect(() => load(env)).toThrow(/^CLUSTER_TAG_KEY must not contain a backslash, got "rlec\\\\cluster"/);
    });

    it.each(['rlec:*', 'rlec:cluster?'])('accepts the filter wildcards, which only widen the match (%s)', (key) => {
      // Act
      const config = load({ CLUSTER_TAG_KEY: key });

      // Assess
      expect(config.clusterTagKey).toBe(key);
    });
  });

  it('marks a configuration error as permanent', () => {
    // Act & Assess
    expect(() => load({ RECORD_TTL: '0' })).toThrow(expect.objectContaining({ permanent: true }));
  });
});

describe('RESOLVER_RULE with ZONE_TYPE', () => {
  it('refuses a rule when clusters go only into public zones, naming both variables', () => {
    // Act
    const attempt = () =>
      load({ RESOLVER_ENDPOINT_ID: 'rslvr-out-0123456789abcdef0', RESOLVER_RULE: 'delegate', ZONE_TYPE: 'public' });

    // Assess
    expect(attempt).toThrow(/RESOLVER_RULE=delegate needs clusters in private zones, but ZONE_TYPE=public/);
  });

  it('accepts a rule with private zones, and none without an endpoint', () => {
    // Act
    const withRule = load({ RESOLVER_ENDPOINT_ID: 'rslvr-out-0123456789abcdef0', ZONE_TYPE: 'private' });
    const without = load({ ZONE_TYPE: 'public' });

    // Assess
    expect(withRule.resolver.rule).toBe('delegate');
    expect(without.resolver.rule).toBe('none');
  });
});
