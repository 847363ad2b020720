/**
 * `rlec-dns <command> [options]`: dispatch, and the one place errors become a line on stderr and an exit code.
 * `main` never throws and never exits the process: it resolves to the exit code, so tests can run it in-process.
 */
import { readFileSync } from 'node:fs';
import { COMMON_OPTIONS, helpText, parseCommand, UsageError } from './args.js';
import type { Command } from './command.js';
import { exportCommand } from './commands/export.js';
import { planCommand } from './commands/plan.js';
import { statusCommand } from './commands/status.js';
import { syncCommand } from './commands/sync.js';
import { verifyCommand } from './commands/verify.js';
import { type Context, createContext } from './context.js';
import { describeError, describeStack, EXIT } from './failure.js';
import { type Io, paint, processIo } from './output.js';

export const COMMANDS: readonly Command[] = [statusCommand, planCommand, syncCommand, verifyCommand, exportCommand];

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    'Usage: rlec-dns <command> [options]',
    '',
    'Operate the Route 53 delegations of Redis Enterprise clusters that rlec-dns keeps in step with EC2.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    '',
    `Every command takes ${Object.keys(COMMON_OPTIONS)
      .map((o) => `--${o}`)
      .join(', ')}.`,
    "Run 'rlec-dns <command> --help' for a command's options.",
  ].join('\n');
}

async function runCommand(command: Command, argv: readonly string[], io: Io): Promise<number> {
  const { common, values } = parseCommand(command.spec, argv);
  if (common.help) {
    io.out(helpText(command.spec));
    return EXIT.ok;
  }
  let ctx: Context | undefined;
  try {
    command.check?.(values);
    ctx = await createContext(common, io);
    return await command.run(ctx, values);
  } catch (error) {
    // A command's own option checks know the option, not the command: point the user at the right help.
    if (error instanceof UsageError && error.command === undefined)
      throw new UsageError(error.message, command.spec.name);
    throw error;
  } finally {
    ctx?.close();
  }
}

/** Runs the CLI; resolves to the process's exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const debug = argv.includes('--debug');
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      (name === undefined ? io.err : io.out)(generalHelp());
      return name === undefined ? EXIT.error : EXIT.ok;
    }
    if (name === '--version') {
      io.out(version());
      return EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.spec.name === name);
    if (command === undefined) {
      throw new UsageError(
        `unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((c) => c.spec.name).join(', ')}`,
      );
    }
    return await runCommand(command, rest, io);
  } catch (error) {
    io.err(paint(io, 'err').red(`rlec-dns: error: ${describeError(error, io.env)}`));
    if (debug) io.err(describeStack(error));
    return EXIT.error;
  }
}
