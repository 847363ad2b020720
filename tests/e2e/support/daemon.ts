/**
 * A server program the test starts (NSD, Unbound), kept in the foreground in a process group of its own, so that
 * stopping it also stops the processes it forks (NSD forks its server and xfrd processes). Its output is kept for the
 * error message if it fails to start. Should the test's worker exit without stopping it, an exit hook kills the group.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const running = new Set<number>();
let hooked = false;

/** Last resort: the worker is exiting and a daemon is still running (its pid is its process group's id). */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const pgid of running) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export interface DaemonOptions {
  /** How the test's messages name it: `NSD (parent, 127.0.0.10:53)`. */
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  /** Resolves once the daemon serves; polled until `startTimeoutMs`. */
  readonly ready: () => Promise<boolean>;
  readonly startTimeoutMs?: number;
}

export class Daemon {
  #output = '';
  #exited: Promise<void>;
  #exitCode: number | null | undefined;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitCode = code ?? (signal === null ? null : -1);
        if (child.pid !== undefined) running.delete(child.pid);
        resolve();
      });
    });
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts the daemon and waits until `ready` says it serves; stops it and throws, with its output, if it does not. */
  static async start(options: DaemonOptions): Promise<Daemon> {
    hookExit();
    const child = spawn(options.file, [...options.args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const daemon = new Daemon(options.name, child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (child.pid !== undefined) running.add(child.pid);
    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    while (Date.now() < deadline) {
      if (daemon.#exitCode !== undefined) break;
      if (await options.ready().catch(() => false)) return daemon;
      await sleep(50);
    }
    const why = daemon.#exitCode === undefined ? 'did not start serving in time' : `exited (${daemon.#exitCode})`;
    await daemon.stop();
    throw new Error(`${options.name} ${why}; its output:\n${daemon.output.trim() || '(none)'}`);
  }

  /** What it printed (the last 4000 characters). */
  get output(): string {
    return this.#output;
  }

  /** SIGTERM to its process group, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 3_000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.#exitCode !== undefined) return;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-pid, name);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const timer = sleep(graceMs).then(() => 'late' as const);
    if ((await Promise.race([this.#exited.then(() => 'done' as const), timer])) === 'late') {
      signal('SIGKILL');
      await this.#exited;
    }
  }
}
