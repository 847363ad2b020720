import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, request } from './http.js';

/** A running moto server (all AWS services on one port). */
export interface MotoServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Kills the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const PYTHON = fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const OUTPUT_TAIL_CHARS = 4_000;

// Runs moto_server's own entry point, plus a watchdog thread: when our process dies, even by SIGKILL where no exit
// handler runs, its end of the stdin pipe closes, the read returns and moto exits instead of lingering as an orphan.
const LAUNCHER = `
import os, sys, threading
def watch_parent():
    sys.stdin.read()
    os._exit(0)
threading.Thread(target=watch_parent, daemon=True).start()
from moto.server import main
main(sys.argv[1:])
`;

/**
 * Starts moto_server from the project venv on a free loopback port and waits until it answers.
 *
 * @throws when the venv is missing (run `npm run setup:venv`), or moto exits or stays silent for 20 s; the error
 *   quotes moto's output.
 */
export async function startMoto(): Promise<MotoServer> {
  if (!existsSync(PYTHON)) {
    throw new Error(`moto is not installed: ${PYTHON} is missing. Run \`npm run setup:venv\` first.`);
  }
  // The port is free when picked but could be taken before moto binds it: try again on another one.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(await freePort());
    } catch (error) {
      lastError = error;
      if (!String(error).includes('Address already in use')) break;
    }
  }
  throw lastError;
}

async function launch(port: number): Promise<MotoServer> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(PYTHON, ['-c', LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // MOTO_PORT feeds the URLs moto writes into responses (e.g. queue URLs): keep it equal to the real port.
    env: { ...process.env, MOTO_PORT: String(port), PYTHONUNBUFFERED: '1' },
  });
  // moto logs every request: keep draining the pipes (a full pipe would block it) and keep only the tail for errors.
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  child.on('error', (error) => keepTail(Buffer.from(`\n${error}`)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilAnswering(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  // Werkzeug logs this only once it has bound the port. Without it, an HTTP answer could come from another server
  // that took the port between freePort() and moto's bind (moto then exits with "Address already in use").
  const bound = `Running on ${url}`;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `moto_server exited (${child.exitCode ?? child.signalCode}) before answering on ${url}:\n${output()}`,
      );
    }
    if (output().includes(bound)) {
      try {
        const res = await request(`${url}/moto-api/`, { timeoutMs: 1_000 });
        if (res.status === 200) return;
      } catch {
        // Bound but not serving yet.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `moto_server did not log "${bound}" and answer within ${START_TIMEOUT_MS} ms. Its output:\n${output()}`,
  );
}

/** Wipes every service's state in the moto server at `url` (POST /moto-api/reset). */
export async function resetMoto(url: string): Promise<void> {
  const res = await request(`${url}/moto-api/reset`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`moto reset failed: HTTP ${res.status} ${res.body.toString()}`);
}
