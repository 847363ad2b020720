/**
 * What `verify` expects of each answer: pure functions from a decoded answer to a verdict, so every rule is tested
 * without a network.
 *
 * | server | question              | passes when                                                                     |
 * |--------|-----------------------|---------------------------------------------------------------------------------|
 * | parent | `<cluster>` NS        | NOERROR referral (not authoritative): the NS names Route 53 publishes, exactly;  |
 * |        |                       | each name's glue (A, and AAAA for ipv6/dual) is the address of the running      |
 * |        |                       | member holding it, and every running member is there                            |
 * | node   | `<cluster>` NS        | NOERROR, authoritative, at least one NS (the nodes may name their servers)      |
 * | node   | `<cluster>` SOA       | NOERROR, authoritative, an SOA for the cluster's name                           |
 * | node   | `nodeN.<cluster>` A   | NOERROR, authoritative, at least one address                                    |
 */
import { canonicalAddress } from '../../lib/plan/resolver-rules.js';
import type { DnsMessage } from '../dns/message.js';

export interface Expected {
  /** The cluster's name, canonical (trailing dot). */
  readonly zone: string;
  /** The NS values Route 53 publishes for the cluster. */
  readonly published: readonly string[];
  /** Name server name → IPv4 address (A glue) of the running member that should hold it. */
  readonly glue: ReadonlyMap<string, string>;
  /** Name server name → IPv6 address (AAAA glue), for ADDRESS_FAMILY ipv6 or dual. */
  readonly glue6?: ReadonlyMap<string, string>;
}

export interface Verdict {
  readonly pass: boolean;
  /** The answer, in short. */
  readonly answer: string;
  /** Why it fails; absent when it passes. */
  readonly reason?: string;
}

const fail = (answer: string, reason: string): Verdict => ({ pass: false, answer, reason });
const pass = (answer: string): Verdict => ({ pass: true, answer });
const list = (names: readonly string[]) => (names.length === 0 ? 'nothing' : [...names].sort().join(' '));

/** What is wrong with one name's glue of one type (A or AAAA); `want` undefined: none should be there. */
function glueProblems(name: string, type: 'A' | 'AAAA', want: string | undefined, got: readonly string[]): string[] {
  const kind = type === 'A' ? '' : ' AAAA';
  if (want === undefined) return got.length === 0 ? [] : [`${name} has${kind} glue ${got.join(',')}, expected none`];
  if (got.length === 0) return [`${name} has no${kind} glue (expected ${want})`];
  if (got.length !== 1 || !sameAddress(got[0] ?? '', want))
    return [`${name}${kind} glue is ${got.join(',')}, expected ${want}`];
  return [];
}

/** IPv6 addresses are compared in one spelling (`fd00:0::1` is `fd00::1`). */
export const sameAddress = (a: string, b: string): boolean => canonicalAddress(a) === canonicalAddress(b);

/** The parent zone's server should refer resolvers to the cluster's nodes. */
export function referralVerdict(m: DnsMessage, expected: Expected): Verdict {
  const { zone } = expected;
  if (m.rcode !== 'NOERROR') return fail(m.rcode, `answered ${m.rcode}: the parent does not delegate ${zone}`);
  if (m.answers.some((r) => r.type === 'NS' && r.name === zone) || m.flags.aa) {
    const answer = m.answers.map((r) => `${r.type} ${r.data}`).join(', ') || 'no records';
    return fail(answer, `answered authoritatively instead of referring: the parent does not delegate ${zone}`);
  }
  const names = m.authority.filter((r) => r.type === 'NS' && r.name === zone).map((r) => r.data);
  if (names.length === 0) return fail('no NS', `no NS records for ${zone} in the authority section`);
  const glueOf = (type: string) => {
    const found = new Map<string, string[]>();
    for (const r of m.additional.filter((r) => r.type === type && names.includes(r.name))) {
      found.set(r.name, [...(found.get(r.name) ?? []), r.data]);
    }
    return found;
  };
  const [glue, glue6] = [glueOf('A'), glueOf('AAAA')];
  const want6 = expected.glue6 ?? new Map<string, string>();
  const shown = (n: string) => [...(glue.get(n) ?? []), ...(glue6.get(n) ?? [])];
  const answer = `referral: ${[...names]
    .sort()
    .map((n) => `${n}=${(shown(n).length === 0 ? ['no glue'] : shown(n)).join(',')}`)
    .join(' ')}`;
  const problems: string[] = [];
  const missing = expected.published.filter((n) => !names.includes(n));
  const extra = names.filter((n) => !expected.published.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    problems.push(`lists ${list(names)} but Route 53 publishes ${list(expected.published)}`);
  }
  for (const name of names) {
    const want = expected.glue.get(name);
    const wantV6 = want6.get(name);
    if (want === undefined && wantV6 === undefined) {
      problems.push(`${name} is held by no running member`);
      continue;
    }
    problems.push(...glueProblems(name, 'A', want, glue.get(name) ?? []));
    problems.push(...glueProblems(name, 'AAAA', wantV6, glue6.get(name) ?? []));
  }
  for (const [name, address] of [...expected.glue, ...want6]) {
    if (!names.includes(name) && !missing.includes(name)) {
      problems.push(`running member ${name} (${address}) is not delegated`);
    }
  }
  return problems.length === 0 ? pass(answer) : fail(answer, problems.join('; '));
}

function authoritative(m: DnsMessage, question: string): Verdict | undefined {
  if (m.rcode !== 'NOERROR') return fail(m.rcode, `answered ${m.rcode} for ${question}`);
  if (!m.flags.aa) return fail('not authoritative', `is not authoritative for ${question}`);
  return undefined;
}

/** A node's own DNS server should answer for the cluster's name: its NS records. */
export function nodeNsVerdict(m: DnsMessage, zone: string): Verdict {
  const problem = authoritative(m, `${zone} NS`);
  if (problem !== undefined) return problem;
  const names = m.answers.filter((r) => r.type === 'NS' && r.name === zone).map((r) => r.data);
  return names.length === 0 ? fail('no NS', `gave no NS records for ${zone}`) : pass(list(names));
}

/** … and its SOA record. */
export function nodeSoaVerdict(m: DnsMessage, zone: string): Verdict {
  const problem = authoritative(m, `${zone} SOA`);
  if (problem !== undefined) return problem;
  const soa = m.answers.find((r) => r.type === 'SOA' && r.name === zone);
  return soa === undefined ? fail('no SOA', `gave no SOA record for ${zone}`) : pass(soa.data);
}

/** … and resolve a node's name (`node1.<cluster>`) to an address. */
export function nodeNameVerdict(m: DnsMessage, name: string): Verdict {
  const problem = authoritative(m, `${name} A`);
  if (problem !== undefined) return problem;
  const addresses = m.answers.filter((r) => r.type === 'A').map((r) => r.data);
  return addresses.length === 0 ? fail('no address', `gave no address for ${name}`) : pass(addresses.join(' '));
}
