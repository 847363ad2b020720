/**
 * Running the CLI in tests: in-process through `main` (fast, and the exit code, stdout and stderr are captured as
 * the process would show them), or as a child process through the real launcher. Either way the AWS SDK inside
 * finds the emulator the way a user's would: through AWS_ENDPOINT_URL and the standard credential chain.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeEach, vi } from 'vitest';
import { main } from '../../../cli/main.js';
import type { Io } from '../../../cli/output.js';
import { processEvents } from '../../../lib/controller/process-events.js';
import { emulatorEnv as sdkEnv } from '../../../tools/emulator/emulator.js';
import type { World } from '../../../tools/world/world.js';
import { useWorld, type WorldSetup } from '../../support/use-world.js';

export const OWNER = 'rlec-dns-test';
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** What the command wrote to the progress line (only on a terminal). */
  readonly progress: readonly string[];
}

export interface RunOptions {
  /** Pretend stdout and stderr are terminals. */
  readonly tty?: boolean;
  /** Added to the environment the command reads (NO_COLOR, OWNER_ID, …). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs `rlec-dns …argv` in-process. */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const io: Io = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    progress: (text) => progress.push(text),
    outIsTTY: options.tty ?? false,
    errIsTTY: options.tty ?? false,
    env: { ...process.env, ...options.env },
  };
  const code = await main(argv, io);
  return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join(''), progress };
}

/** The environment a user pointing the CLI at the emulator would set. */
export function emulatorEnv(world: World): Record<string, string> {
  return { ...sdkEnv(world.emulator.endpoint), OWNER_ID: OWNER };
}

/**
 * Sets that environment for in-process runs. Stubs last for the test file (each file has its own worker); call it in
 * beforeEach, so a test's own stub (another endpoint, say) does not leak into the next test.
 */
export function useEmulator(world: World): void {
  for (const [name, value] of Object.entries(emulatorEnv(world))) vi.stubEnv(name, value);
}

/** {@link useWorld} for CLI tests: also points in-process runs at the emulator ({@link useEmulator}) before each test. */
export function useCliWorld(): WorldSetup {
  const setup = useWorld();
  beforeEach(() => useEmulator(setup.world));
  return setup;
}

/** Runs the real launcher, `node bin/rlec-dns.mjs …argv`, with exactly this environment (plus PATH and HOME). */
export function spawnCli(argv: readonly string[], env: Readonly<Record<string, string>>): Promise<CliResult> {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/rlec-dns.mjs', ...argv],
      { cwd: REPO, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr, progress: [] });
      },
    );
  });
}

export interface Node {
  readonly id: string;
  readonly address: string;
  /** Its number: the loop numbers new members in instance-id order. */
  readonly slot: number;
}

/** Launches tagged instances and publishes them through the event loop, as the function would; in slot order. */
export async function launchCluster(world: World, cluster: string, addresses: readonly string[]): Promise<Node[]> {
  const nodes: { id: string; address: string }[] = [];
  for (const address of addresses) nodes.push({ id: await world.launch({ cluster, privateIp: address }), address });
  await publish(
    world,
    nodes.map((n) => n.id),
  );
  return nodes.sort((a, b) => a.id.localeCompare(b.id)).map((n, i) => ({ ...n, slot: i + 1 }));
}

/** Sends each instance's "running" event through the loop. */
export async function publish(world: World, ids: readonly string[], state = 'running'): Promise<void> {
  const items = ids.map((id, i) => ({ id: `e${i}`, body: world.stateEvent(id, state) }));
  const result = await processEvents(world.deps(), items);
  if (result.retry.length > 0) throw new Error(`events not settled: ${result.retry.join(', ')}`);
}
