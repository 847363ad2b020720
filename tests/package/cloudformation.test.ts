// Packages the service with osls (`sls package`) exactly as a deploy would, offline and without AWS credentials, and
// checks the generated CloudFormation template and zip artifacts. Two packagings: one with every default, one with
// parameters and a stage given on the command line.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from './zip.js';

const run = promisify(execFile);
const projectDir = fileURLToPath(new URL('../..', import.meta.url));
// The local osls binary, run with this Node directly (what `npx sls` resolves to, minus npm's update check).
const slsBin = createRequire(import.meta.url).resolve('osls/bin/serverless.js');

const STATE_CHANGE = 'StateChangeLambdaFunction';
const RECONCILE = 'ReconcileLambdaFunction';

interface Resource {
  Type: string;
  Properties?: unknown;
}
interface Template {
  Resources: Record<string, Resource>;
}
interface LambdaFunction {
  Handler: string;
  Runtime: string;
  Architectures: string[];
  MemorySize: number;
  Timeout: number;
  ReservedConcurrentExecutions?: number;
  Environment: { Variables: Record<string, string> };
  Role: unknown;
  Code: { S3Key: string };
}
interface Rule {
  EventPattern?: Record<string, unknown>;
  ScheduleExpression?: string;
  State: string;
  Targets: { Arn: { 'Fn::GetAtt'?: [string, string] } }[];
}
interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
}
interface Role {
  Policies: { PolicyDocument: { Statement: Statement[] } }[];
}
interface Packaged {
  dir: string;
  template: Template;
}

/** Runs `sls package` into a fresh directory, with no AWS credentials or configuration reachable. */
async function slsPackage(...args: string[]): Promise<Packaged> {
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
      cwd: projectDir,
      env,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`sls package ${args.join(' ')} failed:\n${stdout}\n${stderr}`, { cause: error });
  }
  const template = JSON.parse(
    await readFile(join(dir, 'out', 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  return { dir, template };
}

function resourcesOfType<T>(template: Template, type: string): [string, T][] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties as T]);
}

function lambda(template: Template, logicalId: string): LambdaFunction {
  const resource = template.Resources[logicalId];
  expect(resource?.Type).toBe('AWS::Lambda::Function');
  return resource?.Properties as LambdaFunction;
}

/** The EventBridge rules whose target is the given function. */
function rulesFor(template: Template, logicalId: string): Rule[] {
  return resourcesOfType<Rule>(template, 'AWS::Events::Rule')
    .map(([, rule]) => rule)
    .filter((rule) => rule.Targets.some((target) => target.Arn['Fn::GetAtt']?.[0] === logicalId));
}

function ruleWithSource(template: Template, source: string): Rule {
  const rules = rulesFor(template, STATE_CHANGE).filter((rule) => {
    const sources = rule.EventPattern?.source;
    return Array.isArray(sources) && sources.includes(source);
  });
  expect(rules).toHaveLength(1);
  return rules[0] as Rule;
}

function statements(template: Template): Statement[] {
  const roles = resourcesOfType<Role>(template, 'AWS::IAM::Role');
  expect(roles).toHaveLength(1);
  return (roles[0]?.[1].Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement);
}

const actionsOf = (statement: Statement): string[] =>
  statement.Action === undefined ? [] : ([] as string[]).concat(statement.Action);

const DEFAULT_ENVIRONMENT = {
  CLUSTER_TAG_KEY: 'rlec:cluster',
  ADDRESS_TYPE: 'private',
  ADDRESS_TYPE_TAG_KEY: 'rlec:address-type',
  RECORD_TTL: '60',
  OWNER_ID: 'rlec-dns-dev',
  HOSTED_ZONE_IDS: '',
  POWERTOOLS_SERVICE_NAME: 'rlec-dns',
  POWERTOOLS_METRICS_NAMESPACE: 'RlecDns',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  NODE_OPTIONS: '--enable-source-maps',
};

// The logging actions osls itself grants each function on its own log groups.
const FRAMEWORK_LOG_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:TagResource'];

const ARTIFACTS = [
  { logicalId: STATE_CHANGE, zip: 'stateChange.zip', handlerFile: 'handlers/ec2-state-change.mjs' },
  { logicalId: RECONCILE, zip: 'reconcile.zip', handlerFile: 'handlers/reconcile.mjs' },
];

let defaults: Packaged;
let overridden: Packaged;

beforeAll(async () => {
  // One after the other: serverless-esbuild builds in the project's .esbuild/ folder, which two runs would share.
  defaults = await slsPackage();
  overridden = await slsPackage(
    '--stage',
    'ci',
    '--param=clusterTagKey=acme:cluster',
    '--param=sweepSchedule=rate(2 minutes)',
    '--param=addressType=public',
    '--param=addressTypeTagKey=acme:address-type',
    '--param=recordTtl=30',
    '--param=hostedZoneIds=Z0123456789ABCDEFGHIJ,Z1123456789ABCDEFGHIJ',
    '--param=logLevel=DEBUG',
    '--param=stateChangeConcurrency=3',
    '--param=reconcileConcurrency=2',
  );
}, 180_000);

afterAll(async () => {
  for (const packaged of [defaults, overridden]) {
    if (packaged) await rm(packaged.dir, { recursive: true, force: true });
  }
});

describe('sls package with default parameters', () => {
  it('defines exactly the stateChange and reconcile functions', () => {
    const ids = resourcesOfType<LambdaFunction>(defaults.template, 'AWS::Lambda::Function').map(([id]) => id);
    expect(ids.sort()).toEqual([RECONCILE, STATE_CHANGE].sort());
  });

  it('runs stateChange from handlers/ec2-state-change.handler on nodejs22.x, arm64, 256 MB, 60 s', () => {
    expect(lambda(defaults.template, STATE_CHANGE)).toMatchObject({
      Handler: 'handlers/ec2-state-change.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 60,
    });
  });

  it('runs reconcile from handlers/reconcile.handler on nodejs22.x, arm64, 256 MB, 300 s', () => {
    expect(lambda(defaults.template, RECONCILE)).toMatchObject({
      Handler: 'handlers/reconcile.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 300,
    });
  });

  it('triggers stateChange from exactly two enabled EventBridge rules and no schedule', () => {
    const rules = rulesFor(defaults.template, STATE_CHANGE);
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.State).toBe('ENABLED');
      expect(rule.ScheduleExpression).toBeUndefined();
    }
  });

  it('matches every EC2 instance state-change notification, with no state filter', () => {
    expect(ruleWithSource(defaults.template, 'aws.ec2').EventPattern).toEqual({
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
    });
  });

  it('matches tag changes of EC2 instances on the default cluster and address-type tag keys', () => {
    expect(ruleWithSource(defaults.template, 'aws.tag').EventPattern).toEqual({
      source: ['aws.tag'],
      'detail-type': ['Tag Change on Resource'],
      detail: {
        service: ['ec2'],
        'resource-type': ['instance'],
        'changed-tag-keys': ['rlec:cluster', 'rlec:address-type'],
      },
    });
  });

  it('runs the reconcile sweep from one enabled rule on the default schedule, rate(5 minutes)', () => {
    const rules = rulesFor(defaults.template, RECONCILE);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    expect(rules[0]?.EventPattern).toBeUndefined();
  });

  it('gives both functions the default environment', () => {
    for (const id of [STATE_CHANGE, RECONCILE]) {
      expect(lambda(defaults.template, id).Environment.Variables).toEqual(DEFAULT_ENVIRONMENT);
    }
  });

  it('reserves concurrency for each function: 5 for state changes, 1 for the sweep', () => {
    expect(lambda(defaults.template, STATE_CHANGE).ReservedConcurrentExecutions).toBe(5);
    expect(lambda(defaults.template, RECONCILE).ReservedConcurrentExecutions).toBe(1);
  });

  it('leaves async-invocation retries at the Lambda defaults', () => {
    expect(resourcesOfType(defaults.template, 'AWS::Lambda::EventInvokeConfig')).toEqual([]);
  });

  it('runs both functions under one role that allows exactly the Route 53, EC2 and logging actions needed', () => {
    const roles = resourcesOfType<Role>(defaults.template, 'AWS::IAM::Role');
    expect(roles).toHaveLength(1);
    for (const id of [STATE_CHANGE, RECONCILE]) {
      expect(lambda(defaults.template, id).Role).toEqual({ 'Fn::GetAtt': [roles[0]?.[0], 'Arn'] });
    }
    const actions = statements(defaults.template).flatMap(actionsOf);
    expect(new Set(actions).size).toBe(actions.length);
    expect(actions.sort()).toEqual(
      [
        'route53:ListHostedZones',
        'route53:ListResourceRecordSets',
        'route53:ChangeResourceRecordSets',
        'route53:GetChange',
        'ec2:DescribeInstances',
        ...FRAMEWORK_LOG_ACTIONS,
      ].sort(),
    );
  });

  it('uses no wildcard action, NotAction, NotResource or Deny in the role', () => {
    for (const statement of statements(defaults.template)) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      expect(actionsOf(statement).length).toBeGreaterThan(0);
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
    }
  });

  it('limits Route 53 record reads and changes to hosted zone ARNs, GetChange to change ARNs', () => {
    const expected: Record<string, string> = {
      'route53:ListResourceRecordSets': 'arn:aws:route53:::hostedzone/',
      'route53:ChangeResourceRecordSets': 'arn:aws:route53:::hostedzone/',
      'route53:GetChange': 'arn:aws:route53:::change/',
    };
    for (const statement of statements(defaults.template)) {
      const prefixes = new Set(actionsOf(statement).map((action) => expected[action]));
      if (prefixes.has(undefined)) {
        // A statement granting anything else must not also grant one of these actions.
        expect(prefixes.size).toBe(1);
        continue;
      }
      expect(prefixes.size).toBe(1);
      const [prefix] = [...prefixes] as string[];
      const resources = ([] as unknown[]).concat(statement.Resource);
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) {
        expect(typeof resource).toBe('string');
        expect((resource as string).startsWith(prefix as string)).toBe(true);
      }
    }
  });

  it('grants Resource "*" only for ListHostedZones and DescribeInstances, which have no resource-level permissions', () => {
    const starActions = statements(defaults.template)
      .filter((statement) => ([] as unknown[]).concat(statement.Resource).includes('*'))
      .flatMap(actionsOf);
    expect(starActions.sort()).toEqual(['ec2:DescribeInstances', 'route53:ListHostedZones']);
  });

  it('writes one zip per function holding its bundled .mjs handler and source map, and no node_modules', () => {
    for (const { logicalId, zip, handlerFile } of ARTIFACTS) {
      expect(lambda(defaults.template, logicalId).Code.S3Key.endsWith(`/${zip}`)).toBe(true);
      const path = join(defaults.dir, 'out', zip);
      expect(existsSync(path)).toBe(true);
      const names = readZip(path).map((entry) => entry.name);
      expect(names).toContain(handlerFile);
      expect(names).toContain(`${handlerFile}.map`);
      expect(names.filter((name) => name.split('/').includes('node_modules'))).toEqual([]);
      expect(names.filter((name) => /\.(ts|js|cjs)$/.test(name))).toEqual([]);
    }
  });

  it('bundles each handler as an ES module that exports handler and imports nothing but Node built-ins', async () => {
    for (const { zip, handlerFile } of ARTIFACTS) {
      const entry = readZip(join(defaults.dir, 'out', zip)).find((e) => e.name === handlerFile);
      expect(entry).toBeDefined();
      const code = entry?.read().toString('utf8') ?? '';
      // Let esbuild parse the bundle: every import left in it is listed, and a syntax error fails the build.
      const result = await esbuild.build({
        stdin: { contents: code, loader: 'js', sourcefile: handlerFile },
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: 'esm',
        external: ['*'],
        logLevel: 'silent',
      });
      const imported = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
      const notBuiltIn = imported.filter((path) => !path.startsWith('node:') && !builtinModules.includes(path));
      expect(notBuiltIn).toEqual([]);
      const exports = Object.values(result.metafile.outputs).flatMap((output) => output.exports);
      expect(exports).toContain('handler');
    }
  });
});

describe('sls package with --param overrides and --stage ci', () => {
  it('filters the tag rule on the clusterTagKey and addressTypeTagKey parameters', () => {
    expect(ruleWithSource(overridden.template, 'aws.tag').EventPattern).toMatchObject({
      detail: { 'changed-tag-keys': ['acme:cluster', 'acme:address-type'] },
    });
  });

  it('leaves the EC2 state-change rule unchanged', () => {
    expect(ruleWithSource(overridden.template, 'aws.ec2').EventPattern).toEqual({
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
    });
  });

  it('runs the sweep on the sweepSchedule parameter', () => {
    const rules = rulesFor(overridden.template, RECONCILE);
    expect(rules.map((rule) => rule.ScheduleExpression)).toEqual(['rate(2 minutes)']);
  });

  it('passes the parameters to both functions, and derives OWNER_ID from the stage', () => {
    for (const id of [STATE_CHANGE, RECONCILE]) {
      expect(lambda(overridden.template, id).Environment.Variables).toEqual({
        ...DEFAULT_ENVIRONMENT,
        CLUSTER_TAG_KEY: 'acme:cluster',
        ADDRESS_TYPE: 'public',
        ADDRESS_TYPE_TAG_KEY: 'acme:address-type',
        RECORD_TTL: '30',
        OWNER_ID: 'rlec-dns-ci',
        HOSTED_ZONE_IDS: 'Z0123456789ABCDEFGHIJ,Z1123456789ABCDEFGHIJ',
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
      });
    }
  });

  it('reserves the concurrency given by the parameters, as numbers', () => {
    expect(lambda(overridden.template, STATE_CHANGE).ReservedConcurrentExecutions).toBe(3);
    expect(lambda(overridden.template, RECONCILE).ReservedConcurrentExecutions).toBe(2);
  });
});
