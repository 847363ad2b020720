/** Runs a short-lived program (nsd-control, unbound-control, dig) with a timeout; its output, or an error saying why. */
import { execFile } from 'node:child_process';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** @throws Error naming the command, with its exit status and output, when it fails or outlasts `timeoutMs`. */
export function run(file: string, args: readonly string[], timeoutMs = 10_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ stdout, stderr });
        return;
      }
      const how = error.killed ? `timed out after ${timeoutMs} ms` : `exited ${String(error.code ?? error.signal)}`;
      const output = `${stdout}${stderr}`.trim();
      reject(new Error(`${[file, ...args].join(' ')} ${how}${output === '' ? '' : `:\n${output}`}`));
    });
  });
}
