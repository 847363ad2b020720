/**
 * The cluster's nodes, as DNS sees them: each Redis Enterprise node runs an authoritative server for the cluster's
 * name on port 53 of its own address. Here each is the tests' small responder (tests/cli/support) on a loopback
 * address. A node can be taken away in two ways, which a resolver could tell apart:
 * - its DNS server stops (the host is up): the port is closed, and the kernel answers ICMP "port unreachable";
 * - the host is gone: nothing answers at all. A "black hole" plays that: a socket on the address that takes every
 *   packet and answers none, and counts them.
 * (Unbound 1.17 does not tell them apart: it waits out its timeout either way; see the figures in docs/e2e.md.)
 */
import dgram from 'node:dgram';
import { type Responder, startResponder, type ZoneRecord } from '../../cli/support/dns-responder.js';

export const DNS_PORT = 53;

/**
 * The zone every node serves for its cluster: SOA, the cluster's name servers as the parent publishes them (`nsN`,
 * with the address of the member holding N, so the child's answers agree with the parent's glue), and `node1`… `nodeN`
 * at the nodes' addresses in order.
 */
export function nodeZone(cluster: string, nameServers: ReadonlyMap<string, string>, addresses: readonly string[]) {
  const zone = `${cluster}.`;
  const [first = `ns1.${zone}`] = [...nameServers.keys()].sort();
  const records: ZoneRecord[] = [
    { name: zone, type: 'SOA', data: `${first} admin.${zone} 1 3600 600 604800 60` },
    ...[...nameServers.keys()].sort().map((ns) => ({ name: zone, type: 'NS' as const, data: ns })),
    ...[...nameServers].map(([ns, address]) => ({ name: ns, type: 'A' as const, data: address })),
    ...addresses.map((address, i) => ({ name: `node${i + 1}.${zone}`, type: 'A' as const, data: address })),
  ];
  return records;
}

export class NodeServers {
  readonly #servers = new Map<string, Responder>();

  private constructor(
    readonly cluster: string,
    readonly records: readonly ZoneRecord[],
  ) {}

  /** A server on port 53 of each address, all serving the same zone (see {@link nodeZone}). */
  static async start(cluster: string, addresses: readonly string[], records: readonly ZoneRecord[]) {
    const nodes = new NodeServers(cluster, records);
    try {
      for (const host of addresses) {
        const server = await startResponder({ zone: `${cluster}.`, records, host, port: DNS_PORT });
        nodes.#servers.set(host, server);
      }
    } catch (error) {
      await nodes.close();
      throw error;
    }
    return nodes;
  }

  /** Stops the server at one address: its port is closed from now on. */
  async stopOne(address: string): Promise<void> {
    await this.#servers.get(address)?.close();
    this.#servers.delete(address);
  }

  /** The questions the server at an address has been asked so far. */
  queries(address: string): Responder['queries'] {
    return this.#servers.get(address)?.queries ?? [];
  }

  async close(): Promise<void> {
    await Promise.all([...this.#servers.values()].map((s) => s.close()));
    this.#servers.clear();
  }
}

/** A socket that takes every UDP packet sent to `host:53` and answers none: a host that has gone. */
export interface BlackHole {
  /** Packets received so far. */
  readonly received: () => number;
  close(): Promise<void>;
}

export async function startBlackHole(host: string): Promise<BlackHole> {
  const socket = dgram.createSocket('udp4');
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(DNS_PORT, host, () => resolve());
  });
  socket.on('message', () => {
    count += 1;
  });
  return {
    received: () => count,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
