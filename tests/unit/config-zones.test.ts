/** ZONE_TYPE, ADDRESS_TYPE's default per zone type, ADDRESS_FAMILY, and the cold-start notice about private glue. */
import { describe, expect, it } from 'vitest';
import { addressNotice, loadConfig } from '../../lib/platform/config.js';
import { ConfigError } from '../../lib/platform/errors.js';
import { DEPLOYMENT_ENV } from '../../tools/world/deployment.js';

const load = (env: Record<string, string>) => loadConfig({ ...DEPLOYMENT_ENV, ...env });

describe('ZONE_TYPE', () => {
  it('publishes in public zones when unset, as before', () => {
    // Act
    const config = load({});

    // Assess
    expect(config.zoneType).toBe('public');
  });

  it.each(['public', 'private', 'both'])('accepts %s', (value) => {
    // Act
    const config = load({ ZONE_TYPE: value });

    // Assess
    expect(config.zoneType).toBe(value);
  });

  it.each(['split', 'PRIVATE', 'public,private'])('refuses %s, naming the variable and the choices', (value) => {
    // Act & Assess
    expect(() => load({ ZONE_TYPE: value })).toThrow(ConfigError);
    expect(() => load({ ZONE_TYPE: value })).toThrow(
      `ZONE_TYPE must be one of "public", "private", "both", got "${value}"`,
    );
  });
});

describe("ADDRESS_TYPE's default", () => {
  it('keeps private addresses in public zones by default, so an upgrade rewrites no glue', () => {
    // Act
    const config = load({ ZONE_TYPE: 'public' });

    // Assess
    expect(config.addressType).toBe('private');
  });

  it('gives the public zone of a split view public addresses by default', () => {
    // Act
    const config = load({ ZONE_TYPE: 'both' });

    // Assess
    expect(config.addressType).toBe('public');
  });

  it('lets ADDRESS_TYPE put private addresses into the public zone of a split view', () => {
    // Act
    const config = load({ ZONE_TYPE: 'both', ADDRESS_TYPE: 'private' });

    // Assess
    expect(config.addressType).toBe('private');
  });

  it('refuses ADDRESS_TYPE=public with ZONE_TYPE=private: no zone would hold public addresses', () => {
    // Prepare
    const env = { ZONE_TYPE: 'private', ADDRESS_TYPE: 'public' };

    // Act & Assess
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(/^ADDRESS_TYPE=public with ZONE_TYPE=private: a private zone always gets/);
  });
});

describe('ADDRESS_FAMILY', () => {
  it('publishes IPv4 glue only when unset', () => {
    // Act
    const config = load({});

    // Assess
    expect(config.addressFamily).toBe('ipv4');
  });

  it.each(['ipv4', 'ipv6', 'dual'])('accepts %s', (value) => {
    // Act
    const config = load({ ADDRESS_FAMILY: value });

    // Assess
    expect(config.addressFamily).toBe(value);
  });

  it.each(['both', 'IPv6', 'inet6'])('refuses %s, naming the variable and the choices', (value) => {
    // Act & Assess
    expect(() => load({ ADDRESS_FAMILY: value })).toThrow(
      `ADDRESS_FAMILY must be one of "ipv4", "ipv6", "dual", got "${value}"`,
    );
  });
});

describe('addressNotice', () => {
  it('says who can follow private addresses in a public zone, and that the VPC Resolver cannot', () => {
    // Act
    const notice = addressNotice(load({}));

    // Assess
    expect(notice).toMatch(/^public hosted zones get the members' private addresses \(ADDRESS_TYPE=private\)/);
    expect(notice).toContain('resolvers you run in the VPC, on-premises resolvers over VPN or Direct Connect');
    expect(notice).toContain('the VPC Resolver (AmazonProvidedDNS) recurses over the internet and cannot');
  });

  it('names the per-instance tag when public zones get public addresses', () => {
    // Act
    const notice = addressNotice(load({ ZONE_TYPE: 'both' }));

    // Assess
    expect(notice).toMatch(/^public hosted zones get public addresses; an instance tagged rlec:address-type=private/);
  });

  it('says nothing when no public zone is written', () => {
    // Act & Assess
    expect(addressNotice(load({ ZONE_TYPE: 'private' }))).toBeUndefined();
  });
});
