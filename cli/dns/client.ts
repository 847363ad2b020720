/**
 * Asks one DNS server one question, as `dig +norecurse @server name type` does: over UDP, and again over TCP when
 * the UDP answer comes back truncated (TC set: a referral with many glue records outgrows 512 bytes).
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { TransientError } from '../../lib/platform/errors.js';
import { type DnsMessage, decodeMessage, encodeQuery } from './message.js';

export interface DnsServer {
  /** An IP address. */
  readonly host: string;
  readonly port: number;
}

export interface DnsAnswer {
  readonly message: DnsMessage;
  readonly transport: 'udp' | 'tcp';
  readonly latencyMs: number;
}

/** The server did not answer, or not usably. */
export class DnsQueryError extends TransientError {}

export const serverText = (s: DnsServer): string =>
  net.isIPv6(s.host) ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;

function matches(message: DnsMessage, id: number, name: string, type: string): boolean {
  const q = message.questions[0];
  return message.id === id && message.flags.qr && (q === undefined || (q.name === name && q.type === type));
}

function overUdp(server: DnsServer, query: Buffer, accept: (m: DnsMessage) => boolean, timeoutMs: number) {
  return new Promise<DnsMessage>((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    let finished = false;
    const done = (error: Error | undefined, message?: DnsMessage) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      if (message !== undefined) resolve(message);
      else reject(error);
    };
    const timer = setTimeout(
      () => done(new DnsQueryError(`no answer from ${serverText(server)} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    // A connected socket only hears from the server, and learns of an ICMP "port unreachable" as ECONNREFUSED.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const refused = error.code === 'ECONNREFUSED' ? 'refused: nothing listens on that UDP port' : error.message;
      done(new DnsQueryError(`${serverText(server)} ${refused}`));
    });
    socket.on('message', (packet) => {
      try {
        const message = decodeMessage(packet);
        if (accept(message)) done(undefined, message);
      } catch (error) {
        done(new DnsQueryError(`${serverText(server)} sent a malformed answer: ${(error as Error).message}`));
      }
    });
    socket.connect(server.port, server.host, () => socket.send(query));
  });
}

function overTcp(server: DnsServer, query: Buffer, timeoutMs: number) {
  return new Promise<DnsMessage>((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(new DnsQueryError(`${serverText(server)} over TCP: ${error.message}`));
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      socket.destroy();
      try {
        resolve(decodeMessage(received.subarray(2, 2 + received.readUInt16BE(0))));
      } catch (error) {
        reject(new DnsQueryError(`${serverText(server)} sent a malformed answer: ${(error as Error).message}`));
      }
    });
    socket.on('end', () => fail(new Error('closed the connection before answering')));
  });
}

/**
 * One question, without recursion (an authoritative server's view) unless `recursive` (a resolver's: RD set).
 * `timeoutMs` bounds each transport.
 *
 * @throws DnsQueryError when the server does not answer in time, refuses the connection, or answers garbage.
 */
export async function queryDns(
  server: DnsServer,
  name: string,
  type: string,
  timeoutMs: number,
  options: { readonly recursive?: boolean } = {},
): Promise<DnsAnswer> {
  const fqdn = name.endsWith('.') ? name.toLowerCase() : `${name.toLowerCase()}.`;
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, fqdn, type, options.recursive === true);
  const accept = (m: DnsMessage) => matches(m, id, fqdn, type);
  const start = performance.now();
  const udp = await overUdp(server, query, accept, timeoutMs);
  if (!udp.flags.tc) return { message: udp, transport: 'udp', latencyMs: performance.now() - start };
  const tcp = await overTcp(server, query, timeoutMs);
  if (!accept(tcp)) throw new DnsQueryError(`${serverText(server)} over TCP answered another question`);
  return { message: tcp, transport: 'tcp', latencyMs: performance.now() - start };
}
