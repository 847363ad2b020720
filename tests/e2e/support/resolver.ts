/**
 * The recursive resolver: Unbound, told that the parent zone's server is at a loopback address (a stub zone, as a
 * resolver learns of Route 53's servers from the `.com` delegation), and nothing else. From there it must find the
 * cluster's servers by itself, through the referral and its glue, as any resolver in the field does.
 *
 * It may never send a packet off this machine: every IPv4 address outside 127.0.0.0/8 is listed in
 * `do-not-query-address` and IPv6 is off, so a stray lookup (the root, the apex's awsdns names) fails at once.
 */

import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type DnsMessage, decodeMessage, encodeQuery } from '../../../cli/dns/message.js';
import { Daemon } from './daemon.js';
import { run } from './run.js';
import type { DnsTools } from './tools.js';

/** Every IPv4 address but 127.0.0.0/8: the complement of loopback, as prefixes. */
const OFF_LOOPBACK = [
  '0.0.0.0/2',
  '64.0.0.0/3',
  '96.0.0.0/4',
  '112.0.0.0/5',
  '120.0.0.0/6',
  '124.0.0.0/7',
  '126.0.0.0/8',
  '128.0.0.0/1',
];

/** Where the resolver sends the questions for one zone. */
export interface ZoneClause {
  /** `stub`: asks the servers as authoritative ones and follows their referrals; `forward`: asks them to recurse. */
  readonly kind: 'stub' | 'forward';
  readonly zone: string;
  readonly servers: readonly { readonly host: string; readonly port: number }[];
}

export interface ResolverOptions {
  readonly tools: DnsTools;
  readonly dir: string;
  readonly host: string;
  readonly port: number;
  /** The parent zone and where its authoritative server listens (as a resolver on the internet knows it). */
  readonly stub?: { readonly zone: string; readonly host: string; readonly port: number };
  /**
   * Asks servers over IPv6 too (the dual-stack test: its only IPv6 addresses are the nodes', on the loopback
   * interface). Off by default, so that no lookup can leave the machine.
   */
  readonly ipv6?: boolean;
  /** More zones, after the stub (the VPC Resolver's private zones and rules: tests/e2e/support/vpc-resolver.ts). */
  readonly zones?: readonly ZoneClause[];
}

function clauses(o: ResolverOptions): ZoneClause[] {
  const stub = o.stub === undefined ? [] : [{ kind: 'stub' as const, zone: o.stub.zone, servers: [o.stub] }];
  return [...stub, ...(o.zones ?? [])];
}

function zoneLines(clause: ZoneClause): string[] {
  const key = clause.kind === 'stub' ? 'stub-addr' : 'forward-addr';
  return [
    `${clause.kind}-zone:`,
    `  name: "${clause.zone}"`,
    ...clause.servers.map((s) => `  ${key}: ${s.host}@${s.port}`),
  ];
}

function unboundConf(o: ResolverOptions): string {
  return [
    'server:',
    `  interface: ${o.host}@${o.port}`,
    `  do-ip6: ${o.ipv6 === true ? 'yes' : 'no'}`,
    '  do-daemonize: no',
    '  chroot: ""',
    '  username: ""',
    `  directory: ${JSON.stringify(o.dir)}`,
    `  pidfile: ${JSON.stringify(path.join(o.dir, 'unbound.pid'))}`,
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 1',
    '  num-threads: 1',
    '  access-control: 127.0.0.0/8 allow',
    // Unbound refuses to ask servers on loopback unless told otherwise: here every server is on loopback.
    '  do-not-query-localhost: no',
    ...OFF_LOOPBACK.map((prefix) => `  do-not-query-address: ${prefix}`),
    // No DNSSEC validation (nothing here is signed): the iterator alone, as a non-validating resolver.
    '  module-config: "iterator"',
    '  trust-anchor-signaling: no',
    '  root-key-sentinel: no',
    // The default: ask each server only for the next label, as resolvers in the field do.
    '  qname-minimisation: yes',
    '  prefetch: no',
    // By default Unbound drops its answer to a question that took over 1.9 s (the client has retried by then, and
    // its retry is answered from the cache). Answer every question, so that what is measured is the resolution.
    '  discard-timeout: 0',
    'remote-control:',
    '  control-enable: yes',
    `  control-interface: ${path.join(o.dir, 'unbound.ctl')}`,
    ...clauses(o).flatMap(zoneLines),
    '',
  ].join('\n');
}

/** A recursive answer and how long it took, in milliseconds. */
export interface Resolution {
  readonly message: DnsMessage;
  readonly ms: number;
}

/** One recursive question (RD set) over UDP, timed from sending to the answer. */
export function ask(server: { host: string; port: number }, name: string, type: string, timeoutMs: number) {
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, name, type, true);
  return new Promise<Resolution>((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    let start = 0;
    const finish = (error?: Error, message?: DnsMessage) => {
      clearTimeout(timer);
      socket.close();
      if (message === undefined) reject(error);
      else resolve({ message, ms: performance.now() - start });
    };
    const timer = setTimeout(
      () => finish(new Error(`no answer from ${server.host}:${server.port} for ${name} ${type} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('error', (error) => finish(error));
    socket.on('message', (packet) => {
      const message = decodeMessage(packet);
      if (message.id === id) finish(undefined, message);
    });
    socket.connect(server.port, server.host, () => {
      start = performance.now();
      socket.send(query);
    });
  });
}

export class Resolver {
  private constructor(
    public options: ResolverOptions,
    readonly daemon: Daemon,
  ) {}

  get address(): { host: string; port: number } {
    return { host: this.options.host, port: this.options.port };
  }

  static async start(options: ResolverOptions): Promise<Resolver> {
    const conf = path.join(options.dir, 'unbound.conf');
    await writeFile(conf, unboundConf(options));
    await run(options.tools.unboundCheckconf, [conf]);
    const daemon = await Daemon.start({
      name: `Unbound (resolver, ${options.host}:${options.port})`,
      file: options.tools.unbound,
      args: ['-d', '-c', conf],
      ready: async () => {
        await run(options.tools.unboundControl, ['-c', conf, 'status'], 2_000);
        return true;
      },
    });
    return new Resolver(options, daemon);
  }

  /**
   * Replaces the zones after the stub and has Unbound read its configuration again (`unbound-control reload`, which
   * also empties its caches).
   */
  async reconfigure(zones: readonly ZoneClause[]): Promise<void> {
    this.options = { ...this.options, zones };
    const conf = path.join(this.options.dir, 'unbound.conf');
    await writeFile(conf, unboundConf(this.options));
    await run(this.options.tools.unboundCheckconf, [conf]);
    await this.control('reload');
  }

  /** `unbound-control <command…>`'s output. */
  async control(...command: string[]): Promise<string> {
    const conf = path.join(this.options.dir, 'unbound.conf');
    return (await run(this.options.tools.unboundControl, ['-c', conf, ...command])).stdout;
  }

  /**
   * Forgets the records and answers it holds for the parent zone and below, and, unless `keepServers`, what it knows
   * of each server (round-trip times, which ones time out): the next question is then asked as by a resolver that
   * never met them. With `keepServers`, as by one that has asked them before (within infra-host-ttl, 15 minutes).
   */
  async forget(options: { keepServers?: boolean } = {}): Promise<void> {
    for (const clause of clauses(this.options)) await this.control('flush_zone', clause.zone);
    if (options.keepServers !== true) await this.control('flush_infra', 'all');
    await this.control('flush_requestlist');
  }

  /** The TTL left on a cached record set (`unbound-control dump_cache`), or undefined when it is not cached. */
  async cachedTtl(name: string, type: string): Promise<number | undefined> {
    const dump = await this.control('dump_cache');
    const line = dump
      .split('\n')
      .map((l) => l.split(/\s+/))
      .find(([n, , klass, t]) => n === name && klass === 'IN' && t === type);
    return line === undefined ? undefined : Number(line[1]);
  }

  /** Asks it one question, recursively. */
  resolve(name: string, type: string, timeoutMs = 10_000): Promise<Resolution> {
    return ask(this.address, name, type, timeoutMs);
  }

  stop(): Promise<void> {
    return this.daemon.stop();
  }
}
