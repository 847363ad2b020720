/**
 * Addresses added to the loopback interface for one test (the dual-stack test's nodes: moto chooses an instance's
 * IPv6 address from its own IPv6 block and its IPv4 address from the subnet, and ignores addresses asked for), and
 * taken away again. Packets to an address on `lo` never leave the machine. Needs root and `ip` (iproute2, installed by
 * scripts/install-dns-tools.sh).
 */
import net from 'node:net';
import { run } from './run.js';

const IP = '/usr/sbin/ip';

const prefixOf = (address: string) => `${address}/${net.isIPv6(address) ? 128 : 32}`;

export class LoopbackAddresses {
  readonly #added: string[] = [];

  /** Adds the address to `lo` (an IPv6 one with `nodad`, so it is usable at once). */
  async add(address: string): Promise<void> {
    const family = net.isIPv6(address) ? ['-6'] : ['-4'];
    await run(IP, [
      ...family,
      'addr',
      'add',
      prefixOf(address),
      'dev',
      'lo',
      ...(net.isIPv6(address) ? ['nodad'] : []),
    ]);
    this.#added.push(address);
  }

  /** Removes every address this object added. */
  async removeAll(): Promise<void> {
    for (const address of this.#added.splice(0)) {
      await run(IP, [net.isIPv6(address) ? '-6' : '-4', 'addr', 'del', prefixOf(address), 'dev', 'lo']);
    }
  }
}

/** Why addresses cannot be added to `lo` here, or undefined when they can (tried with a documentation address). */
export async function loopbackProblem(): Promise<string | undefined> {
  const probe = new LoopbackAddresses();
  try {
    await probe.add('2001:db8::53');
    await probe.removeAll();
    return undefined;
  } catch (error) {
    return `cannot add an IPv6 address to the loopback interface: ${(error as Error).message.split('\n')[0]}`;
  }
}
