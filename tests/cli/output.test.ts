/** Output and options: colour only on a terminal and never with NO_COLOR, aligned tables, option parsing. */
import { describe, expect, it } from 'vitest';
import { integerOption, listOption, UsageError } from '../../cli/args.js';
import { type Io, paint, table } from '../../cli/output.js';
import { parseServer } from '../../cli/verify/probe.js';
import { runCli } from './support/cli.js';

const io = (outIsTTY: boolean, env: Record<string, string> = {}): Io => ({
  out: () => undefined,
  err: () => undefined,
  progress: () => undefined,
  outIsTTY,
  errIsTTY: outIsTTY,
  env,
});

describe('colour', () => {
  it('is used on a terminal', () => {
    // Prepare, Act
    const red = paint(io(true)).red('FAIL');
    // Assess
    expect(red).toBe('\x1b[31mFAIL\x1b[39m');
  });

  it('is never used when NO_COLOR is set, nor off a terminal', () => {
    // Prepare, Act
    const noColor = paint(io(true, { NO_COLOR: '1' })).red('FAIL');
    const piped = paint(io(false)).red('FAIL');
    // Assess
    expect([noColor, piped]).toEqual(['FAIL', 'FAIL']);
  });

  it('is used when NO_COLOR is set but empty, as no-color.org says', () => {
    // Prepare, Act
    const red = paint(io(true, { NO_COLOR: '' })).red('FAIL');
    // Assess
    expect(red).toContain('\x1b[31m');
  });

  it('marks an error line red on a terminal and leaves it plain with NO_COLOR', async () => {
    // Prepare, Act
    const tty = await runCli(['frob'], { tty: true });
    const noColor = await runCli(['frob'], { tty: true, env: { NO_COLOR: '1' } });
    // Assess
    expect(tty.stderr.startsWith('\x1b[31mrlec-dns: error: unknown command "frob"')).toBe(true);
    expect(noColor.stderr).toMatch(/^rlec-dns: error: unknown command "frob"/);
  });
});

describe('tables', () => {
  it('align columns by their visible width, colour codes aside, without trailing spaces', () => {
    // Prepare
    const green = paint(io(true)).green;
    // Act
    const lines = table(
      [
        ['NS', 'STATE', 'ROLE'],
        ['ns10', green('running'), 'published'],
        ['ns2', 'stopped', ''],
      ],
      '  ',
    );
    // Assess
    expect(lines).toEqual(['  NS    STATE    ROLE', `  ns10  ${green('running')}  published`, '  ns2   stopped']);
  });
});

describe('options', () => {
  it('read a server as HOST, HOST:PORT or [IPv6]:PORT', () => {
    // Prepare, Act, Assess
    expect(parseServer('ns1.example.net')).toEqual({ host: 'ns1.example.net', port: 53 });
    expect(parseServer('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseServer('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(parseServer('[::1]')).toEqual({ host: '::1', port: 53 });
  });

  it('refuse a server with a bad port', () => {
    // Prepare, Act, Assess
    expect(() => parseServer('127.0.0.1:99999')).toThrow(UsageError);
    expect(() => parseServer('')).toThrow(/--server must be HOST, HOST:PORT or \[IPv6\]:PORT/);
  });

  it('read repeated and comma-separated lists, and bounded whole numbers', () => {
    // Prepare
    const values = { server: ['a:53', 'b,c'], timeout: '250', port: '0' };
    // Act, Assess
    expect(listOption(values, 'server')).toEqual(['a:53', 'b', 'c']);
    expect(integerOption(values, 'timeout', { min: 1, max: 1000, fallback: 5 })).toBe(250);
    expect(integerOption(values, 'missing', { min: 1, max: 1000, fallback: 5 })).toBe(5);
    expect(() => integerOption(values, 'port', { min: 1, max: 65535, fallback: 53 })).toThrow(
      '--port must be a whole number from 1 to 65535, got 0',
    );
  });
});
