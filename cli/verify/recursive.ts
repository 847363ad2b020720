/**
 * What `verify --resolver` expects of a resolver inside the VPC (the VPC Resolver at the VPC's `.2` address, or one a
 * user runs there): asked recursively, it gives the private side as clients see it. The VPC Resolver gives no
 * referral (it follows the DELEGATE rule, or forwards per the FORWARD rule), so the check is on the answers: the
 * cluster's NS, each name server's address, each node's name. Pure, like checks.ts.
 *
 * | question                  | passes when                                                                           |
 * |---------------------------|---------------------------------------------------------------------------------------|
 * | `<cluster>` NS            | NOERROR, recursion available, at least one NS, each one the private zone publishes   |
 * | `nsN.<cluster>` A / AAAA  | NOERROR, recursion available, exactly the private zone's glue for that name          |
 * | `nodeN.<cluster>` A       | NOERROR, recursion available, at least one address                                   |
 */
import type { DnsMessage } from '../dns/message.js';
import { sameAddress, type Verdict } from './checks.js';

const fail = (answer: string, reason: string): Verdict => ({ pass: false, answer, reason });
const pass = (answer: string): Verdict => ({ pass: true, answer });

function recursed(m: DnsMessage, question: string): Verdict | undefined {
  if (!m.flags.ra) return fail('no recursion', `does not recurse (RA clear) for ${question}: not a resolver`);
  if (m.rcode !== 'NOERROR') return fail(m.rcode, `answered ${m.rcode} for ${question}`);
  return undefined;
}

/** The cluster's NS through the resolver: names the private zone publishes. */
export function resolvedNsVerdict(m: DnsMessage, zone: string, published: readonly string[]): Verdict {
  const problem = recursed(m, `${zone} NS`);
  if (problem !== undefined) return problem;
  const names = m.answers.filter((r) => r.type === 'NS' && r.name === zone).map((r) => r.data);
  if (names.length === 0) return fail('no NS', `gave no NS records for ${zone}`);
  const answer = [...names].sort().join(' ');
  const unknown = names.filter((n) => !published.includes(n));
  if (unknown.length > 0) {
    return fail(
      answer,
      `gives ${unknown.join(', ')}, which the private zone does not publish (${published.join(' ')})`,
    );
  }
  return pass(answer);
}

/** A name server's address through the resolver: exactly the private zone's glue. */
export function resolvedGlueVerdict(m: DnsMessage, name: string, type: 'A' | 'AAAA', want: string): Verdict {
  const problem = recursed(m, `${name} ${type}`);
  if (problem !== undefined) return problem;
  const got = m.answers.filter((r) => r.type === type && r.name === name).map((r) => r.data);
  const answer = got.length === 0 ? 'no address' : got.join(' ');
  if (got.length === 0) return fail(answer, `gave no ${type} for ${name} (the private zone's glue is ${want})`);
  if (got.length !== 1 || !sameAddress(got[0] ?? '', want)) {
    return fail(answer, `${name} resolves to ${got.join(',')}, but the private zone's glue is ${want}`);
  }
  return pass(answer);
}

/** A node's name through the resolver: some address. */
export function resolvedNameVerdict(m: DnsMessage, name: string): Verdict {
  const problem = recursed(m, `${name} A`);
  if (problem !== undefined) return problem;
  const addresses = m.answers.filter((r) => r.type === 'A').map((r) => r.data);
  return addresses.length === 0 ? fail('no address', `gave no address for ${name}`) : pass(addresses.join(' '));
}
