// Packages a service with osls (`sls package`) exactly as a deploy would, offline and without AWS credentials, for the
// packaged-template tests: the main service (serverless.yml) and the DNS account's (dns-account/serverless.yml).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const projectDir = fileURLToPath(new URL('../..', import.meta.url));
// The local osls binary, run with this Node directly (what `npx sls` resolves to, minus npm's update check).
const slsBin = createRequire(import.meta.url).resolve('osls/bin/serverless.js');

export interface Resource {
  Type: string;
  Properties?: unknown;
  Metadata?: { checkov?: { skip?: { id: string; comment?: string }[] } };
}
export interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}
export interface Packaged {
  dir: string;
  template: Template;
}

/**
 * Runs `sls package` for the service in `serviceDir` (relative to the project; '.' is the main one) into a fresh
 * directory, with no AWS credentials or configuration reachable.
 */
export async function slsPackageIn(serviceDir: string, ...args: string[]): Promise<Packaged> {
  const dir = await mkdtemp(join(tmpdir(), 'rlec-dns-package-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(AWS_|SLS_|SERVERLESS_)/.test(key)) env[key] = value;
  }
  Object.assign(env, {
    HOME: join(dir, 'home'),
    AWS_CONFIG_FILE: join(dir, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-such-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  try {
    await run(process.execPath, [slsBin, 'package', '--package', join(dir, 'out'), ...args], {
      cwd: join(projectDir, serviceDir),
      env,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    await rm(dir, { recursive: true, force: true });
    throw new Error(`sls package ${args.join(' ')} (in ${serviceDir}) failed:\n${stdout}\n${stderr}`, { cause: error });
  }
  const template = JSON.parse(
    await readFile(join(dir, 'out', 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  return { dir, template };
}

export function resourcesOfType<T>(template: Template, type: string): [string, T][] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties as T]);
}

/** Every suppressed checkov check of the template, with its resource. */
export function checkovSkips(template: Template): { resource: string; id: string; comment?: string }[] {
  return Object.entries(template.Resources).flatMap(([resource, r]) =>
    (r.Metadata?.checkov?.skip ?? []).map((skip) => ({ resource, ...skip })),
  );
}
