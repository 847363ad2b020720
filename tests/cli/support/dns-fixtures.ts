/**
 * DNS servers for `verify` tests: the parent zone as Route 53 (the emulator) holds it, served from 127.0.0.1, and each
 * node's own DNS server, as Redis Enterprise runs one, served from the node's loopback address (127.0.0.x) on a
 * shared free port, since tests cannot bind port 53.
 */
import type { Route53Client } from '@aws-sdk/client-route-53';
import { listAll } from '../../../tools/world/route53-helpers.js';
import type { Node } from './cli.js';
import { type Responder, type ResponderOptions, startResponder, type ZoneRecord } from './dns-responder.js';

const SERVED = new Set(['A', 'AAAA', 'NS', 'SOA', 'TXT']);

/** Every record of a hosted zone, as zone records the responder serves. */
export async function zoneRecords(route53: Route53Client, zoneId: string): Promise<ZoneRecord[]> {
  return (await listAll(route53, zoneId)).flatMap((set) =>
    SERVED.has(set.Type ?? '')
      ? (set.ResourceRecords ?? []).map((r) => ({
          name: (set.Name ?? '').toLowerCase(),
          type: set.Type as ZoneRecord['type'],
          data: r.Value ?? '',
          ttl: set.TTL ?? 60,
        }))
      : [],
  );
}

/** The parent zone's authoritative server, serving these records. */
export const startParent = (records: readonly ZoneRecord[], options: Partial<ResponderOptions> = {}) =>
  startResponder({ zone: 'example.com.', records, ...options });

/** The zone a Redis Enterprise node serves for its cluster: SOA, its own NS names, and a name per node. */
export function clusterZone(cluster: string, nodes: readonly Pick<Node, 'address'>[]): ZoneRecord[] {
  const zone = `${cluster}.`;
  return [
    { name: zone, type: 'SOA', data: `ns1.${zone} admin.${zone} 1 3600 600 604800 60` },
    ...nodes.map((_, i) => ({ name: zone, type: 'NS' as const, data: `ns${i + 1}.${zone}` })),
    ...nodes.map((n, i) => ({ name: `ns${i + 1}.${zone}`, type: 'A' as const, data: n.address })),
    ...nodes.map((n, i) => ({ name: `node${i + 1}.${zone}`, type: 'A' as const, data: n.address })),
  ];
}

export interface NodeServers {
  readonly port: number;
  readonly responders: readonly Responder[];
  close(): Promise<void>;
}

/** Starts a DNS server on each address, all on one free port (tried again on another port if one is taken). */
export async function startNodeServers(
  addresses: readonly string[],
  zone: string,
  records: readonly ZoneRecord[],
): Promise<NodeServers> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const started: Responder[] = [];
    try {
      for (const host of addresses) {
        started.push(await startResponder({ zone, records, host, port: started[0]?.port ?? 0 }));
      }
      const port = started[0]?.port ?? 0;
      return { port, responders: started, close: async () => void (await Promise.all(started.map((r) => r.close()))) };
    } catch (error) {
      lastError = error;
      await Promise.all(started.map((r) => r.close()));
    }
  }
  throw lastError;
}
