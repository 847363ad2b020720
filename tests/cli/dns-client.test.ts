/** cli/dns/client.ts against sockets that misbehave: silence, a stranger's answer, garbage. */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { DnsQueryError, queryDns } from '../../cli/dns/client.js';
import { startResponder } from './support/dns-responder.js';

const sockets: dgram.Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** A UDP socket on loopback that hands every packet to `reply`. */
async function udpServer(reply: (packet: Buffer, send: (b: Buffer) => void) => void): Promise<number> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.on('message', (packet, peer) => reply(packet, (b) => socket.send(b, peer.port, peer.address)));
  return socket.address().port;
}

describe('DNS client', () => {
  it('gives up after the timeout when the server stays silent, naming it', async () => {
    // Prepare
    const port = await udpServer(() => undefined);
    // Act
    const asked = queryDns({ host: '127.0.0.1', port }, 'c1.example.com', 'NS', 200);
    // Assess
    await expect(asked).rejects.toThrow(new DnsQueryError(`no answer from 127.0.0.1:${port} within 200 ms`));
  });

  it('ignores an answer to another question', async () => {
    // Prepare: echo the query back with QR set but another id
    const port = await udpServer((packet, send) => {
      const wrong = Buffer.from(packet);
      wrong.writeUInt16BE((packet.readUInt16BE(0) + 1) & 0xffff, 0);
      wrong.writeUInt16BE(0x8000, 2);
      send(wrong);
    });
    // Act
    const asked = queryDns({ host: '127.0.0.1', port }, 'c1.example.com', 'NS', 200);
    // Assess
    await expect(asked).rejects.toThrow(/no answer from/);
  });

  it('reports an answer that does not parse', async () => {
    // Prepare
    const port = await udpServer((_packet, send) => send(Buffer.from([1, 2, 3])));
    // Act
    const asked = queryDns({ host: '127.0.0.1', port }, 'c1.example.com', 'NS', 1000);
    // Assess
    await expect(asked).rejects.toThrow(`127.0.0.1:${port} sent a malformed answer: Header must be 12 bytes`);
  });

  it('says when nothing listens on the port', async () => {
    // Prepare
    const port = await udpServer(() => undefined);
    sockets.pop()?.close();
    // Act
    const asked = queryDns({ host: '127.0.0.1', port }, 'c1.example.com', 'NS', 1000);
    // Assess
    await expect(asked).rejects.toThrow(`127.0.0.1:${port} refused: nothing listens on that UDP port`);
  });

  it('measures latency and names the transport used', async () => {
    // Prepare
    const server = await startResponder({
      zone: 'c1.example.com.',
      records: [{ name: 'node1.c1.example.com.', type: 'A', data: '10.0.0.11' }],
    });
    // Act
    const answer = await queryDns(server, 'NODE1.c1.example.com', 'A', 1000).finally(() => server.close());
    // Assess
    expect(answer.transport).toBe('udp');
    expect(answer.latencyMs).toBeGreaterThan(0);
    expect(answer.message.answers).toEqual([{ name: 'node1.c1.example.com.', type: 'A', ttl: 60, data: '10.0.0.11' }]);
  });
});
