// Packages the service with osls (`sls package`) exactly as a deploy would, offline and without AWS credentials, and
// checks the generated CloudFormation template and zip artifacts. Three packagings: one with every default, one with
// parameters and a stage given on the command line, one with the zones in another account (dnsRoleArn).
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/platform/config.js';
import { pacingFromEnv } from '../../lib/platform/pacing.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { checkovSkips, type Packaged, resourcesOfType, slsPackageIn, type Template } from './sls.js';
import { readZip } from './zip.js';

const STATE_CHANGE = 'StateChangeLambdaFunction';
const RECONCILE = 'ReconcileLambdaFunction';
const QUEUE = 'StateChangeQueue';
const DEAD_LETTER_QUEUE = 'StateChangeDeadLetterQueue';

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
type GetAtt = { 'Fn::GetAtt'?: [string, string] };
interface Rule {
  EventPattern?: Record<string, unknown>;
  ScheduleExpression?: string;
  State: string;
  Targets: { Arn: GetAtt; DeadLetterConfig?: { Arn: GetAtt } }[];
}
interface Queue {
  QueueName?: unknown;
  VisibilityTimeout?: number;
  MessageRetentionPeriod?: number;
  RedrivePolicy?: { deadLetterTargetArn: GetAtt; maxReceiveCount: number | string };
}
interface EventSourceMapping {
  EventSourceArn: GetAtt;
  FunctionName: GetAtt;
  BatchSize: number;
  MaximumBatchingWindowInSeconds?: number;
  FunctionResponseTypes?: string[];
  ScalingConfig?: { MaximumConcurrency: number };
  Enabled: boolean;
}
interface QueuePolicy {
  Queues: { Ref: string }[];
  PolicyDocument: {
    Statement: {
      Effect: string;
      Principal: unknown;
      Action: string | string[];
      Resource: unknown;
      Condition?: { ArnEquals?: { 'aws:SourceArn': unknown } };
    }[];
  };
}
interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface Role {
  Policies: { PolicyDocument: { Statement: Statement[] } }[];
}

/** Packages the main service (serverless.yml). */
const slsPackage = (...args: string[]) => slsPackageIn('.', ...args);

function lambda(template: Template, logicalId: string): LambdaFunction {
  const resource = template.Resources[logicalId];
  expect(resource?.Type).toBe('AWS::Lambda::Function');
  return resource?.Properties as LambdaFunction;
}

/** The EventBridge rules whose target is the given resource (a function or the queue). */
function rulesFor(template: Template, logicalId: string): Rule[] {
  return resourcesOfType<Rule>(template, 'AWS::Events::Rule')
    .map(([, rule]) => rule)
    .filter((rule) => rule.Targets.some((target) => target.Arn['Fn::GetAtt']?.[0] === logicalId));
}

function ruleWithSource(template: Template, source: string): Rule {
  const rules = rulesFor(template, QUEUE).filter((rule) => {
    const sources = rule.EventPattern?.source;
    return Array.isArray(sources) && sources.includes(source);
  });
  expect(rules).toHaveLength(1);
  return rules[0] as Rule;
}

function resource<T>(template: Template, logicalId: string, type: string): T {
  const found = template.Resources[logicalId];
  expect(found?.Type).toBe(type);
  return found?.Properties as T;
}

const queue = (template: Template, logicalId: string) => resource<Queue>(template, logicalId, 'AWS::SQS::Queue');

function eventSourceMapping(template: Template): EventSourceMapping {
  const mappings = resourcesOfType<EventSourceMapping>(template, 'AWS::Lambda::EventSourceMapping');
  expect(mappings).toHaveLength(1);
  return mappings[0]?.[1] as EventSourceMapping;
}

const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

function statements(template: Template): Statement[] {
  const roles = resourcesOfType<Role>(template, 'AWS::IAM::Role');
  expect(roles).toHaveLength(1);
  return (roles[0]?.[1].Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement);
}

const actionsOf = (statement: Statement): string[] =>
  statement.Action === undefined ? [] : ([] as string[]).concat(statement.Action);

/** A statement's resources, each an `Fn::Sub` string (fails on a literal ARN, which would fix the partition). */
function subResources(statement: Statement): string[] {
  return ([] as unknown[]).concat(statement.Resource).map((resource) => {
    expect(resource).toEqual({ 'Fn::Sub': expect.any(String) });
    return (resource as { 'Fn::Sub': string })['Fn::Sub'];
  });
}

/** The one statement granting an action. */
function grant(template: Template, action: string): Statement {
  const found = statements(template).filter((statement) => actionsOf(statement).includes(action));
  expect(found).toHaveLength(1);
  expect(actionsOf(found[0] as Statement)).toEqual([action]);
  return found[0] as Statement;
}

/** CloudFormation's pseudo parameter as Fn::Sub spells it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax, not a JavaScript template
const PARTITION = '${AWS::Partition}';

const zoneArn = (id: string) => `arn:${PARTITION}:route53:::hostedzone/${id}`;

const CHANGE_TYPES_AND_ACTIONS = {
  'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'NS', 'TXT'],
  'route53:ChangeResourceRecordSetsActions': ['CREATE', 'DELETE'],
};

interface Alarm {
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: unknown }[];
  Statistic: string;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
}

const alarms = (template: Template) => resourcesOfType<Alarm>(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a);

/** The alarm on a metric of one dimension value (a function's Ref, or the queue's QueueName). */
function alarmOn(template: Template, metric: string, dimension: unknown): Alarm {
  const found = alarms(template).filter(
    (alarm) =>
      alarm.MetricName === metric &&
      alarm.Dimensions.some((d) => JSON.stringify(d.Value) === JSON.stringify(dimension)),
  );
  expect(found, `${metric} on ${JSON.stringify(dimension)}`).toHaveLength(1);
  return found[0] as Alarm;
}

/** Fires on the first occurrence within a period, and is quiet when nothing is reported. */
function expectFiresOnFirst(alarm: Alarm): void {
  const firesOnOne =
    (alarm.ComparisonOperator === 'GreaterThanThreshold' && alarm.Threshold === 0) ||
    (alarm.ComparisonOperator === 'GreaterThanOrEqualToThreshold' && alarm.Threshold === 1);
  expect(firesOnOne, `${alarm.MetricName} ${alarm.ComparisonOperator} ${alarm.Threshold}`).toBe(true);
  expect(alarm.TreatMissingData).toBe('notBreaching');
}

const DEFAULT_ENVIRONMENT = {
  CLUSTER_TAG_KEY: 'rlec:cluster',
  ADDRESS_TYPE: '',
  ADDRESS_TYPE_TAG_KEY: 'rlec:address-type',
  RECORD_TTL: '60',
  OWNER_ID: '',
  OWNER_PREFIX: 'rlec-dns-dev',
  ACCOUNT_ID: { Ref: 'AWS::AccountId' },
  HOSTED_ZONE_IDS: '',
  ROUTE53_SHARE: '5',
  ROUTE53_CONTAINERS: '3',
  ROUTE53_RATE: '',
  ROUTE53_BURST: '5',
  DNS_ROLE_ARN: '',
  DNS_ROLE_EXTERNAL_ID: '',
  ZONE_TYPE: 'public',
  ADDRESS_FAMILY: 'ipv4',
  RESOLVER_ENDPOINT_ID: '',
  RESOLVER_RULE: 'none',
  RESOLVER_VPC_IDS: '',
  RESOLVER_SHARE: '4',
  RESOLVER_RATE: '',
  POWERTOOLS_SERVICE_NAME: 'rlec-dns',
  POWERTOOLS_METRICS_NAMESPACE: 'RlecDns',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  NODE_OPTIONS: '--enable-source-maps',
};

// The logging actions osls itself grants each function on its own log groups.
const FRAMEWORK_LOG_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:TagResource'];
// What osls grants for an sqs event: the event source mapping polls the queue with the function's role.
const FRAMEWORK_SQS_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

const ARTIFACTS = [
  { logicalId: STATE_CHANGE, zip: 'stateChange.zip', handlerFile: 'handlers/ec2-state-change.mjs' },
  { logicalId: RECONCILE, zip: 'reconcile.zip', handlerFile: 'handlers/reconcile.mjs' },
];

const ALARM_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:rlec-dns-alarms';
const DNS_ROLE_ARN = 'arn:aws:iam::222222222222:role/rlec-dns-prod';
const DNS_ROLE_EXTERNAL_ID = 'rlec-dns-111111111111';

let defaults: Packaged;
let overridden: Packaged;
let dnsRole: Packaged;

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
    '--param=batchSize=50',
    '--param=batchingWindow=20',
    '--param=maxReceiveCount=3',
    '--param=route53Rate=0.5',
    '--param=route53Burst=2',
    '--param=recordNames=*.example.com,*.example.org',
    `--param=alarmTopicArn=${ALARM_TOPIC}`,
  );
  dnsRole = await slsPackage(
    '--param=hostedZoneIds=Z0123456789ABCDEFGHIJ',
    '--param=recordNames=*.example.com',
    `--param=dnsRoleArn=${DNS_ROLE_ARN}`,
    `--param=dnsRoleExternalId=${DNS_ROLE_EXTERNAL_ID}`,
  );
}, 240_000);

afterAll(async () => {
  for (const packaged of [defaults, overridden, dnsRole]) {
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

  it('sends EC2 events to the queue from exactly two enabled EventBridge rules and no schedule', () => {
    const rules = rulesFor(defaults.template, QUEUE);
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.State).toBe('ENABLED');
      expect(rule.ScheduleExpression).toBeUndefined();
      expect(rule.Targets).toHaveLength(1);
    }
  });

  it('triggers stateChange only from the queue: no rule targets the function, and no one else may invoke it', () => {
    expect(rulesFor(defaults.template, STATE_CHANGE)).toEqual([]);
    const permissions = resourcesOfType<{ FunctionName: GetAtt }>(defaults.template, 'AWS::Lambda::Permission');
    expect(permissions.filter(([, p]) => p.FunctionName['Fn::GetAtt']?.[0] === STATE_CHANGE)).toEqual([]);
  });

  it('reads the queue in batches of up to 500 gathered for up to 5 s, reporting failed items only', () => {
    expect(eventSourceMapping(defaults.template)).toEqual({
      EventSourceArn: arnOf(QUEUE),
      FunctionName: arnOf(STATE_CHANGE),
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
      Enabled: true,
    });
  });

  it('hands out no more batches at once than the reserved concurrency', () => {
    expect(eventSourceMapping(defaults.template).ScalingConfig?.MaximumConcurrency).toBe(
      lambda(defaults.template, STATE_CHANGE).ReservedConcurrentExecutions,
    );
  });

  it('keeps a batch hidden for at least 6 times the function timeout plus the batching window', () => {
    const { Timeout } = lambda(defaults.template, STATE_CHANGE);
    const window = eventSourceMapping(defaults.template).MaximumBatchingWindowInSeconds ?? 0;
    expect(queue(defaults.template, QUEUE).VisibilityTimeout).toBeGreaterThanOrEqual(6 * Timeout + window);
  });

  it('moves an event to the dead-letter queue after 5 failed deliveries, and keeps it there 14 days', () => {
    const redrive = queue(defaults.template, QUEUE).RedrivePolicy;
    expect(redrive?.deadLetterTargetArn).toEqual(arnOf(DEAD_LETTER_QUEUE));
    expect(Number(redrive?.maxReceiveCount)).toBe(5);
    expect(queue(defaults.template, DEAD_LETTER_QUEUE).MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(queue(defaults.template, DEAD_LETTER_QUEUE).RedrivePolicy).toBeUndefined();
  });

  it('sends what EventBridge cannot deliver to the queue to the dead-letter queue', () => {
    for (const rule of rulesFor(defaults.template, QUEUE)) {
      expect(rule.Targets[0]?.DeadLetterConfig).toEqual({ Arn: arnOf(DEAD_LETTER_QUEUE) });
    }
  });

  it('lets only the two rules send messages, to the two queues', () => {
    const policies = resourcesOfType<QueuePolicy>(defaults.template, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(1);
    const [, policy] = policies[0] as [string, QueuePolicy];
    expect(policy.Queues).toEqual([{ Ref: QUEUE }, { Ref: DEAD_LETTER_QUEUE }]);
    const ruleIds = resourcesOfType<Rule>(defaults.template, 'AWS::Events::Rule')
      .filter(([, rule]) => rule.Targets.some((t) => t.Arn['Fn::GetAtt']?.[0] === QUEUE))
      .map(([id]) => id);
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'RulesSendEvents',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: [arnOf(QUEUE), arnOf(DEAD_LETTER_QUEUE)],
        Condition: { ArnEquals: { 'aws:SourceArn': ruleIds.map(arnOf) } },
      },
    ]);
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
      const { Environment, Timeout } = lambda(defaults.template, id);
      expect(Environment.Variables).toEqual({ ...DEFAULT_ENVIRONMENT, FUNCTION_TIMEOUT_SECONDS: String(Timeout) });
    }
  });

  it('tells each function its own timeout in FUNCTION_TIMEOUT_SECONDS, which the code checks its pacing against', () => {
    expect(lambda(defaults.template, STATE_CHANGE).Environment.Variables.FUNCTION_TIMEOUT_SECONDS).toBe('60');
    expect(lambda(defaults.template, RECONCILE).Environment.Variables.FUNCTION_TIMEOUT_SECONDS).toBe('300');
  });

  it('packages an environment the code accepts at cold start, for each function', () => {
    for (const id of [STATE_CHANGE, RECONCILE]) {
      const env = lambda(defaults.template, id).Environment.Variables;
      // Lambda resolves ACCOUNT_ID's Ref at deployment and sets AWS_REGION itself.
      const deployed = { ...env, ACCOUNT_ID: '123456789012', AWS_REGION: 'eu-west-1' };
      expect(() => loadConfig(deployed), id).not.toThrow();
      expect(() => pacingFromEnv(env), id).not.toThrow();
    }
  });

  it('keeps the default Route 53 pacing of every container running at once within ROUTE53_SHARE', () => {
    const functions = [STATE_CHANGE, RECONCILE].map((id) => lambda(defaults.template, id));
    const most = functions.reduce((n, f) => n + (f.ReservedConcurrentExecutions ?? Number.POSITIVE_INFINITY), 0);
    for (const f of functions) {
      const pacing = pacingFromEnv(f.Environment.Variables);
      expect(pacing.containers).toBe(most);
      expect(pacing.ratePerSecond * most).toBeCloseTo(pacing.share, 9);
      expect(pacing.share).toBe(5);
    }
  });

  it('reserves concurrency for each function: 2 for state changes, 1 for the sweep', () => {
    expect(lambda(defaults.template, STATE_CHANGE).ReservedConcurrentExecutions).toBe(2);
    expect(lambda(defaults.template, RECONCILE).ReservedConcurrentExecutions).toBe(1);
  });

  it('creates no Resolver endpoint and no Resolver rule resource: the private side is off by default', () => {
    const types = Object.values(defaults.template.Resources).map((r) => r.Type);
    expect(types.filter((type) => type.startsWith('AWS::Route53Resolver::'))).toEqual([]);
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
        ...FRAMEWORK_SQS_ACTIONS,
        ...FRAMEWORK_LOG_ACTIONS,
      ].sort(),
    );
  });

  it('allows reading and deleting messages of the event queue only', () => {
    const sqs = statements(defaults.template).filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqs).toHaveLength(1);
    expect(actionsOf(sqs[0] as Statement).sort()).toEqual([...FRAMEWORK_SQS_ACTIONS].sort());
    expect(sqs[0]?.Resource).toEqual([arnOf(QUEUE)]);
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

  it('limits Route 53 record reads and changes to hosted zone ARNs, GetChange to change ARNs, in any partition', () => {
    const expected: Record<string, string> = {
      'route53:ListResourceRecordSets': `arn:${PARTITION}:route53:::hostedzone/`,
      'route53:ChangeResourceRecordSets': `arn:${PARTITION}:route53:::hostedzone/`,
      'route53:GetChange': `arn:${PARTITION}:route53:::change/`,
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
      const resources = subResources(statement);
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) expect(resource.startsWith(prefix as string)).toBe(true);
    }
  });

  it('allows ChangeResourceRecordSets on every hosted zone only for A, NS and TXT records, by CREATE and DELETE, when no zone is given', () => {
    const change = grant(defaults.template, 'route53:ChangeResourceRecordSets');
    expect(subResources(change)).toEqual([zoneArn('*')]);
    expect(change.Condition).toEqual({
      Null: {
        'route53:ChangeResourceRecordSetsRecordTypes': 'false',
        'route53:ChangeResourceRecordSetsActions': 'false',
      },
      'ForAllValues:StringEquals': CHANGE_TYPES_AND_ACTIONS,
    });
  });

  it('never allows UPSERT: the action condition lists CREATE and DELETE only', () => {
    const condition = grant(defaults.template, 'route53:ChangeResourceRecordSets').Condition ?? {};
    const actions = condition['ForAllValues:StringEquals']?.['route53:ChangeResourceRecordSetsActions'];
    expect(actions).toEqual(['CREATE', 'DELETE']);
    expect(JSON.stringify(condition)).not.toContain('UPSERT');
  });

  it('names no partition literally: every ARN in the role is built with the AWS::Partition pseudo parameter', () => {
    const role = resourcesOfType<Role>(defaults.template, 'AWS::IAM::Role')[0]?.[1];
    expect(JSON.stringify(role)).not.toMatch(/"arn:aws[a-z-]*:/);
  });

  it('alarms on the first event in the dead-letter queue', () => {
    const alarm = alarmOn(defaults.template, 'ApproximateNumberOfMessagesVisible', {
      'Fn::GetAtt': [DEAD_LETTER_QUEUE, 'QueueName'],
    });
    expect(alarm).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum' });
    expectFiresOnFirst(alarm);
  });

  it('alarms on the first error and the first throttle of each function', () => {
    for (const fn of [STATE_CHANGE, RECONCILE]) {
      for (const metric of ['Errors', 'Throttles']) {
        const alarm = alarmOn(defaults.template, metric, { Ref: fn });
        expect(alarm).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum' });
        expectFiresOnFirst(alarm);
      }
    }
    expect(alarms(defaults.template)).toHaveLength(6);
  });

  it('alarms on the first AWS error that retrying cannot fix, from the functions’ own metric', () => {
    const alarm = alarmOn(defaults.template, METRIC.awsPermanentErrors, 'rlec-dns');
    expect(alarm).toMatchObject({
      Namespace: DEFAULT_ENVIRONMENT.POWERTOOLS_METRICS_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: 'rlec-dns' }],
      Statistic: 'Sum',
    });
    expectFiresOnFirst(alarm);
  });

  it('gives the alarms no action when no alarm topic is given', () => {
    for (const alarm of alarms(defaults.template)) {
      expect(alarm.AlarmActions).toEqual([]);
      expect(alarm.OKActions).toEqual([]);
    }
  });

  it('keeps the deployment bucket private and versioned', () => {
    const bucket = resource<{
      PublicAccessBlockConfiguration?: Record<string, boolean>;
      VersioningConfiguration?: { Status: string };
    }>(defaults.template, 'ServerlessDeploymentBucket', 'AWS::S3::Bucket');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('gives every suppressed checkov check a written reason', () => {
    const skips = checkovSkips(defaults.template);
    expect(skips.length).toBeGreaterThan(0);
    for (const skip of skips) {
      expect(skip.id, skip.resource).toMatch(/^CKV_AWS_\d+$/);
      expect((skip.comment ?? '').length, `${skip.resource} ${skip.id}`).toBeGreaterThan(60);
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

  it('bundles one copy of each package: no source in the maps comes from a nested node_modules (a second SDK core)', () => {
    for (const { zip, handlerFile } of ARTIFACTS) {
      const map = readZip(join(defaults.dir, 'out', zip)).find((e) => e.name === `${handlerFile}.map`);
      const sources = (JSON.parse(map?.read().toString('utf8') ?? '{}') as { sources?: string[] }).sources ?? [];
      expect(sources.some((source) => source.includes('node_modules/@aws-sdk/core/'))).toBe(true);
      const nested = sources.filter((source) => source.split('node_modules/').length > 2);
      expect(nested).toEqual([]);
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

  it('passes the parameters to both functions, and derives the owner prefix from the stage', () => {
    for (const id of [STATE_CHANGE, RECONCILE]) {
      const { Environment, Timeout } = lambda(overridden.template, id);
      expect(Environment.Variables).toEqual({
        ...DEFAULT_ENVIRONMENT,
        FUNCTION_TIMEOUT_SECONDS: String(Timeout),
        CLUSTER_TAG_KEY: 'acme:cluster',
        ADDRESS_TYPE: 'public',
        ADDRESS_TYPE_TAG_KEY: 'acme:address-type',
        RECORD_TTL: '30',
        OWNER_PREFIX: 'rlec-dns-ci',
        HOSTED_ZONE_IDS: 'Z0123456789ABCDEFGHIJ,Z1123456789ABCDEFGHIJ',
        ROUTE53_CONTAINERS: '5',
        ROUTE53_RATE: '0.5',
        ROUTE53_BURST: '2',
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
      });
    }
  });

  it('packages an environment the code accepts at cold start, for each function', () => {
    for (const id of [STATE_CHANGE, RECONCILE]) {
      const env = lambda(overridden.template, id).Environment.Variables;
      const deployed = { ...env, ACCOUNT_ID: '123456789012', AWS_REGION: 'eu-west-1' };
      expect(() => loadConfig(deployed), id).not.toThrow();
      expect(() => pacingFromEnv(env), id).not.toThrow();
    }
  });

  it('allows reading and changing records in the hostedZoneIds zones only', () => {
    const zones = ['Z0123456789ABCDEFGHIJ', 'Z1123456789ABCDEFGHIJ'].map(zoneArn);
    expect(subResources(grant(overridden.template, 'route53:ListResourceRecordSets'))).toEqual(zones);
    expect(subResources(grant(overridden.template, 'route53:ChangeResourceRecordSets'))).toEqual(zones);
  });

  it('requires every changed record name to match the recordNames patterns', () => {
    expect(grant(overridden.template, 'route53:ChangeResourceRecordSets').Condition).toEqual({
      Null: {
        'route53:ChangeResourceRecordSetsRecordTypes': 'false',
        'route53:ChangeResourceRecordSetsActions': 'false',
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': 'false',
      },
      'ForAllValues:StringEquals': CHANGE_TYPES_AND_ACTIONS,
      'ForAllValues:StringLike': {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['*.example.com', '*.example.org'],
      },
    });
  });

  it('notifies the alarmTopicArn topic from every alarm, on alarm and on recovery', () => {
    expect(alarms(overridden.template)).toHaveLength(6);
    for (const alarm of alarms(overridden.template)) {
      expect(alarm.AlarmActions).toEqual([ALARM_TOPIC]);
      expect(alarm.OKActions).toEqual([ALARM_TOPIC]);
    }
  });

  it('reserves the concurrency given by the parameters, as numbers', () => {
    expect(lambda(overridden.template, STATE_CHANGE).ReservedConcurrentExecutions).toBe(3);
    expect(lambda(overridden.template, RECONCILE).ReservedConcurrentExecutions).toBe(2);
  });

  it('reads the queue with the batchSize, batchingWindow and stateChangeConcurrency parameters', () => {
    expect(eventSourceMapping(overridden.template)).toMatchObject({
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 20,
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it('still hides a batch for at least 6 times the function timeout plus the longer window', () => {
    const { Timeout } = lambda(overridden.template, STATE_CHANGE);
    const window = eventSourceMapping(overridden.template).MaximumBatchingWindowInSeconds ?? 0;
    expect(queue(overridden.template, QUEUE).VisibilityTimeout).toBeGreaterThanOrEqual(6 * Timeout + window);
  });

  it('moves an event to the dead-letter queue after maxReceiveCount failed deliveries, and names the queues by stage', () => {
    expect(Number(queue(overridden.template, QUEUE).RedrivePolicy?.maxReceiveCount)).toBe(3);
    expect(queue(overridden.template, QUEUE).QueueName).toBe('rlec-dns-ci-events');
    expect(queue(overridden.template, DEAD_LETTER_QUEUE).QueueName).toBe('rlec-dns-ci-events-dlq');
  });
});

describe('sls package with dnsRoleArn (the zones in another account)', () => {
  it('grants the functions sts:AssumeRole on that role and not one Route 53 action', () => {
    const actions = statements(dnsRole.template).flatMap(actionsOf);
    expect(actions.sort()).toEqual(
      ['sts:AssumeRole', 'ec2:DescribeInstances', ...FRAMEWORK_SQS_ACTIONS, ...FRAMEWORK_LOG_ACTIONS].sort(),
    );
    expect(actions.filter((action) => action.startsWith('route53'))).toEqual([]);
  });

  it('allows assuming the DNS role only: sts:AssumeRole on exactly its ARN', () => {
    expect(grant(dnsRole.template, 'sts:AssumeRole')).toEqual({
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Resource: DNS_ROLE_ARN,
    });
  });

  it('keeps DescribeInstances in the functions’ own role, and uses no wildcard action', () => {
    expect(grant(dnsRole.template, 'ec2:DescribeInstances').Resource).toBe('*');
    for (const statement of statements(dnsRole.template)) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
    }
  });

  it('tells both functions the role and its external id', () => {
    for (const id of [STATE_CHANGE, RECONCILE]) {
      expect(lambda(dnsRole.template, id).Environment.Variables).toMatchObject({
        DNS_ROLE_ARN,
        DNS_ROLE_EXTERNAL_ID,
        HOSTED_ZONE_IDS: 'Z0123456789ABCDEFGHIJ',
      });
    }
  });

  it('packages an environment the code accepts at cold start, for each function', () => {
    for (const id of [STATE_CHANGE, RECONCILE]) {
      const env = lambda(dnsRole.template, id).Environment.Variables;
      const deployed = { ...env, ACCOUNT_ID: '111111111111', AWS_REGION: 'eu-west-1' };
      expect(() => loadConfig(deployed), id).not.toThrow();
    }
  });
});

describe('sls package with a malformed dnsRoleArn or dnsRoleExternalId', () => {
  it('fails on a role ARN that is not one, naming the parameter', async () => {
    await expect(slsPackage('--param=dnsRoleArn=arn:aws:iam::2222:role/rlec-dns-prod')).rejects.toThrow(
      /dnsRoleArn: "arn:aws:iam::2222:role\/rlec-dns-prod" is not an IAM role ARN/,
    );
  }, 120_000);

  it('fails on an external id without a role to send it to, naming the parameter', async () => {
    await expect(slsPackage('--param=dnsRoleExternalId=rlec-dns-111111111111')).rejects.toThrow(
      /dnsRoleExternalId: given without dnsRoleArn/,
    );
  }, 120_000);
});

describe('sls package with a route53Rate over the share', () => {
  it('fails, naming route53Rate, the containers and route53Share', async () => {
    await expect(slsPackage('--param=route53Rate=2')).rejects.toThrow(
      /route53Rate: 2 requests\/s per container × 3 containers \(stateChangeConcurrency \+ reconcileConcurrency\) is more than route53Share=5/,
    );
  }, 120_000);
});

describe('sls package with a resolverRate over the Resolver share', () => {
  it('fails, naming resolverRate, the containers and resolverShare', async () => {
    await expect(slsPackage('--param=resolverRate=2')).rejects.toThrow(
      /resolverRate: 2 requests\/s per container × 3 containers \(stateChangeConcurrency \+ reconcileConcurrency\) is more than resolverShare=4/,
    );
  }, 120_000);
});

describe('sls package with a stateChangeConcurrency below 2', () => {
  it('fails, naming the queue cap that needs at least 2', async () => {
    await expect(slsPackage('--param=stateChangeConcurrency=1')).rejects.toThrow(
      /sqs\.maximumConcurrency': must be >= 2/,
    );
  }, 120_000);
});

describe('sls package with a malformed hostedZoneIds or recordNames', () => {
  it('fails on a hosted zone id that is not one, naming the parameter', async () => {
    await expect(slsPackage('--param=hostedZoneIds=Z0123456789ABCDEFGHIJ,example.com')).rejects.toThrow(
      /hostedZoneIds: "example.com" is not a Route 53 hosted zone id/,
    );
  }, 120_000);

  it('fails on a record name pattern with a trailing dot, naming the parameter', async () => {
    await expect(slsPackage('--param=recordNames=*.example.com.')).rejects.toThrow(
      /recordNames: "\*\.example\.com\." must be lower case, without a trailing dot/,
    );
  }, 120_000);
});
