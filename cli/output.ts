/**
 * Where the CLI writes, and how: plain text tables for people, JSON for scripts, colour only on a terminal and never
 * when NO_COLOR is set (https://no-color.org). Commands write through an `Io`, so tests can run them in-process.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface Io {
  /** Writes to standard output; `text` gets a newline. */
  out(text: string): void;
  /** Writes to standard error; `text` gets a newline. */
  err(text: string): void;
  /** Rewrites the current progress line on standard error (only called when `errIsTTY`); '' clears it. */
  progress(text: string): void;
  readonly outIsTTY: boolean;
  readonly errIsTTY: boolean;
  readonly env: Env;
}

/** The process's own streams. */
export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    progress: (text) => process.stderr.write(`\r\x1b[2K${text}`),
    outIsTTY: process.stdout.isTTY === true,
    errIsTTY: process.stderr.isTTY === true,
    env: process.env,
  };
}

export interface Paint {
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const plain = (s: string) => s;

/** Colours for a stream: real ones on a terminal without NO_COLOR (set and not empty), identity otherwise. */
export function paint(io: Io, stream: 'out' | 'err' = 'out'): Paint {
  const tty = stream === 'out' ? io.outIsTTY : io.errIsTTY;
  const noColor = (io.env.NO_COLOR ?? '') !== '';
  if (!tty || noColor) return { red: plain, green: plain, yellow: plain, bold: plain, dim: plain };
  return { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), bold: sgr(1, 22), dim: sgr(2, 22) };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences is the point.
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string): number => s.replace(ANSI, '').length;

/**
 * Aligns rows into columns (the last column is not padded). Cells may hold colour codes.
 *
 * @example table([['NAME', 'STATE'], ['i-1', 'running']]) // ['NAME STATE  ', 'i-1  running'] without trailing spaces
 */
export function table(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visible(cell));
    });
  }
  return rows.map((row) => {
    const cells = row.map((cell, i) =>
      i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell)),
    );
    return `${indent}${cells.join('  ')}`.trimEnd();
  });
}

/** Writes a value as indented JSON: the `--json` output of every command. */
export const printJson = (io: Io, value: unknown): void => io.out(JSON.stringify(value, null, 2));

/** `1 change`, `2 changes`. */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
