/**
 * The parent zone's authoritative server: NSD serving `example.com` from a zone file made of exactly what the hosted
 * zone holds, read back from Route 53 (the emulator) and written out by the project's own export code. It plays
 * Route 53's name servers: a resolver asks it about `c1.example.com` and gets the delegation and its glue.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { queryDns } from '../../../cli/dns/client.js';
import { zoneFileLines } from '../../../cli/zone-file.js';
import { toRecordSet } from '../../../lib/registry/route53.js';
import { listAll } from '../../../tools/world/route53-helpers.js';
import { Daemon } from './daemon.js';
import { run } from './run.js';
import type { DnsTools } from './tools.js';

/** The whole hosted zone, apex SOA and NS included, as zone-file lines (cli/zone-file.ts), after an `$ORIGIN`. */
export async function hostedZoneFile(route53: Route53Client, zoneId: string, origin: string): Promise<string[]> {
  const sets = (await listAll(route53, zoneId)).map(toRecordSet);
  return [`$ORIGIN ${origin}.`, ...zoneFileLines(sets)];
}

export interface ParentOptions {
  readonly tools: DnsTools;
  /** A private directory for its configuration, zone file, control socket and log. */
  readonly dir: string;
  readonly zone: string;
  readonly host: string;
  readonly port: number;
}

/** NSD on one loopback address: no privilege drop, no chroot, no database, control over a unix socket. */
function nsdConf(o: ParentOptions): string {
  const file = (name: string) => JSON.stringify(path.join(o.dir, name));
  return [
    'server:',
    `  ip-address: ${o.host}@${o.port}`,
    '  do-ip6: no',
    '  server-count: 1',
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: ${JSON.stringify(o.dir)}`,
    '  database: ""',
    `  zonelistfile: ${file('zone.list')}`,
    `  xfrdfile: ${file('xfrd.state')}`,
    `  xfrdir: ${JSON.stringify(o.dir)}`,
    `  pidfile: ${file('nsd.pid')}`,
    '  verbosity: 1',
    '  zonefiles-write: 0',
    // The resolver and the CLI ask it many times a second from one address: no response rate limiting.
    '  rrl-ratelimit: 0',
    '  rrl-whitelist-ratelimit: 0',
    'remote-control:',
    '  control-enable: yes',
    `  control-interface: ${path.join(o.dir, 'nsd.ctl')}`,
    'zone:',
    `  name: ${o.zone}`,
    `  zonefile: ${file(`${o.zone}.zone`)}`,
    '',
  ].join('\n');
}

export class ParentServer {
  private constructor(
    readonly options: ParentOptions,
    readonly daemon: Daemon,
  ) {}

  /** `host:port`, as `rlec-dns verify --server` takes it. */
  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  get #conf(): string {
    return path.join(this.options.dir, 'nsd.conf');
  }

  /** Writes the zone file (checked with nsd-checkzone) and starts NSD; resolves once it answers for the zone. */
  static async start(options: ParentOptions, zoneFile: readonly string[]): Promise<ParentServer> {
    const conf = path.join(options.dir, 'nsd.conf');
    await writeFile(conf, nsdConf(options));
    await writeZone(options, zoneFile);
    const server = { host: options.host, port: options.port };
    const daemon = await Daemon.start({
      name: `NSD (parent ${options.zone}, ${options.host}:${options.port})`,
      file: options.tools.nsd,
      args: ['-d', '-c', conf],
      ready: async () => (await queryDns(server, options.zone, 'SOA', 500)).message.flags.aa,
    });
    return new ParentServer(options, daemon);
  }

  /** Replaces the zone file and has NSD load it. NSD swaps zones in the background: callers poll for the change. */
  async reload(zoneFile: readonly string[]): Promise<void> {
    await writeZone(this.options, zoneFile);
    await run(this.options.tools.nsdControl, ['-c', this.#conf, 'reload', this.options.zone]);
  }

  stop(): Promise<void> {
    return this.daemon.stop();
  }
}

async function writeZone(o: ParentOptions, lines: readonly string[]): Promise<void> {
  const file = path.join(o.dir, `${o.zone}.zone`);
  await writeFile(file, `${lines.join('\n')}\n`);
  // A zone NSD would refuse is reported here, with NSD's reason, rather than as a server that never answers.
  await run(o.tools.nsdCheckzone, [o.zone, file]);
}
