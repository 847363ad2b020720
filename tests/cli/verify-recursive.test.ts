/**
 * cli/verify/recursive.ts and the AAAA rules of checks.ts: the verdict on a resolver's answers (verify --resolver) and
 * on a referral's AAAA glue, rule by rule.
 */
import { describe, expect, it } from 'vitest';
import type { DnsMessage, DnsRecord } from '../../cli/dns/message.js';
import { type Expected, referralVerdict } from '../../cli/verify/checks.js';
import { resolvedGlueVerdict, resolvedNameVerdict, resolvedNsVerdict } from '../../cli/verify/recursive.js';

const zone = 'c1.example.com.';
const ns1 = `ns1.${zone}`;
const record = (name: string, type: string, data: string): DnsRecord => ({ name, type, ttl: 60, data });

function answer(over: Partial<DnsMessage> & { ra?: boolean } = {}): DnsMessage {
  const { ra = true, ...rest } = over;
  return {
    id: 1,
    flags: { qr: true, aa: false, tc: false, rd: true, ra },
    rcode: 'NOERROR',
    questions: [],
    answers: [],
    authority: [],
    additional: [],
    ...rest,
  };
}

describe('a resolver’s answers (verify --resolver)', () => {
  it('passes the NS when every name is one the private zone publishes', () => {
    const m = answer({ answers: [record(zone, 'NS', ns1)] });
    expect(resolvedNsVerdict(m, zone, [ns1])).toEqual({ pass: true, answer: ns1 });
  });

  it('fails an answer without recursion available: the server is not a resolver', () => {
    const m = answer({ ra: false, answers: [record(zone, 'NS', ns1)] });
    expect(resolvedNsVerdict(m, zone, [ns1]).reason).toBe(`does not recurse (RA clear) for ${zone} NS: not a resolver`);
  });

  it('fails an NS the private zone does not publish', () => {
    const m = answer({ answers: [record(zone, 'NS', 'ns.elsewhere.net.')] });
    expect(resolvedNsVerdict(m, zone, [ns1]).reason).toBe(
      `gives ns.elsewhere.net., which the private zone does not publish (${ns1})`,
    );
  });

  it('passes a name server’s address equal to the glue, IPv6 in any spelling', () => {
    const m = answer({ answers: [record(ns1, 'AAAA', 'fd00:0:0::11')] });
    expect(resolvedGlueVerdict(m, ns1, 'AAAA', 'fd00::11').pass).toBe(true);
  });

  it('fails a name server’s address that is not the glue, naming both', () => {
    const m = answer({ answers: [record(ns1, 'A', '10.0.9.9')] });
    expect(resolvedGlueVerdict(m, ns1, 'A', '10.0.0.11').reason).toBe(
      `${ns1} resolves to 10.0.9.9, but the private zone's glue is 10.0.0.11`,
    );
  });

  it('fails NXDOMAIN for a node name (no rule for this VPC, or a resolver outside it)', () => {
    const m = answer({ rcode: 'NXDOMAIN' });
    expect(resolvedNameVerdict(m, `node1.${zone}`).reason).toBe(`answered NXDOMAIN for node1.${zone} A`);
  });
});

describe('a referral’s AAAA glue', () => {
  const dual: Expected = {
    zone,
    published: [ns1],
    glue: new Map([[ns1, '10.0.0.11']]),
    glue6: new Map([[ns1, 'fd00::11']]),
  };
  const referral = (...additional: DnsRecord[]) =>
    answer({ ra: false, authority: [record(zone, 'NS', ns1)], additional });

  it('passes when it carries the A and the AAAA glue', () => {
    const m = referral(record(ns1, 'A', '10.0.0.11'), record(ns1, 'AAAA', 'fd00::11'));
    expect(referralVerdict(m, dual)).toEqual({ pass: true, answer: `referral: ${ns1}=10.0.0.11,fd00::11` });
  });

  it('fails when the AAAA glue is missing or wrong', () => {
    expect(referralVerdict(referral(record(ns1, 'A', '10.0.0.11')), dual).reason).toBe(
      `${ns1} has no AAAA glue (expected fd00::11)`,
    );
    const wrong = referral(record(ns1, 'A', '10.0.0.11'), record(ns1, 'AAAA', 'fd00::99'));
    expect(referralVerdict(wrong, dual).reason).toBe(`${ns1} AAAA glue is fd00::99, expected fd00::11`);
  });

  it('fails AAAA glue where none is published (ADDRESS_FAMILY=ipv4)', () => {
    const ipv4: Expected = { zone, published: [ns1], glue: new Map([[ns1, '10.0.0.11']]) };
    const m = referral(record(ns1, 'A', '10.0.0.11'), record(ns1, 'AAAA', 'fd00::11'));
    expect(referralVerdict(m, ipv4).reason).toBe(`${ns1} has AAAA glue fd00::11, expected none`);
  });

  it('passes an IPv6-only member with AAAA glue and no A', () => {
    const v6: Expected = { zone, published: [ns1], glue: new Map(), glue6: new Map([[ns1, 'fd00::11']]) };
    expect(referralVerdict(referral(record(ns1, 'AAAA', 'fd00::11')), v6).pass).toBe(true);
  });
});
