/**
 * What the end-to-end test needs from the machine, found before anything starts: the real DNS programs (from Debian's
 * packages, installed by scripts/install-dns-tools.sh) and the right to bind port 53 on loopback addresses, which a
 * resolver needs of the nodes (glue records carry no port). Root has it; CI runs as root.
 */
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The programs the test runs, by the name it calls them. */
export interface DnsTools {
  readonly nsd: string;
  readonly nsdControl: string;
  readonly nsdCheckzone: string;
  readonly unbound: string;
  readonly unboundControl: string;
  readonly unboundCheckconf: string;
  readonly dig: string;
}

const PROGRAMS: Record<keyof DnsTools, string> = {
  nsd: 'nsd',
  nsdControl: 'nsd-control',
  nsdCheckzone: 'nsd-checkzone',
  unbound: 'unbound',
  unboundControl: 'unbound-control',
  unboundCheckconf: 'unbound-checkconf',
  dig: 'dig',
};

const INSTALL_HINT = 'run `sudo bash scripts/install-dns-tools.sh` (as .ci/run does)';

/** A program's path on PATH, or in the sbin directories a non-root PATH may lack. */
function which(program: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs.filter((d) => d !== '')) {
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Can this process bind UDP port 53 on the address? (root, CAP_NET_BIND_SERVICE, or a lowered sysctl) */
async function canBind53(host: string): Promise<string | undefined> {
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(53, host, () => resolve());
    });
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  } finally {
    try {
      socket.close();
    } catch {
      // never bound
    }
  }
}

export type Preflight =
  | { readonly ok: true; readonly tools: DnsTools }
  | { readonly ok: false; readonly problem: string };

/** Finds the tools and checks port 53 on `host`; says what is missing and how to get it. */
export async function preflight(host: string): Promise<Preflight> {
  const found = Object.entries(PROGRAMS).map(([key, program]) => [key, program, which(program)] as const);
  const missing = found.filter(([, , where]) => where === undefined).map(([, program]) => program);
  if (missing.length > 0) return { ok: false, problem: `missing ${missing.join(', ')}: ${INSTALL_HINT}` };
  const bind = await canBind53(host);
  if (bind === 'EACCES' || bind === 'EPERM') {
    return { ok: false, problem: `cannot bind ${host}:53 (${bind}): run the test as root, as CI does` };
  }
  if (bind !== undefined) {
    return { ok: false, problem: `cannot bind ${host}:53 (${bind}): is another DNS server listening on port 53?` };
  }
  return { ok: true, tools: Object.fromEntries(found.map(([key, , where]) => [key, where])) as unknown as DnsTools };
}

/** The first line a program prints, on stdout or stderr (nsd -v and dig -v use stderr). */
function firstLine(file: string, args: readonly string[]): string {
  const run = spawnSync(file, args, { encoding: 'utf8', timeout: 5_000 });
  return `${run.stdout ?? ''}${run.stderr ?? ''}`.split('\n')[0]?.trim() ?? '';
}

/** The versions of the programs, for the report: `{ nsd: '4.6.1', unbound: '1.17.1', dig: '9.18…', node: 'v20…' }`. */
export function versions(tools: DnsTools): Record<string, string> {
  return {
    nsd: firstLine(tools.nsd, ['-v']).replace(/^NSD version /, ''),
    unbound: firstLine(tools.unbound, ['-V']).replace(/^Version /, ''),
    dig: firstLine(tools.dig, ['-v']).replace(/^DiG /, ''),
    node: process.version,
  };
}
