/**
 * `npm start`'s demo, run as a user runs it (`npx tsx scripts/demo.ts`, without colour), judged by what it prints.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUN_TIMEOUT_MS = 60_000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runDemo(args: readonly string[] = [], cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/demo.ts', ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The lines of the numbered step whose heading starts with `title`, up to the next step. */
function step(output: string, title: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => /^\d+\. /.test(line) && line.replace(/^\d+\. /, '').startsWith(title));
  if (start < 0) throw new Error(`no step "${title}" in:\n${output}`);
  const end = lines.findIndex((line, i) => i > start && /^\d+\. /.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Zone-file lines of a step, as `name TYPE value`. */
const records = (lines: readonly string[]): string[] =>
  lines.flatMap((line) => {
    const match = /^\s+(\S+)\s+60 IN (NS|A|TXT)\s+(\S+)$/.exec(line);
    return match ? [`${match[1]} ${match[2]} ${match[3]}`] : [];
  });

/** instance id → ns number, from the ownership record's lines. */
const slotsOf = (recordLines: readonly string[]): Map<string, string> =>
  new Map(
    recordLines.flatMap((line) => {
      const match = /TXT "(ns\d+)=(i-[0-9a-f]+)"$/.exec(line);
      return match?.[1] && match[2] ? [[match[2], match[1]] as [string, string]] : [];
    }),
  );

describe('the demo (npm start)', () => {
  let run: Run;

  beforeAll(async () => {
    run = await runDemo();
  }, RUN_TIMEOUT_MS);

  it('exits 0, writes nothing to stderr and no colour codes when NO_COLOR is set', () => {
    // Prepare: the run above
    // Act
    const { code, stderr, stdout } = run;
    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).not.toContain('\x1b[');
    expect(stdout).toMatch(/Done in \d+\.\d s; the emulator is stopped\.\n$/);
  });

  it('delegates the cluster to its three nodes: NS ns1-ns3 and a glue record each', () => {
    // Prepare
    const lines = step(run.stdout, "The cluster's records:");
    // Act
    const shown = records(lines).filter((line) => !line.includes(' TXT '));
    // Assess
    expect(shown).toEqual([
      'mycluster.example.com. NS ns1.mycluster.example.com.',
      'mycluster.example.com. NS ns2.mycluster.example.com.',
      'mycluster.example.com. NS ns3.mycluster.example.com.',
      'ns1.mycluster.example.com. A 10.0.1.11',
      'ns2.mycluster.example.com. A 10.0.1.12',
      'ns3.mycluster.example.com. A 10.0.1.13',
    ]);
    expect(slotsOf(records(lines)).size).toBe(3);
  });

  it("removes the terminated node's ns2 glue, then gives ns2 to the new node's address", () => {
    // Prepare
    const changes = step(run.stdout, 'Terminating').map((line) => line.trim());
    // Act
    const freed = changes.indexOf('DELETE ns2.mycluster.example.com. 60 A 10.0.1.12');
    const reused = changes.indexOf('CREATE ns2.mycluster.example.com. 60 A 10.0.1.14');
    // Assess
    expect(freed).toBeGreaterThan(-1);
    expect(reused).toBeGreaterThan(freed);
    expect(changes).toContain(
      'CREATE mycluster.example.com. 60 NS ns1.mycluster.example.com. ns3.mycluster.example.com.',
    );
  });

  it('prints the records again with ns2 on the new instance and ns1, ns3 unmoved', () => {
    // Prepare
    const before = records(step(run.stdout, "The cluster's records:"));
    // Act
    const after = records(step(run.stdout, "The cluster's records again"));
    // Assess
    expect(after.filter((line) => !line.includes(' TXT '))).toEqual([
      'mycluster.example.com. NS ns1.mycluster.example.com.',
      'mycluster.example.com. NS ns2.mycluster.example.com.',
      'mycluster.example.com. NS ns3.mycluster.example.com.',
      'ns1.mycluster.example.com. A 10.0.1.11',
      'ns2.mycluster.example.com. A 10.0.1.14',
      'ns3.mycluster.example.com. A 10.0.1.13',
    ]);
    const [old, now] = [slotsOf(before), slotsOf(after)];
    const leaver = [...old].find(([, slot]) => slot === 'ns2')?.[0];
    const joiner = [...now].find(([, slot]) => slot === 'ns2')?.[0];
    expect(leaver).toBeDefined();
    expect(joiner).toBeDefined();
    expect(joiner).not.toBe(leaver);
    expect(now.has(leaver ?? '')).toBe(false);
    for (const [id, slot] of old) if (id !== leaver) expect(now.get(id)).toBe(slot);
    expect(run.stdout).toContain(`ns2 was freed by ${leaver} and reused by ${joiner} (10.0.1.14)`);
  });

  it('ends with how to deploy and the dig commands to check a real delegation', () => {
    // Prepare
    const lines = step(run.stdout, 'On a real deployment').join('\n');
    // Act: nothing more to do, the output is the subject
    // Assess
    expect(lines).toContain('npx sls deploy --stage prod --region eu-west-1 --param="hostedZoneIds=');
    expect(lines).toContain('dig ns mycluster.example.com');
    expect(lines).toContain('dig node1.mycluster.example.com');
  });
});

describe('the demo with --logs', () => {
  it(
    "also prints the handler's JSON log line for every change batch",
    async () => {
      // Prepare
      const args = ['--logs'];
      // Act
      const { code, stdout } = await runDemo(args);
      // Assess
      expect(code).toBe(0);
      const logged = stdout
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { message?: string; changes?: string[] });
      const batches = logged.filter((line) => line.message === 'cluster records changed');
      expect(batches).toHaveLength(5);
      expect(batches[3]?.changes).toContain('DELETE ns2.mycluster.example.com. 60 A 10.0.1.12');
    },
    RUN_TIMEOUT_MS,
  );
});

describe('the demo without the emulator installed', () => {
  it(
    'exits 1 with a single line telling the user to run npm run setup:venv',
    async () => {
      // Prepare: a copy of the project's code with no .venv
      const copy = mkdtempSync(join(tmpdir(), 'rlec-dns-demo-'));
      try {
        for (const path of ['lib', 'handlers', 'cli', 'scripts', 'tools', 'package.json', 'tsconfig.json']) {
          cpSync(join(ROOT, path), join(copy, path), { recursive: true });
        }
        symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
        // Act
        const { code, stderr } = await runDemo([], copy);
        // Assess
        expect(code).toBe(1);
        expect(stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(stderr).toMatch(/^demo failed: moto is not installed: .*Run `npm run setup:venv` first\.\n$/);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
    RUN_TIMEOUT_MS,
  );
});
