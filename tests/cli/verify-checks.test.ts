/** cli/verify/checks.ts: the verdict on each answer, rule by rule (the table in checks.ts). */
import { describe, expect, it } from 'vitest';
import type { DnsMessage, DnsRecord } from '../../cli/dns/message.js';
import {
  type Expected,
  nodeNameVerdict,
  nodeNsVerdict,
  nodeSoaVerdict,
  referralVerdict,
} from '../../cli/verify/checks.js';

const zone = 'c1.example.com.';
const ns = (n: number): DnsRecord => ({ name: zone, type: 'NS', ttl: 60, data: `ns${n}.${zone}` });
const glue = (n: number, address: string): DnsRecord => ({ name: `ns${n}.${zone}`, type: 'A', ttl: 60, data: address });
const soa: DnsRecord = { name: zone, type: 'SOA', ttl: 60, data: `ns1.${zone} admin.${zone} 1 3600 600 604800 60` };

function message(over: Partial<DnsMessage> & { aa?: boolean } = {}): DnsMessage {
  const { aa = false, ...rest } = over;
  return {
    id: 1,
    flags: { qr: true, aa, tc: false, rd: false, ra: false },
    rcode: 'NOERROR',
    questions: [],
    answers: [],
    authority: [],
    additional: [],
    ...rest,
  };
}

const twoNodes: Expected = {
  zone,
  published: [`ns1.${zone}`, `ns2.${zone}`],
  glue: new Map([
    [`ns1.${zone}`, '10.0.0.11'],
    [`ns2.${zone}`, '10.0.0.12'],
  ]),
};
const goodReferral = message({ authority: [ns(2), ns(1)], additional: [glue(1, '10.0.0.11'), glue(2, '10.0.0.12')] });

describe('the parent zone’s referral', () => {
  it('passes with exactly the published names and the members’ addresses as glue, in any order', () => {
    // Prepare, Act
    const verdict = referralVerdict(goodReferral, twoNodes);
    // Assess
    expect(verdict).toEqual({ pass: true, answer: `referral: ns1.${zone}=10.0.0.11 ns2.${zone}=10.0.0.12` });
  });

  it('fails when it lists other names than Route 53 publishes', () => {
    // Prepare
    const stale = message({ authority: [ns(1)], additional: [glue(1, '10.0.0.11')] });
    // Act
    const verdict = referralVerdict(stale, twoNodes);
    // Assess
    expect(verdict.reason).toBe(`lists ns1.${zone} but Route 53 publishes ns1.${zone} ns2.${zone}`);
  });

  it('fails when a name has no glue, or two addresses', () => {
    // Prepare
    const noGlue = message({ authority: [ns(1), ns(2)], additional: [glue(1, '10.0.0.11')] });
    const twoAddresses = message({ ...goodReferral, additional: [...goodReferral.additional, glue(2, '10.0.0.99')] });
    // Act
    const verdicts = [referralVerdict(noGlue, twoNodes), referralVerdict(twoAddresses, twoNodes)];
    // Assess
    expect(verdicts.map((v) => v.reason)).toEqual([
      `ns2.${zone} has no glue (expected 10.0.0.12)`,
      `ns2.${zone} glue is 10.0.0.12,10.0.0.99, expected 10.0.0.12`,
    ]);
  });

  it('fails when a running member is neither published nor referred to', () => {
    // Prepare
    const expected = { ...twoNodes, published: [`ns1.${zone}`] };
    const referral = message({ authority: [ns(1)], additional: [glue(1, '10.0.0.11')] });
    // Act
    const verdict = referralVerdict(referral, expected);
    // Assess
    expect(verdict.reason).toBe(`running member ns2.${zone} (10.0.0.12) is not delegated`);
  });

  it('fails when the parent answers for the cluster itself instead of referring', () => {
    // Prepare
    const authoritative = message({ aa: true, answers: [ns(1)] });
    // Act
    const verdict = referralVerdict(authoritative, twoNodes);
    // Assess
    expect(verdict).toEqual({
      pass: false,
      answer: `NS ns1.${zone}`,
      reason: `answered authoritatively instead of referring: the parent does not delegate ${zone}`,
    });
  });

  it('fails on an error code or an empty authority section', () => {
    // Prepare, Act
    const refused = referralVerdict(message({ rcode: 'REFUSED' }), twoNodes);
    const empty = referralVerdict(message(), twoNodes);
    // Assess
    expect(refused.reason).toBe(`answered REFUSED: the parent does not delegate ${zone}`);
    expect(empty.reason).toBe(`no NS records for ${zone} in the authority section`);
  });
});

describe("a node's own answers", () => {
  it('pass when authoritative, whatever names the node gives its servers', () => {
    // Prepare
    const renamed: DnsRecord = { ...ns(1), data: `dns-a.${zone}` };
    // Act, Assess
    expect(nodeNsVerdict(message({ aa: true, answers: [renamed] }), zone)).toEqual({
      pass: true,
      answer: `dns-a.${zone}`,
    });
    expect(nodeSoaVerdict(message({ aa: true, answers: [soa] }), zone).pass).toBe(true);
    expect(nodeNameVerdict(message({ aa: true, answers: [glue(1, '10.0.0.11')] }), `node1.${zone}`).pass).toBe(true);
  });

  it('fail when the node is not authoritative', () => {
    // Prepare
    const recursive = message({ aa: false, answers: [ns(1)] });
    // Act
    const verdict = nodeNsVerdict(recursive, zone);
    // Assess
    expect(verdict).toEqual({
      pass: false,
      answer: 'not authoritative',
      reason: `is not authoritative for ${zone} NS`,
    });
  });

  it('fail when the record is missing or the name does not exist', () => {
    // Prepare, Act
    const noSoa = nodeSoaVerdict(message({ aa: true }), zone);
    const noNs = nodeNsVerdict(message({ aa: true, authority: [soa] }), zone);
    const nxdomain = nodeNameVerdict(message({ aa: true, rcode: 'NXDOMAIN' }), `node9.${zone}`);
    const noAddress = nodeNameVerdict(message({ aa: true }), `node9.${zone}`);
    // Assess
    expect([noSoa, noNs, nxdomain, noAddress].map((v) => v.reason)).toEqual([
      `gave no SOA record for ${zone}`,
      `gave no NS records for ${zone}`,
      `answered NXDOMAIN for node9.${zone} A`,
      `gave no address for node9.${zone}`,
    ]);
  });
});
