/**
 * The real launcher, `bin/rlec-dns.mjs`, as a user runs it: a child process with only the environment given, its
 * exit code and its output. These cover what in-process runs cannot: the process's exit code, the credential chain
 * from a clean environment, profiles from config files.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_REGION } from '../../tools/emulator/emulator.js';
import { World } from '../../tools/world/world.js';
import { emulatorEnv, spawnCli } from './support/cli.js';

let world: World;
let home: string;

beforeAll(async () => {
  world = await World.start();
  home = await mkdtemp(path.join(tmpdir(), 'rlec-dns-cli-'));
  await writeFile(path.join(home, 'config'), `[profile ops]\nregion = ${TEST_REGION}\n`);
  await writeFile(
    path.join(home, 'credentials'),
    '[ops]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
  );
});
afterAll(async () => {
  await world.stop();
  await rm(home, { recursive: true, force: true });
});
beforeEach(async () => {
  await world.reset();
  await world.zone('example.com');
});

/** No credentials or region anywhere, unless a test adds them: a user's machine with nothing configured. */
const bare = () => ({
  HOME: home,
  AWS_CONFIG_FILE: path.join(home, 'config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
});

describe('bin/rlec-dns.mjs', () => {
  it('runs a command against the emulator, exits with its code, and writes no colour codes to a pipe', async () => {
    // Prepare
    await world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    // Act
    const { code, stdout, stderr } = await spawnCli(['plan'], { ...bare(), ...emulatorEnv(world) });
    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(2);
    expect(stdout).toContain('    + ns1.c1.example.com. 60 A 10.0.0.11\n');
    expect(stdout).not.toContain('\x1b[');
  });

  it('says in one line that there are no credentials, without a stack trace', async () => {
    // Prepare
    const env = { ...bare(), AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: world.emulator.endpoint };
    // Act
    const { code, stdout, stderr } = await spawnCli(['status'], env);
    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'rlec-dns: error: no usable AWS credentials (Could not load credentials from any providers); set AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login\n',
    );
  });

  it('says in one line that there is no region', async () => {
    // Prepare
    const env = { ...bare(), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
    // Act
    const { code, stderr } = await spawnCli(['plan'], env);
    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe(
      'rlec-dns: error: no AWS region: pass --region, set AWS_REGION, or set a region in the profile\n',
    );
  });

  it('takes credentials and region from the profile given with --profile', async () => {
    // Prepare
    await world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    const env = { ...bare(), AWS_ENDPOINT_URL: world.emulator.endpoint };
    // Act
    const { code, stdout } = await spawnCli(['status', '--profile', 'ops', '--json'], env);
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout).clusters[0].cluster).toBe('c1.example.com');
  });

  it('names the profile that has no credentials', async () => {
    // Prepare
    const env = { ...bare(), AWS_ENDPOINT_URL: world.emulator.endpoint };
    // Act
    const { code, stderr } = await spawnCli(['status', '--profile', 'nope', '--region', TEST_REGION], env);
    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(/^rlec-dns: error: no usable AWS credentials for profile nope \(.*\); check profile nope /);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('prints its help without AWS settings', async () => {
    // Prepare, Act
    const { code, stdout } = await spawnCli(['--help'], bare());
    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: rlec-dns <command> \[options\]$/m);
  });
});
