import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';

const emptyEnv = {};

describe('loadConfig', () => {
  it('uses the defaults when nothing is set', () => {
    // Act
    const config = loadConfig(emptyEnv);

    // Assess
    expect(config).toEqual({
      clusterTagKey: 'rlec:cluster',
      addressType: 'private',
      addressTypeTagKey: 'rlec:address-type',
      recordTtl: 60,
      ownerId: 'rlec-dns',
      hostedZoneIds: undefined,
      zoneCacheSeconds: 60,
    });
  });

  it('treats empty and blank variables as unset', () => {
    // Prepare
    const env = { CLUSTER_TAG_KEY: '', ADDRESS_TYPE: '  ', RECORD_TTL: '', OWNER_ID: ' ', HOSTED_ZONE_IDS: '' };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config).toMatchObject({
      clusterTagKey: DEFAULTS.clusterTagKey,
      addressType: DEFAULTS.addressType,
      recordTtl: DEFAULTS.recordTtl,
      ownerId: DEFAULTS.ownerId,
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
    };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config).toEqual({
      clusterTagKey: 'redis:cluster',
      addressType: 'public',
      addressTypeTagKey: 'redis:address',
      recordTtl: 30,
      ownerId: 'rlec-dns-prod',
      hostedZoneIds: ['Z1ABC', 'Z2DEF'],
      zoneCacheSeconds: 0,
    });
  });

  describe('CLUSTER_TAG_KEY', () => {
    it('accepts a key of 128 characters', () => {
      // Prepare
      const key = 'k'.repeat(128);

      // Act
      const config = loadConfig({ CLUSTER_TAG_KEY: key });

      // Assess
      expect(config.clusterTagKey).toBe(key);
    });

    it.each([
      { what: 'the reserved aws: prefix', value: 'aws:cluster' },
      { what: 'the reserved prefix in upper case', value: 'AWS:cluster' },
      { what: 'more than 128 characters', value: 'k'.repeat(129) },
    ])('refuses a key with $what, naming the variable', ({ value }) => {
      // Act & Assess
      expect(() => loadConfig({ CLUSTER_TAG_KEY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ CLUSTER_TAG_KEY: value })).toThrow(/^CLUSTER_TAG_KEY /);
    });
  });

  describe('ADDRESS_TYPE_TAG_KEY', () => {
    it('refuses the reserved aws: prefix, naming the variable', () => {
      // Prepare
      const env = { ADDRESS_TYPE_TAG_KEY: 'aws:address' };

      // Act & Assess
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/^ADDRESS_TYPE_TAG_KEY /);
    });
  });

  describe('ADDRESS_TYPE', () => {
    it.each(['private', 'public'])('accepts %s', (value) => {
      // Act
      const config = loadConfig({ ADDRESS_TYPE: value });

      // Assess
      expect(config.addressType).toBe(value);
    });

    it.each(['elastic', 'PUBLIC', 'ipv6'])('refuses %s, naming the variable and the value', (value) => {
      // Act & Assess
      expect(() => loadConfig({ ADDRESS_TYPE: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ADDRESS_TYPE: value })).toThrow(
        `ADDRESS_TYPE must be "private" or "public", got "${value}"`,
      );
    });
  });

  describe('RECORD_TTL', () => {
    it.each([
      { value: '1', ttl: 1 },
      { value: '172800', ttl: 172_800 },
      { value: ' 300 ', ttl: 300 },
    ])('accepts $value', ({ value, ttl }) => {
      // Act
      const config = loadConfig({ RECORD_TTL: value });

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
      expect(() => loadConfig({ RECORD_TTL: value })).toThrow(ConfigError);
      expect(() => loadConfig({ RECORD_TTL: value })).toThrow(/^RECORD_TTL must be a whole number from 1 to 172800/);
    });
  });

  describe('ZONE_CACHE_SECONDS', () => {
    it('refuses more than an hour, naming the variable', () => {
      // Prepare
      const env = { ZONE_CACHE_SECONDS: '3601' };

      // Act & Assess
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/^ZONE_CACHE_SECONDS /);
    });
  });

  describe('OWNER_ID', () => {
    it('accepts letters, digits and . _ : -', () => {
      // Prepare
      const ownerId = 'Team_A:rlec-dns.prod-2';

      // Act
      const config = loadConfig({ OWNER_ID: ownerId });

      // Assess
      expect(config.ownerId).toBe(ownerId);
    });

    it.each([
      { what: 'an inner space', value: 'rlec dns' },
      { what: 'a comma (it would break the ownership record)', value: 'a,b' },
      { what: 'a double quote', value: 'a"b' },
      { what: 'an equals sign', value: 'owner=x' },
      { what: 'more than 64 characters', value: 'o'.repeat(65) },
    ])('refuses $what, naming the variable', ({ value }) => {
      // Act & Assess
      expect(() => loadConfig({ OWNER_ID: value })).toThrow(ConfigError);
      expect(() => loadConfig({ OWNER_ID: value })).toThrow(/^OWNER_ID must be/);
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
      const config = loadConfig({ HOSTED_ZONE_IDS: value });

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
      expect(() => loadConfig({ HOSTED_ZONE_IDS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ HOSTED_ZONE_IDS: value })).toThrow(
        `HOSTED_ZONE_IDS must be a comma-separated list of hosted zone ids, bad entry ${JSON.stringify(bad)}`,
      );
    });
  });

  describe('FUNCTION_TIMEOUT_SECONDS', () => {
    it.each(['11', '60', '900', ' 300 '])('accepts a timeout of %s seconds', (value) => {
      // Act & Assess
      expect(() => loadConfig({ FUNCTION_TIMEOUT_SECONDS: value })).not.toThrow();
    });

    it.each([
      { what: 'a non-numeric value', value: 'sixty' },
      { what: 'a unit', value: '60s' },
      { what: 'a fraction', value: '60.5' },
      { what: 'zero', value: '0' },
      { what: 'more than Lambda allows', value: '901' },
    ])('refuses $what, naming the variable', ({ value }) => {
      // Act & Assess
      expect(() => loadConfig({ FUNCTION_TIMEOUT_SECONDS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ FUNCTION_TIMEOUT_SECONDS: value })).toThrow(
        /^FUNCTION_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 900/,
      );
    });

    it.each(['1', '10'])(
      'refuses a timeout of %s s, in which every cluster would be deferred, naming the variable',
      (value) => {
        // Act & Assess
        expect(() => loadConfig({ FUNCTION_TIMEOUT_SECONDS: value })).toThrow(ConfigError);
        expect(() => loadConfig({ FUNCTION_TIMEOUT_SECONDS: value })).toThrow(
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
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/^CLUSTER_TAG_KEY and ADDRESS_TYPE_TAG_KEY are both "/);
      expect(() => loadConfig(env)).toThrow(/every cluster's records deleted/);
    });

    it('accepts tag keys that differ only in case, which EC2 keeps apart', () => {
      // Prepare
      const env = { CLUSTER_TAG_KEY: 'Redis:Cluster', ADDRESS_TYPE_TAG_KEY: 'redis:cluster' };

      // Act
      const config = loadConfig(env);

      // Assess
      expect(config).toMatchObject({ clusterTagKey: 'Redis:Cluster', addressTypeTagKey: 'redis:cluster' });
    });

    it('refuses a cluster tag key holding a backslash, which EC2 filters read as an escape', () => {
      // Prepare
      const env = { CLUSTER_TAG_KEY: 'rlec\\cluster' };

      // Act & Assess
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/^CLUSTER_TAG_KEY must not contain a backslash, got "rlec\\\\cluster"/);
    });

    it.each(['rlec:*', 'rlec:cluster?'])('accepts the filter wildcards, which only widen the match (%s)', (key) => {
      // Act
      const config = loadConfig({ CLUSTER_TAG_KEY: key });

      // Assess
      expect(config.clusterTagKey).toBe(key);
    });
  });

  it('marks a configuration error as permanent', () => {
    // Act & Assess
    expect(() => loadConfig({ RECORD_TTL: '0' })).toThrow(expect.objectContaining({ permanent: true }));
  });
});
