/** Errors are one line on stderr and exit 1; a stack trace only with --debug. */
import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { route53Error } from '../../tools/emulator/route53-errors.js';
import { runCli, useCliWorld } from './support/cli.js';

const setup = useCliWorld();

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('rlec-dns errors', () => {
  it("refuses a cluster name at a hosted zone's apex, in one line", async () => {
    // Prepare, Act
    const { code, stdout, stderr } = await runCli(['plan', '--cluster', 'example.com']);
    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `rlec-dns: error: invalid cluster name "example.com": it is the apex of hosted zone example.com. (${setup.zoneId}); a cluster must lie below a zone's apex\n`,
    );
  });

  it('refuses an invalid cluster name, saying what is wrong with it', async () => {
    // Prepare, Act
    const { code, stderr } = await runCli(['status', '--cluster', 'bad_name.example.com']);
    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe(
      'rlec-dns: error: invalid cluster name "bad_name.example.com": label "bad_name" must be letters, digits and inner hyphens only (RFC 1123)\n',
    );
  });

  it('says when no hosted zone can hold the cluster', async () => {
    // Prepare, Act
    const { code, stderr } = await runCli(['sync', '--cluster', 'c1.example.org']);
    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe(
      'rlec-dns: error: no usable hosted zone for cluster c1.example.org: no hosted zone in the account is a parent of it\n',
    );
    expect(setup.world.emulator.proxy.count('ChangeResourceRecordSets')).toBe(0);
  });

  it('names the endpoint it cannot reach', async () => {
    // Prepare
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    // Act
    const { code, stderr } = await runCli(['status']);
    // Assess
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`^rlec-dns: error: cannot reach AWS_ENDPOINT_URL ${endpoint} \\(ECONNREFUSED: .*\\)\\n$`),
    );
  });

  it('says which call AWS refused, and what about, when retrying cannot help', async () => {
    // Prepare
    setup.world.emulator.proxy.beforeForward = ({ action }) =>
      action === 'ListResourceRecordSets'
        ? route53Error('AccessDenied', 'not authorized to perform: route53:ListResourceRecordSets', 403)
        : undefined;
    // Act
    const { code, stdout } = await runCli(['plan', '--cluster', 'c1.example.com']);
    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe(
      `c1.example.com\n  refused: AWS refused route53:ListResourceRecordSets on hostedzone/${setup.zoneId}: ` +
        'AccessDenied: not authorized to perform: route53:ListResourceRecordSets\n\n1 cluster: 1 refused\n',
    );
    expect(setup.world.emulator.proxy.count('ListResourceRecordSets')).toBe(1);
  });

  it('rejects a bad option value before calling AWS', async () => {
    // Prepare
    setup.world.emulator.proxy.resetCounts();
    // Act
    const { code, stderr } = await runCli(['sync', '--wait-timeout', 'soon']);
    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe(
      'rlec-dns: error: --wait-timeout must be a whole number from 1 to 3600, got soon (see rlec-dns sync --help)\n',
    );
    expect(setup.world.emulator.proxy.counts()).toEqual({});
  });

  it('rejects an owner id that cannot be written into the ownership record', async () => {
    // Prepare, Act
    const { code, stderr } = await runCli(['plan', '--owner', 'ops team']);
    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe(
      `rlec-dns: error: OWNER_ID must be 1-128 letters, digits, '.', '_', ':' or '-', got "ops team"\n`,
    );
  });

  it('names an unknown option and an unknown command', async () => {
    // Prepare, Act
    const option = await runCli(['plan', '--dry-run']);
    const command = await runCli(['apply']);
    // Assess
    expect([option.code, command.code]).toEqual([1, 1]);
    expect(option.stderr).toBe('rlec-dns: error: unknown option --dry-run (see rlec-dns plan --help)\n');
    expect(command.stderr).toBe(
      'rlec-dns: error: unknown command "apply"; commands: status, plan, sync, verify, export (see rlec-dns --help)\n',
    );
  });

  it('prints the stack trace only with --debug', async () => {
    // Prepare, Act
    const plain = await runCli(['plan', '--cluster', 'example.com']);
    const debug = await runCli(['plan', '--cluster', 'example.com', '--debug']);
    // Assess
    expect(plain.stderr).not.toMatch(/^\s+at /m);
    expect(debug.stderr.split('\n')[0]).toBe(plain.stderr.trimEnd());
    expect(debug.stderr).toMatch(/^InvalidClusterNameError: invalid cluster name/m);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });

  it('logs the steps of the loop as JSON lines on stderr with --debug', async () => {
    // Prepare
    await setup.world.launch({ cluster: 'c1.example.com', privateIp: '10.0.0.11' });
    // Act
    const { code, stderr } = await runCli(['sync', '--debug', '--no-wait']);
    // Assess
    expect(code).toBe(0);
    const lines = stderr
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'cluster records changed' }));
  });
});

describe('rlec-dns help', () => {
  it.each(['status', 'plan', 'sync', 'verify', 'export'])('documents %s and its options with --help', async (name) => {
    // Prepare, Act
    const { code, stdout } = await runCli([name, '--help']);
    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: rlec-dns ${name} `));
    expect(stdout).toContain('--cluster NAME');
    expect(stdout).toContain('--json');
  });

  it('lists the commands, and exits 1 when no command is given', async () => {
    // Prepare, Act
    const help = await runCli(['--help']);
    const none = await runCli([]);
    // Assess
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}verify {2}Check the delegation over real DNS/m);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(help.stdout);
  });
});
