/**
 * A tiny authoritative DNS server for tests (or, `recursive`, a resolver that answers from the records it is given):
 * one zone from the records it is given, over UDP and TCP on a loopback address. It answers as an authoritative server does (RFC 1034 §4.3.2): a referral at a zone cut (NS in authority,
 * glue in additional, AA clear), an answer with AA set, NODATA or NXDOMAIN with the SOA. Messages are read and
 * written with dns-packet, which does not compress names: decoding compressed names is tested on hand-written bytes
 * in tests/cli/dns-message.test.ts.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import {
  type Answer,
  AUTHORITATIVE_ANSWER,
  decode,
  encode,
  type Question,
  RECURSION_AVAILABLE,
  RECURSION_DESIRED,
  TRUNCATED_RESPONSE,
} from 'dns-packet';

export interface ZoneRecord {
  /** Fully qualified, trailing dot. */
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'NS' | 'SOA' | 'TXT';
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
  /**
   * Play a recursive resolver (as the VPC Resolver is to its clients): answer every name from the records as if it
   * had followed the delegation, RA set, AA clear, never a referral. `zone` is then only what it is said to serve.
   */
  readonly recursive?: boolean;
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

interface Query {
  readonly id: number;
  /** Recursion desired. */
  readonly rd: boolean;
  /** Lower case, trailing dot. */
  readonly name: string;
  readonly type: Question['type'];
}

/** The question of a query; anything else in it (an EDNS OPT record from a resolver) is ignored. */
function parseQuery(packet: Buffer): Query {
  const { id = 0, questions = [], flag_rd } = decode(packet);
  const { name = '.', type = 'A' } = questions[0] ?? {};
  return { id, rd: flag_rd, name: name === '.' ? '.' : `${name.toLowerCase()}.`, type };
}

interface Reply {
  readonly aa: boolean;
  readonly ra?: boolean;
  readonly rcode: number;
  readonly answers: readonly ZoneRecord[];
  readonly authority: readonly ZoneRecord[];
  readonly additional: readonly ZoneRecord[];
}

const within = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

/**
 * A resolver's answer to a recursive query: the records asked for, wherever they are; NXDOMAIN for a name it holds
 * nothing at or below.
 */
function resolve(records: readonly ZoneRecord[], name: string, type: string, rd: boolean): Reply {
  const none: ZoneRecord[] = [];
  // Asked without recursion, it has nothing cached to give: it refuses, as a resolver with an empty cache may.
  if (!rd) return { aa: false, ra: true, rcode: 5, answers: none, authority: none, additional: none };
  const answers = records.filter((r) => r.name === name && r.type === type);
  const rcode = answers.length > 0 || records.some((r) => within(r.name, name)) ? 0 : 3;
  return { aa: false, ra: true, rcode, answers, authority: none, additional: none };
}

/** The authoritative server's decision, RFC 1034 §4.3.2, for one zone (or, `recursive`, a resolver's). */
function decide(options: ResponderOptions, query: Query): Reply {
  const { zone, records } = options;
  const { name, type } = query;
  if (options.recursive === true) return resolve(records, name, type, query.rd);
  const none: ZoneRecord[] = [];
  if (!within(name, zone)) return { aa: false, rcode: 5, answers: none, authority: none, additional: none };
  const soa = records.filter((r) => r.name === zone && r.type === 'SOA');
  const cut = records.find((r) => r.type === 'NS' && r.name !== zone && within(name, r.name))?.name;
  if (cut !== undefined) {
    const ns = records.filter((r) => r.type === 'NS' && r.name === cut);
    const glue = records.filter((r) => (r.type === 'A' || r.type === 'AAAA') && ns.some((n) => n.data === r.name));
    return { aa: false, rcode: 0, answers: none, authority: ns, additional: glue };
  }
  const answers = records.filter((r) => r.name === name && r.type === type);
  if (answers.length > 0) return { aa: true, rcode: 0, answers, authority: none, additional: none };
  const exists = records.some((r) => within(r.name, name));
  return { aa: true, rcode: exists ? 0 : 3, answers: none, authority: soa, additional: none };
}

/** dns-packet's form of a zone record. */
function answer(r: ZoneRecord): Answer {
  const base = { name: r.name, ttl: r.ttl ?? 60, class: 'IN' as const };
  if (r.type === 'SOA') {
    const [mname = '', rname = '', ...numbers] = r.data.split(/\s+/);
    const [serial, refresh, retry, expire, minimum] = numbers.map(Number);
    return { ...base, type: 'SOA', data: { mname, rname, serial, refresh, retry, expire, minimum } };
  }
  if (r.type === 'TXT')
    return { ...base, type: 'TXT', data: [...r.data.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '') };
  return { ...base, type: r.type, data: r.data };
}

function encodeReply(query: Query, reply: Reply, truncated: boolean): Buffer {
  const flags =
    (reply.aa ? AUTHORITATIVE_ANSWER : 0) |
    (reply.ra === true ? RECURSION_AVAILABLE : 0) |
    (query.rd ? RECURSION_DESIRED : 0) |
    (truncated ? TRUNCATED_RESPONSE : 0) |
    reply.rcode;
  const sections = (records: readonly ZoneRecord[]) => (truncated ? [] : records.map(answer));
  return encode({
    id: query.id,
    type: 'response',
    flags,
    questions: [{ name: query.name, type: query.type, class: 'IN' }],
    answers: sections(reply.answers),
    authorities: sections(reply.authority),
    additionals: sections(reply.additional),
  });
}

function respond(options: ResponderOptions, packet: Buffer, transport: 'udp' | 'tcp', log: Responder['queries']) {
  const query = parseQuery(packet);
  log.push({ name: query.name, type: query.type, transport });
  const reply = decide(options, query);
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
  const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options.port ?? 0, host, () => resolve());
  });
  const port = udp.address().port;
  udp.on('message', (packet, peer) => udp.send(respond(options, packet, 'udp', queries), peer.port, peer.address));
  const tcp = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const reply = respond(options, buffered.subarray(2, 2 + buffered.readUInt16BE(0)), 'tcp', queries);
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
