/**
 * DNS messages as `verify` reads them. The wire format (RFC 1035, name compression included) is dns-packet's; this
 * module turns its output into what the checks compare: names lower case with their trailing dot, record data in
 * presentation form, and any answer that does not parse, or parses only by reading past its end, as an error.
 */
import { type Answer, type DecodedPacket, decode, encode, type Question, RECURSION_DESIRED } from 'dns-packet';
import { PermanentError } from '../../lib/platform/errors.js';

export interface DnsRecord {
  /** Lower case, with its trailing dot. */
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  /** Presentation form: `10.0.0.1`, `ns1.c1.example.com.`, `"a" "b"`, `mname rname serial refresh retry expire min`. */
  readonly data: string;
}

export interface DnsMessage {
  readonly id: number;
  readonly flags: {
    readonly qr: boolean;
    readonly aa: boolean;
    readonly tc: boolean;
    readonly rd: boolean;
    /** Recursion available: the server is a resolver that recurses for its clients. */
    readonly ra: boolean;
  };
  readonly rcode: string;
  readonly questions: readonly { readonly name: string; readonly type: string }[];
  readonly answers: readonly DnsRecord[];
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
}

/** An answer that does not parse. */
export class DnsFormatError extends PermanentError {}

/**
 * Presentation form of raw bytes: printable ASCII as it is, anything a terminal could act on as `\DDD` (a hostile
 * server's answer is printed in verify's tables), and in quoted strings `"` and `\` escaped.
 */
const escaped = (bytes: Uint8Array, quoted = false): string =>
  [...bytes]
    .map((b) => {
      if (quoted && (b === 0x22 || b === 0x5c)) return `\\${String.fromCharCode(b)}`;
      return b >= (quoted ? 0x20 : 0x21) && b < 0x7f ? String.fromCharCode(b) : `\\${String(b).padStart(3, '0')}`;
    })
    .join('');

const canonical = (name: string): string =>
  name === '.' ? '.' : `${escaped(Buffer.from(name, 'utf8')).toLowerCase()}.`;

const quoted = (strings: readonly Buffer[]): string => strings.map((s) => `"${escaped(s, true)}"`).join(' ');

function presentation(record: Answer): string {
  if (record.type === 'OPT') return '';
  const { type, data } = record;
  if (type === 'NS' || type === 'CNAME' || type === 'PTR' || type === 'DNAME') return canonical(data);
  if (type === 'A' || type === 'AAAA') return data;
  if (type === 'SOA') {
    const { mname, rname, serial, refresh, retry, expire, minimum } = data;
    return [canonical(mname), canonical(rname), serial, refresh, retry, expire, minimum].join(' ');
  }
  if (type === 'MX') return `${data.preference} ${canonical(data.exchange)}`;
  if (type === 'TXT') return quoted((Array.isArray(data) ? data : [data]).map((s) => Buffer.from(s)));
  return Buffer.isBuffer(data)
    ? `\\# ${data.length} ${data.toString('hex')}`
    : escaped(Buffer.from(JSON.stringify(data)));
}

const record = (r: Answer): DnsRecord => ({
  name: canonical(r.name),
  type: r.type,
  ttl: r.type === 'OPT' ? 0 : (r.ttl ?? 0),
  data: presentation(r),
});

const question = (q: Question) => ({ name: canonical(q.name), type: q.type });

/** The types a query may ask for: dns-packet would encode any other name as type 0. */
const QUERY_TYPES = new Set<string>(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'TXT']);
const isQueryType = (type: string): type is Question['type'] => QUERY_TYPES.has(type);

/** Encodes a query for one name and type, class IN; without recursion unless asked (we ask authoritative servers). */
export function encodeQuery(id: number, name: string, type: string, recursionDesired = false): Buffer {
  if (!isQueryType(type)) throw new Error(`unsupported query type ${type}`);
  // dns-packet writes a label's length in one byte whatever it is: a longer name would go out garbled.
  const bare = name.replace(/\.$/, '');
  if (bare.split('.').some((l) => Buffer.byteLength(l) > 63) || Buffer.byteLength(bare) > 253) {
    throw new Error(`name too long for DNS: ${name}`);
  }
  const flags = recursionDesired ? RECURSION_DESIRED : 0;
  return encode({ id, type: 'query', flags, questions: [{ name, type, class: 'IN' }] });
}

/**
 * Decodes a whole DNS message.
 *
 * @throws DnsFormatError when it is truncated or malformed.
 */
export function decodeMessage(buf: Buffer): DnsMessage {
  let packet: DecodedPacket;
  try {
    packet = decode(buf);
  } catch (error) {
    throw new DnsFormatError((error as Error).message, { cause: error });
  }
  // dns-packet reads a record cut short at the end without complaint (an A record becomes `10.0.undefined.undefined`).
  if (decode.bytes > buf.length) {
    throw new DnsFormatError(`truncated: its records need ${decode.bytes} bytes, it has ${buf.length}`);
  }
  return {
    id: packet.id ?? 0,
    flags: { qr: packet.flag_qr, aa: packet.flag_aa, tc: packet.flag_tc, rd: packet.flag_rd, ra: packet.flag_ra },
    // dns-packet names the response code (`NXDOMAIN`, `RCODE_12`); @types/dns-packet does not declare the field.
    rcode: (packet as DecodedPacket & { rcode: string }).rcode,
    questions: (packet.questions ?? []).map(question),
    answers: (packet.answers ?? []).map(record),
    authority: (packet.authorities ?? []).map(record),
    additional: (packet.additionals ?? []).map(record),
  };
}
