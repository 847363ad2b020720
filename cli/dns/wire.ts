/**
 * The DNS wire format (RFC 1035), as much as `verify` needs: encode one query, decode any answer (name compression
 * included, every pointer bounds- and loop-checked, so a hostile or broken answer is an error, never a hang).
 * Node has no DNS client that asks a chosen server without recursion and shows the sections of the answer, so this is
 * written against the RFC rather than pulled in as a dependency.
 */

export const TYPES: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
};
const TYPE_NAMES = new Map(Object.entries(TYPES).map(([name, code]) => [code, name]));
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET'];
const CLASS_IN = 1;
const MAX_NAME = 255;

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
  readonly flags: { readonly qr: boolean; readonly aa: boolean; readonly tc: boolean; readonly rd: boolean };
  readonly rcode: string;
  readonly questions: readonly { readonly name: string; readonly type: string }[];
  readonly answers: readonly DnsRecord[];
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
}

/** An answer that does not parse. */
export class DnsFormatError extends Error {
  override name = 'DnsFormatError';
}

const typeName = (code: number): string => TYPE_NAMES.get(code) ?? `TYPE${code}`;

/** Encodes a query for one name and type, class IN. Recursion not desired: we ask authoritative servers. */
export function encodeQuery(id: number, name: string, type: string, recursionDesired = false): Buffer {
  const code = TYPES[type];
  if (code === undefined) throw new Error(`unsupported query type ${type}`);
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '');
  const encoded = labels.map((l) => Buffer.from(l, 'ascii'));
  if (encoded.some((l) => l.length > 63) || encoded.reduce((n, l) => n + l.length + 1, 1) > MAX_NAME) {
    throw new Error(`name too long for DNS: ${name}`);
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(recursionDesired ? 0x0100 : 0, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(code, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, ...encoded.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0]), tail]);
}

/** Presentation form of one label: printable ASCII as is (lower-cased), `.` and `\` escaped, other bytes as \DDD. */
function labelText(bytes: Buffer): string {
  let text = '';
  for (const b of bytes) {
    if (b === 0x2e || b === 0x5c) text += `\\${String.fromCharCode(b)}`;
    else if (b > 0x20 && b < 0x7f) text += String.fromCharCode(b).toLowerCase();
    else text += `\\${String(b).padStart(3, '0')}`;
  }
  return text;
}

class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DnsFormatError(`answer truncated at byte ${this.pos}`);
  }

  #take(n: number): number {
    this.need(n);
    this.pos += n;
    return this.pos - n;
  }

  u8 = (): number => this.buf.readUInt8(this.#take(1));
  u16 = (): number => this.buf.readUInt16BE(this.#take(2));
  u32 = (): number => this.buf.readUInt32BE(this.#take(4));

  /** A possibly compressed name; leaves `pos` after it (after the first pointer, if any). */
  name(): string {
    const labels: string[] = [];
    let pos = this.pos;
    let end: number | undefined;
    let length = 1;
    for (let jumps = 0; ; ) {
      if (pos >= this.buf.length) throw new DnsFormatError(`name runs past the end of the answer at byte ${pos}`);
      const len = this.buf.readUInt8(pos);
      if (len === 0) {
        this.pos = end ?? pos + 1;
        return labels.length === 0 ? '.' : `${labels.join('.')}.`;
      }
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new DnsFormatError('compression pointer runs past the end');
        end ??= pos + 2;
        pos = ((len & 0x3f) << 8) | this.buf.readUInt8(pos + 1);
        if (++jumps > 64) throw new DnsFormatError('compression pointers loop');
        continue;
      }
      if ((len & 0xc0) !== 0) throw new DnsFormatError(`unsupported label type 0x${len.toString(16)}`);
      if (pos + 1 + len > this.buf.length) throw new DnsFormatError(`label runs past the end at byte ${pos}`);
      length += len + 1;
      if (length > MAX_NAME) throw new DnsFormatError('name longer than 255 bytes');
      labels.push(labelText(this.buf.subarray(pos + 1, pos + 1 + len)));
      pos += 1 + len;
    }
  }
}

function rdata(r: Reader, type: string, length: number): string {
  const end = r.pos + length;
  r.need(length);
  const bytes = r.buf.subarray(r.pos, end);
  let data: string;
  if (type === 'A' && length === 4) data = [...bytes].join('.');
  else if (type === 'AAAA' && length === 16) data = (bytes.toString('hex').match(/.{4}/g) ?? []).join(':');
  else if (type === 'NS' || type === 'CNAME' || type === 'PTR') data = r.name();
  else if (type === 'MX') data = `${r.u16()} ${r.name()}`;
  else if (type === 'SOA') data = [r.name(), r.name(), r.u32(), r.u32(), r.u32(), r.u32(), r.u32()].join(' ');
  else if (type === 'TXT') {
    const strings: string[] = [];
    while (r.pos < end) {
      const len = r.u8();
      r.need(len);
      strings.push(`"${r.buf.toString('latin1', r.pos, r.pos + len).replace(/["\\]/g, '\\$&')}"`);
      r.pos += len;
    }
    data = strings.join(' ');
  } else data = `\\# ${length} ${bytes.toString('hex')}`;
  if (r.pos > end) throw new DnsFormatError(`${type} record data overruns its length`);
  r.pos = end;
  return data;
}

function record(r: Reader): DnsRecord {
  const name = r.name();
  const type = typeName(r.u16());
  r.u16(); // class
  const ttl = r.u32();
  const length = r.u16();
  return { name, type, ttl, data: rdata(r, type, length) };
}

/**
 * Decodes a whole DNS message.
 *
 * @throws DnsFormatError when it is truncated or malformed.
 */
export function decodeMessage(buf: Buffer): DnsMessage {
  const r = new Reader(buf);
  const id = r.u16();
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const;
  const questions = Array.from({ length: counts[0] }, () => {
    const name = r.name();
    const type = typeName(r.u16());
    r.u16();
    return { name, type };
  });
  const section = (n: number) => Array.from({ length: n }, () => record(r));
  return {
    id,
    flags: {
      qr: (flags & 0x8000) !== 0,
      aa: (flags & 0x0400) !== 0,
      tc: (flags & 0x0200) !== 0,
      rd: (flags & 0x0100) !== 0,
    },
    rcode: RCODES[flags & 0x000f] ?? `RCODE${flags & 0x000f}`,
    questions,
    answers: section(counts[1]),
    authority: section(counts[2]),
    additional: section(counts[3]),
  };
}
