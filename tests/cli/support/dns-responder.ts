/**
 * A tiny authoritative DNS server for tests: one zone from the records it is given, over UDP and TCP on a loopback
 * address. It answers as an authoritative server does (RFC 1034 §4.3.2): a referral at a zone cut (NS in authority,
 * glue in additional, AA clear), an answer with AA set, NODATA or NXDOMAIN with the SOA. Its encoder is its own, and
 * compresses names, so the CLI's decoder is checked against an independent implementation.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export interface ZoneRecord {
  /** Fully qualified, trailing dot. */
  readonly name: string;
  readonly type: 'A' | 'NS' | 'SOA' | 'TXT';
  readonly data: string;
  readonly ttl?: number;
}

export interface ResponderOptions {
  /** The zone's apex, trailing dot: `example.com.` */
  readonly zone: string;
  readonly records: readonly ZoneRecord[];
  readonly host?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Answer every UDP question with TC set and no records, so the client must ask again over TCP. */
  readonly truncateUdp?: boolean;
}

export interface Responder {
  readonly host: string;
  readonly port: number;
  /** `host:port`, as `--server` takes it. */
  readonly address: string;
  /** Questions received, in order. */
  readonly queries: { name: string; type: string; transport: 'udp' | 'tcp' }[];
  close(): Promise<void>;
}

const TYPE_CODES: Record<string, number> = { A: 1, NS: 2, SOA: 6, TXT: 16 };
const TYPE_BY_CODE = new Map(Object.entries(TYPE_CODES).map(([name, code]) => [code, name]));

/** Writes a DNS message, compressing names against those already written. */
class Writer {
  readonly #parts: Buffer[] = [];
  #length = 0;
  readonly #names = new Map<string, number>();
  /** RDLENGTH fields to fill in: [offset of the field, offset where the data starts]. */
  readonly #lengths: [number, number][] = [];

  bytes(b: Buffer): void {
    this.#parts.push(b);
    this.#length += b.length;
  }

  u16(n: number): void {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    this.bytes(b);
  }

  u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.bytes(b);
  }

  name(fqdn: string): void {
    const labels = fqdn.replace(/\.$/, '').split('.').filter(Boolean);
    for (let i = 0; i < labels.length; i += 1) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.#names.get(suffix);
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.#length < 0x3fff) this.#names.set(suffix, this.#length);
      const label = Buffer.from(labels[i] ?? '', 'ascii');
      this.bytes(Buffer.concat([Buffer.from([label.length]), label]));
    }
    this.bytes(Buffer.from([0]));
  }

  /** Writes an RDLENGTH placeholder; the data written until `endData` is counted. */
  beginData(): void {
    this.u16(0);
    this.#lengths.push([this.#length - 2, this.#length]);
  }

  endData(): void {
    const open = this.#lengths.at(-1);
    if (open !== undefined) open[1] = this.#length - open[1];
  }

  toBuffer(): Buffer {
    const buf = Buffer.concat(this.#parts);
    for (const [at, length] of this.#lengths) buf.writeUInt16BE(length, at);
    return buf;
  }
}

function writeRecord(w: Writer, r: ZoneRecord): void {
  w.name(r.name);
  w.u16(TYPE_CODES[r.type] ?? 0);
  w.u16(1);
  w.u32(r.ttl ?? 60);
  w.beginData();
  if (r.type === 'A') w.bytes(Buffer.from(r.data.split('.').map(Number)));
  else if (r.type === 'NS') w.name(r.data);
  else if (r.type === 'SOA') {
    const [mname = '', rname = '', ...numbers] = r.data.split(/\s+/);
    w.name(mname);
    w.name(rname);
    for (const n of numbers) w.u32(Number(n));
  } else {
    for (const s of [...r.data.matchAll(/"([^"]*)"/g)].map((m) => Buffer.from(m[1] ?? '', 'latin1'))) {
      w.bytes(Buffer.concat([Buffer.from([s.length]), s]));
    }
  }
  w.endData();
}

interface Query {
  readonly id: number;
  readonly name: string;
  readonly typeCode: number;
  readonly question: Buffer;
}

function parseQuery(packet: Buffer): Query {
  const labels: string[] = [];
  let pos = 12;
  for (let len = packet.readUInt8(pos); len !== 0; len = packet.readUInt8(pos)) {
    labels.push(packet.toString('ascii', pos + 1, pos + 1 + len).toLowerCase());
    pos += 1 + len;
  }
  const typeCode = packet.readUInt16BE(pos + 1);
  return { id: packet.readUInt16BE(0), name: `${labels.join('.')}.`, typeCode, question: packet.subarray(12, pos + 5) };
}

interface Reply {
  readonly aa: boolean;
  readonly rcode: number;
  readonly answers: readonly ZoneRecord[];
  readonly authority: readonly ZoneRecord[];
  readonly additional: readonly ZoneRecord[];
}

const within = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

/** The authoritative server's decision, RFC 1034 §4.3.2, for one zone. */
function decide(options: ResponderOptions, name: string, type: string): Reply {
  const { zone, records } = options;
  const none: ZoneRecord[] = [];
  if (!within(name, zone)) return { aa: false, rcode: 5, answers: none, authority: none, additional: none };
  const soa = records.filter((r) => r.name === zone && r.type === 'SOA');
  const cut = records.find((r) => r.type === 'NS' && r.name !== zone && within(name, r.name))?.name;
  if (cut !== undefined) {
    const ns = records.filter((r) => r.type === 'NS' && r.name === cut);
    const glue = records.filter((r) => r.type === 'A' && ns.some((n) => n.data === r.name));
    return { aa: false, rcode: 0, answers: none, authority: ns, additional: glue };
  }
  const answers = records.filter((r) => r.name === name && r.type === type);
  if (answers.length > 0) return { aa: true, rcode: 0, answers, authority: none, additional: none };
  const exists = records.some((r) => within(r.name, name));
  return { aa: true, rcode: exists ? 0 : 3, answers: none, authority: soa, additional: none };
}

function encodeReply(query: Query, reply: Reply, truncated: boolean): Buffer {
  const w = new Writer();
  w.u16(query.id);
  w.u16(0x8000 | (reply.aa ? 0x0400 : 0) | (truncated ? 0x0200 : 0) | reply.rcode);
  const sections = truncated ? [[], [], []] : [reply.answers, reply.authority, reply.additional];
  for (const n of [1, ...sections.map((s) => s.length)]) w.u16(n);
  w.name(query.name);
  w.u16(query.typeCode);
  w.u16(1);
  for (const r of sections.flat()) writeRecord(w, r);
  return w.toBuffer();
}

function answer(options: ResponderOptions, packet: Buffer, transport: 'udp' | 'tcp', log: Responder['queries']) {
  const query = parseQuery(packet);
  const type = TYPE_BY_CODE.get(query.typeCode) ?? `TYPE${query.typeCode}`;
  log.push({ name: query.name, type, transport });
  const reply = decide(options, query.name, type);
  const full = encodeReply(query, reply, false);
  const truncate = transport === 'udp' && (options.truncateUdp === true || full.length > 512);
  return truncate ? encodeReply(query, reply, true) : full;
}

/** Starts the responder on UDP and TCP, same address and port; a free port (tried up to 5 times) unless one is given. */
export async function startResponder(options: ResponderOptions): Promise<Responder> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await bind(options);
    } catch (error) {
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!taken || (options.port ?? 0) !== 0 || attempt >= 5) throw error;
    }
  }
}

async function bind(options: ResponderOptions): Promise<Responder> {
  const host = options.host ?? '127.0.0.1';
  const queries: Responder['queries'] = [];
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options.port ?? 0, host, () => resolve());
  });
  const port = udp.address().port;
  udp.on('message', (packet, peer) => udp.send(answer(options, packet, 'udp', queries), peer.port, peer.address));
  const tcp = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const reply = answer(options, buffered.subarray(2, 2 + buffered.readUInt16BE(0)), 'tcp', queries);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(reply.length);
      socket.end(Buffer.concat([length, reply]));
    });
    socket.on('error', () => undefined);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, host, () => resolve());
    });
  } catch (error) {
    udp.close();
    throw error;
  }
  const close = async () => {
    udp.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  };
  return { host, port, address: `${host}:${port}`, queries, close };
}
