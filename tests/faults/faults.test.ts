/**
 * Faults injected between the real SDK clients (configured as lib/platform/clients.ts configures them: adaptive retries, 8
 * attempts) and the emulator, in the proxy the tests control. For each: the cluster's records are right once the
 * platform's retries are done (items named for retry are delivered again, as SQS does), nothing outside the cluster
 * changes, and the log says what happened. Each outcome is recorded for the table in docs/reliability.md.
 *
 * A conflicting writer between our read and our write (InvalidChangeBatch) is covered by
 * tests/integration/concurrency.test.ts ("re-reads and publishes both nodes when another writer adds a node between
 * its read and its write", and the ten-way race); it is not repeated here.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processEvents } from '../../lib/controller/process-events.js';
import { sweep } from '../../lib/controller/sweep.js';
import { logFailedAttempts } from '../../lib/platform/attempt-log.js';
import { METRIC } from '../../lib/platform/telemetry.js';
import { clients, TEST_CREDENTIALS, TEST_REGION } from '../../tools/emulator/emulator.js';
import { ec2Error, route53Error } from '../../tools/emulator/route53-errors.js';
import { change, changeBatch } from '../../tools/world/route53-helpers.js';
import type { CapturedTelemetry } from '../../tools/world/telemetry.js';
import { type Container, container } from '../support/concurrency.js';
import { delegation } from '../support/delegation.js';
import { deliver, FAULTS, type Fault, injectFaults, Reliability } from '../support/faults.js';
import { useWorld } from '../support/use-world.js';

const C1 = 'c1.example.com';
const C2 = 'c2.example.com';
const ipA = '10.0.1.11';
const ipB = '10.0.1.12';
const ipC2 = '10.0.2.21';
const ipC2b = '10.0.2.22';

/** Records nobody asked rlec-dns to touch: hand-made, another cluster's, a name below c1 that rlec-dns never writes. */
const unrelated = [
  change('CREATE', 'www.example.com', 'A', 300, ['192.0.2.1']),
  change('CREATE', 'example.com', 'MX', 300, ['10 mail.example.com.']),
  change('CREATE', 'c1-b.example.com', 'A', 300, ['192.0.2.2']),
  change('CREATE', `node1.${C1}`, 'A', 60, ['10.0.1.11']),
];

const reliability = new Reliability('faults');
const setup = useWorld();
let a: string;
let b: string;
let c2Node: string;
let containers: Container[];

afterAll(async () => {
  await reliability.save();
});
beforeEach(async () => {
  await changeBatch(setup.world.route53, setup.zoneId, unrelated);
  a = await setup.world.launch({ cluster: C1, privateIp: ipA });
  c2Node = await setup.world.launch({ cluster: C2, privateIp: ipC2 });
  await processEvents(setup.world.deps(), [
    { id: 'a', body: setup.world.stateEvent(a, 'running') },
    { id: 'c2', body: setup.world.stateEvent(c2Node, 'running') },
  ]);
  b = await setup.world.launch({ cluster: C1, privateIp: ipB });
  containers = [];
});
afterEach(() => {
  for (const c of containers) c.destroy();
});

/** A Lambda container as deployed (adaptive retries, 8 attempts), with its failed attempts logged. */
function lambda(): Container {
  const c = container(setup.world);
  logFailedAttempts(c.deps.route53, c.telemetry.log, 'route53');
  logFailedAttempts(c.deps.ec2, c.telemetry.log, 'ec2');
  containers.push(c);
  return c;
}

const ownName = (line: string) => {
  const name = line.slice(0, line.indexOf(' '));
  return name === `${C1}.` || name === `_rlec-dns.${C1}.` || /^ns\d+\.c1\.example\.com\.$/.test(name);
};

/** c1's delegation records (not node1.c1, which rlec-dns never writes). */
const c1Records = async () => (await setup.world.clusterRecords(setup.zoneId, C1)).filter(ownName);

/** Every record of the zone that is not one of c1's delegation records. */
const outsideC1 = async () => (await setup.world.records(setup.zoneId)).filter((line) => !ownName(line)).sort();

const expected = () =>
  delegation(C1, [
    [1, a, ipA],
    [2, b, ipB],
  ]);

const launchedB = () => [{ id: 'b', body: setup.world.stateEvent(b, 'running') }];

/** The first log line with this message, as `level: message {attributes}` for the report. */
function line(telemetry: CapturedTelemetry, message: string, pick: string[] = []): string {
  const found = telemetry.lines.find((l) => l.message === message);
  if (found === undefined) return '';
  const attributes = pick
    .filter((k) => found.attributes[k] !== undefined)
    .map((k) => `${k}=${String(found.attributes[k])}`);
  return `${found.level}: ${found.message}${attributes.length > 0 ? ` (${attributes.join(', ')})` : ''}`;
}

interface SdkAbsorbed {
  readonly name: string;
  readonly action: string;
  readonly fault: Fault;
  readonly times: number;
  /** The error the SDK reports for the failed attempt. */
  readonly error: RegExp;
}

const absorbed: SdkAbsorbed[] = [
  {
    name: 'Route 53 Throttling (2 answers)',
    action: 'ChangeResourceRecordSets',
    fault: FAULTS.throttling,
    times: 2,
    error: /^Throttling$/,
  },
  {
    name: 'Route 53 PriorRequestNotComplete (2 answers)',
    action: 'ChangeResourceRecordSets',
    fault: FAULTS.priorRequestNotComplete,
    times: 2,
    error: /^PriorRequestNotComplete$/,
  },
  {
    name: 'Route 53 HTTP 503 on reads (2 answers)',
    action: 'ListResourceRecordSets',
    fault: FAULTS.serviceUnavailable,
    times: 2,
    error: /^ServiceUnavailable$/,
  },
  {
    name: 'Route 53 HTTP 500 on writes (2 answers)',
    action: 'ChangeResourceRecordSets',
    fault: FAULTS.serverError,
    times: 2,
    error: /^InternalFailure$/,
  },
  {
    name: 'connection reset before the write reached Route 53 (2 times)',
    action: 'ChangeResourceRecordSets',
    fault: FAULTS.connectionReset,
    times: 2,
    error: /./,
  },
];

describe('faults the SDK retries by itself', () => {
  for (const { name, action, fault, times, error } of absorbed) {
    it(`converges on the first delivery despite ${name}, touches nothing else, and logs each failed attempt`, async () => {
      // Prepare
      const before = await outsideC1();
      const ours = lambda();
      const injection = injectFaults(setup.world, action, fault, times);
      const started = Date.now();

      // Act
      const delivery = await deliver(ours.deps, launchedB());

      // Assess
      const ms = Date.now() - started;
      expect(injection.injected()).toBe(times);
      expect(delivery.deliveries).toBe(1);
      expect(delivery.unsettled).toEqual([]);
      expect(await c1Records()).toEqual(expected());
      expect(await outsideC1()).toEqual(before);
      const failed = ours.telemetry.lines.filter((l) => l.message === 'AWS call attempt failed');
      expect(failed).toHaveLength(times);
      for (const attempt of failed) {
        expect(attempt.level).toBe('warn');
        expect(attempt.attributes.command).toBe(`${action}Command`);
        expect(String(attempt.attributes.error)).toMatch(error);
      }
      expect(failed.map((l) => l.attributes.attempt)).toEqual(Array.from({ length: times }, (_, i) => `${i + 1} of 8`));
      expect(ours.telemetry.messages('info')).toContain('cluster records changed');
      reliability.record({
        kind: 'fault',
        name,
        outcome: `converged on delivery 1 of 1, after ${times + 1} attempts of ${action}; nothing else touched`,
        log: `${line(ours.telemetry, 'AWS call attempt failed', ['command', 'attempt', 'error'])}`,
        metric: `${METRIC.changeBatches}=${ours.telemetry.count(METRIC.changeBatches)}`,
        ms,
      });
    });
  }
});

describe('faults that reach the platform’s retries', () => {
  it('converges on the second delivery when HTTP 500s outlast the SDK’s attempts, and says the event is retried', async () => {
    // Prepare: a client with 2 attempts, so that 2 faults exhaust it quickly (deployed: 8 attempts, same path)
    const before = await outsideC1();
    const short = clients(setup.world.emulator.endpoint, { maxAttempts: 2 });
    const deps = setup.world.deps({}, { route53: short.route53, ec2: short.ec2 });
    logFailedAttempts(short.route53, setup.world.telemetry.log, 'route53');
    const injection = injectFaults(setup.world, 'ChangeResourceRecordSets', FAULTS.serverError, 2);
    setup.world.telemetry.clear();
    const started = Date.now();

    // Act
    const delivery = await deliver(deps, launchedB());

    // Assess
    const ms = Date.now() - started;
    expect(injection.injected()).toBe(2);
    expect(delivery.results[0]?.retry).toEqual(['b']);
    expect(delivery.deliveries).toBe(2);
    expect(delivery.unsettled).toEqual([]);
    expect(await c1Records()).toEqual(expected());
    expect(await outsideC1()).toEqual(before);
    expect(setup.world.telemetry.messages('error')).toContain('cluster not reconciled; it will be retried');
    expect(setup.world.telemetry.messages('warn')).toContain('event will be retried');
    expect(setup.world.telemetry.count(METRIC.clustersFailed)).toBe(1);
    expect(setup.world.telemetry.count(METRIC.eventsRetried)).toBe(1);
    short.route53.destroy();
    short.ec2.destroy();
    reliability.record({
      kind: 'fault',
      name: 'Route 53 HTTP 500 outlasting the SDK’s attempts (client with 2 attempts)',
      outcome: 'event named for retry; converged on delivery 2 of 2; nothing else touched',
      log: `${line(setup.world.telemetry, 'cluster not reconciled; it will be retried', ['cluster'])}; ${line(setup.world.telemetry, 'event will be retried', ['messageId'])}`,
      metric: `${METRIC.clustersFailed}=1, ${METRIC.eventsRetried}=1`,
      ms,
    });
  });

  it('sees its own batch applied when the connection drops after Route 53 applied it, and writes nothing twice', async () => {
    // Prepare
    const before = await outsideC1();
    const ours = lambda();
    const injection = injectFaults(setup.world, 'ChangeResourceRecordSets', FAULTS.appliedThenReset, 1);
    const started = Date.now();

    // Act
    const delivery = await deliver(ours.deps, launchedB());

    // Assess: the SDK sends the batch again; Route 53 rejects it (the DELETEs no longer match), rlec-dns re-reads and
    // finds nothing left to do
    const ms = Date.now() - started;
    expect(injection.injected()).toBe(1);
    expect(delivery.deliveries).toBe(1);
    expect(delivery.unsettled).toEqual([]);
    expect(await c1Records()).toEqual(expected());
    expect(await outsideC1()).toEqual(before);
    expect(ours.telemetry.messages('warn')).toContain('AWS call attempt failed');
    expect(ours.telemetry.messages('info')).toContain('conflicting writer; re-reading');
    expect(ours.telemetry.count(METRIC.conflicts)).toBe(1);
    reliability.record({
      kind: 'fault',
      name: 'connection reset after Route 53 applied the write',
      outcome: 'the SDK resent the batch; Route 53 refused it (compare-and-swap); re-read found nothing to do',
      log: `${line(ours.telemetry, 'AWS call attempt failed', ['command', 'attempt'])}; ${line(ours.telemetry, 'conflicting writer; re-reading', ['cluster'])}`,
      metric: `${METRIC.conflicts}=1`,
      ms,
    });
  });

  it('waits out a slow Route 53 answer within the request timeout and converges on the first delivery', async () => {
    // Prepare
    const before = await outsideC1();
    const ours = lambda();
    const delayMs = 1_500;
    injectFaults(setup.world, 'ChangeResourceRecordSets', { kind: 'delay', ms: delayMs }, 1);
    const started = Date.now();

    // Act
    const delivery = await deliver(ours.deps, launchedB());

    // Assess
    const ms = Date.now() - started;
    expect(ms).toBeGreaterThanOrEqual(delayMs);
    expect(delivery.deliveries).toBe(1);
    expect(await c1Records()).toEqual(expected());
    expect(await outsideC1()).toEqual(before);
    expect(ours.telemetry.messages('warn')).not.toContain('AWS call attempt failed');
    reliability.record({
      kind: 'fault',
      name: `slow ChangeResourceRecordSets answer (${delayMs / 1000} s)`,
      outcome: 'waited (within the 10 s request timeout of lib/platform/clients.ts); converged on delivery 1',
      log: line(ours.telemetry, 'cluster records changed', ['cluster', 'attempt']),
      metric: `${METRIC.changeBatches}=1`,
      ms,
    });
  });

  it('abandons an answer slower than the request timeout, retries, and has the late original refused by Route 53', async () => {
    // Prepare: the deployed timeouts (lib/platform/clients.ts: 10 s), shortened to 300 ms to keep the run short; the first
    // write is held at the proxy, so its answer is later than any timeout, and sent on only when the test says
    const before = await outsideC1();
    const settings = {
      endpoint: setup.world.emulator.endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
      retryMode: 'adaptive',
      maxAttempts: 8,
      requestHandler: { connectionTimeout: 300, requestTimeout: 300, throwOnRequestTimeout: true },
    } as const;
    const route53 = new Route53Client(settings);
    const ec2 = new EC2Client(settings);
    logFailedAttempts(route53, setup.world.telemetry.log, 'route53');
    const deps = setup.world.deps({}, { route53, ec2 });
    setup.world.telemetry.clear();
    const injection = injectFaults(setup.world, 'ChangeResourceRecordSets', { kind: 'hold' }, 1);
    const started = Date.now();

    // Act: the SDK gives up on the held request and resends the batch, which converges; then the original lands
    const delivery = await deliver(deps, launchedB());
    const converged = await c1Records();
    injection.release();
    const late = await injection.answer;

    // Assess: Route 53 (the rules layer) refused the late original, whose DELETEs name records the retry replaced
    const ms = Date.now() - started;
    expect(injection.injected()).toBe(1);
    expect(delivery.deliveries).toBe(1);
    expect(converged).toEqual(expected());
    expect(late.status).toBe(400);
    expect(late.body).toContain('<Code>InvalidChangeBatch</Code>');
    expect(late.body).toContain(
      `Tried to delete resource record set [name='${C1}.', type='NS'] but the values provided do not match the current values`,
    );
    expect(await c1Records()).toEqual(expected());
    expect(await outsideC1()).toEqual(before);
    const failed = setup.world.telemetry.lines.find((l) => l.message === 'AWS call attempt failed');
    expect(failed?.attributes.error).toBe('TimeoutError');
    expect(setup.world.telemetry.count(METRIC.changeBatches)).toBe(1);
    route53.destroy();
    ec2.destroy();
    reliability.record({
      kind: 'fault',
      name: 'ChangeResourceRecordSets answer slower than the request timeout',
      outcome:
        'the SDK gave up on it and resent the batch, which converged on delivery 1; the late original, let through after that, was refused by Route 53 (compare-and-swap: InvalidChangeBatch) and changed nothing',
      log: line(setup.world.telemetry, 'AWS call attempt failed', ['command', 'attempt', 'error']),
      metric: `${METRIC.changeBatches}=${setup.world.telemetry.count(METRIC.changeBatches)}`,
      ms,
    });
  });

  it('converges on redelivery when an invocation dies between its read and its write, and its late write changes nothing', async () => {
    // Prepare: the first invocation's write is held at the proxy, as if the container died with it in flight
    const before = await outsideC1();
    const doomed = lambda();
    const injection = injectFaults(setup.world, 'ChangeResourceRecordSets', { kind: 'hold' }, 1);
    const abandoned = processEvents(doomed.deps, launchedB());
    await injection.held;
    const started = Date.now();

    // Act: SQS hands the event out again once its visibility timeout expires; another container takes it
    const redelivery = lambda();
    const delivery = await deliver(redelivery.deps, launchedB());
    const converged = await c1Records();
    // The dead invocation's write arrives after all (a worst case: a real kill usually loses it)
    injection.release();
    const late = await abandoned;

    // Assess
    const ms = Date.now() - started;
    expect(delivery.deliveries).toBe(1);
    expect(converged).toEqual(expected());
    expect(late.retry).toEqual([]);
    expect(await c1Records()).toEqual(expected());
    expect(await outsideC1()).toEqual(before);
    expect(redelivery.telemetry.messages('info')).toContain('cluster records changed');
    expect(doomed.telemetry.messages('info')).toContain('conflicting writer; re-reading');
    reliability.record({
      kind: 'fault',
      name: 'invocation killed between its read and its write',
      outcome:
        'the redelivered event converged in another container; the dead invocation’s late write was refused by Route 53 (compare-and-swap) and changed nothing',
      log: `${line(redelivery.telemetry, 'cluster records changed', ['cluster'])}; late writer: ${line(doomed.telemetry, 'conflicting writer; re-reading', ['cluster'])}`,
      metric: `${METRIC.changeBatches}=${redelivery.telemetry.count(METRIC.changeBatches)} (redelivery), ${METRIC.conflicts}=${doomed.telemetry.count(METRIC.conflicts)} (late writer)`,
      ms,
    });
  });
});

/** What IAM answers for a call no policy allows (here: c1's names outside the role's recordNames patterns). */
const notAuthorized = (action: string) =>
  `User: arn:aws:sts::123456789012:assumed-role/rlec-dns-test/stateChange is not authorized to perform: ${action} ` +
  `because no identity-based policy allows the ${action} action`;

const errorLines = (telemetry: CapturedTelemetry) => telemetry.lines.filter((l) => l.level === 'error');

describe('errors that retrying cannot fix', () => {
  it('refuses c1 once when Route 53 denies its change, reconciles c2, retries no event, and counts the error', async () => {
    // Prepare: a second node for c2, and every change of c1's records denied
    const ours = lambda();
    const c2b = await setup.world.launch({ cluster: C2, privateIp: ipC2b });
    const c1Before = await c1Records();
    let denials = 0;
    setup.world.emulator.proxy.beforeForward = ({ action, body }) => {
      if (action !== 'ChangeResourceRecordSets' || !body.includes(`${C1}.`)) return undefined;
      denials += 1;
      return route53Error('AccessDenied', notAuthorized('route53:ChangeResourceRecordSets'), 403);
    };
    const started = Date.now();

    // Act
    const delivery = await deliver(ours.deps, [
      ...launchedB(),
      { id: 'c2b', body: setup.world.stateEvent(c2b, 'running') },
    ]);

    // Assess
    const ms = Date.now() - started;
    // c1 and c2 share the zone: their joint request is denied, the halves are sent apart, c1's alone is denied.
    expect(denials).toBe(2);
    expect(delivery.deliveries).toBe(1);
    expect(delivery.results[0]?.retry).toEqual([]);
    expect(delivery.results[0]?.outcomes.get(C1)?.status).toBe('refused');
    expect(await c1Records()).toEqual(c1Before);
    expect(await setup.world.clusterRecords(setup.zoneId, C2)).toEqual(
      delegation(C2, [
        [1, c2Node, ipC2],
        [2, c2b, ipC2b],
      ]),
    );
    const [refusal, ...others] = errorLines(ours.telemetry);
    expect(others).toEqual([]);
    expect(refusal?.message).toMatch(
      new RegExp(
        `^cluster ${C1} refused: AWS refused route53:ChangeResourceRecordSets on hostedzone/${setup.zoneId}, ` +
          `records .*: AccessDenied: User: .* is not authorized to perform: route53:ChangeResourceRecordSets `,
      ),
    );
    expect(refusal?.attributes).toMatchObject({
      cluster: C1,
      action: 'route53:ChangeResourceRecordSets',
      code: 'AccessDenied',
      resource: expect.stringContaining(`records ${C1}.`),
    });
    expect(ours.telemetry.count(METRIC.awsPermanentErrors)).toBe(1);
    expect(ours.telemetry.count(METRIC.clustersRefused)).toBe(1);
    expect(ours.telemetry.count(METRIC.eventsRetried)).toBe(0);
    reliability.record({
      kind: 'fault',
      name: 'Route 53 AccessDenied on one cluster’s change (a name outside recordNames)',
      outcome: 'that cluster refused on the first answer, the other reconciled; no event retried; nothing else touched',
      log: `error: cluster ${C1} refused: AWS refused route53:ChangeResourceRecordSets on hostedzone/… : AccessDenied: …`,
      metric: `${METRIC.awsPermanentErrors}=1, ${METRIC.clustersRefused}=1, ${METRIC.eventsRetried}=0`,
      ms,
    });
  });

  it('refuses c1 when its hosted zone is gone (NoSuchHostedZone on its read), and reconciles c2', async () => {
    // Prepare
    const ours = lambda();
    const c2b = await setup.world.launch({ cluster: C2, privateIp: ipC2b });
    setup.world.emulator.proxy.beforeForward = ({ action, query }) =>
      action === 'ListResourceRecordSets' && query.get('name')?.startsWith(C1)
        ? route53Error('NoSuchHostedZone', `No hosted zone found with ID: ${setup.zoneId}`, 404)
        : undefined;
    const started = Date.now();

    // Act
    const delivery = await deliver(ours.deps, [
      ...launchedB(),
      { id: 'c2b', body: setup.world.stateEvent(c2b, 'running') },
    ]);

    // Assess
    const ms = Date.now() - started;
    expect(delivery.deliveries).toBe(1);
    expect(delivery.results[0]?.retry).toEqual([]);
    expect(delivery.results[0]?.outcomes.get(C1)?.status).toBe('refused');
    expect(delivery.results[0]?.outcomes.get(C2)?.status).toBe('changed');
    expect(errorLines(ours.telemetry).map((l) => l.message)).toEqual([
      `cluster ${C1} refused: AWS refused route53:ListResourceRecordSets on hostedzone/${setup.zoneId}: ` +
        `NoSuchHostedZone: No hosted zone found with ID: ${setup.zoneId} (tagged on ${[a, b].sort().join(', ')})`,
    ]);
    expect(ours.telemetry.count(METRIC.awsPermanentErrors)).toBe(1);
    reliability.record({
      kind: 'fault',
      name: 'Route 53 NoSuchHostedZone on one cluster’s read',
      outcome: 'that cluster refused, the other reconciled; no event retried',
      log: line(ours.telemetry, errorLines(ours.telemetry)[0]?.message ?? '', ['code']),
      metric: `${METRIC.awsPermanentErrors}=1`,
      ms,
    });
  });

  it('ends a sweep without throwing when the credentials have expired, logging it once and counting it', async () => {
    // Prepare
    const ours = lambda();
    const before = await setup.world.records(setup.zoneId);
    let answered = 0;
    setup.world.emulator.proxy.beforeForward = ({ service }) => {
      if (service !== 'route53') return undefined;
      answered += 1;
      return route53Error('ExpiredToken', 'The security token included in the request is expired', 403);
    };
    const started = Date.now();

    // Act
    const outcomes = await sweep(ours.deps);

    // Assess
    const ms = Date.now() - started;
    expect(outcomes.size).toBe(0);
    expect(answered).toBe(1);
    expect(errorLines(ours.telemetry).map((l) => l.message)).toEqual([
      'sweep not done: AWS refused route53:ListHostedZones: ExpiredToken: The security token included in the request is expired',
    ]);
    expect(ours.telemetry.count(METRIC.awsPermanentErrors)).toBe(1);
    setup.world.emulator.proxy.beforeForward = undefined;
    expect(await setup.world.records(setup.zoneId)).toEqual(before);
    reliability.record({
      kind: 'fault',
      name: 'expired credentials (ExpiredToken) during a sweep',
      outcome: 'the sweep ends without throwing after the first call; nothing written; the next sweep tries again',
      log: line(ours.telemetry, errorLines(ours.telemetry)[0]?.message ?? '', ['code']),
      metric: `${METRIC.awsPermanentErrors}=1`,
      ms,
    });
  });

  it('retries no event of a batch when EC2 denies DescribeInstances, and says so once', async () => {
    // Prepare
    const ours = lambda();
    setup.world.emulator.proxy.beforeForward = ({ action }) =>
      action === 'DescribeInstances'
        ? ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403)
        : undefined;
    const c1Before = await c1Records();
    const started = Date.now();

    // Act
    const delivery = await deliver(ours.deps, launchedB());

    // Assess
    const ms = Date.now() - started;
    expect(delivery.deliveries).toBe(1);
    expect(delivery.unsettled).toEqual([]);
    expect(await c1Records()).toEqual(c1Before);
    expect(errorLines(ours.telemetry).map((l) => l.message)).toEqual([
      // The first EC2 call of a batch is now the read of the tagged instances, which names no instance.
      'events not processed: AWS refused ec2:DescribeInstances: UnauthorizedOperation: You are not authorized to perform this operation.',
    ]);
    expect(ours.telemetry.count(METRIC.awsPermanentErrors)).toBe(1);
    expect(ours.telemetry.count(METRIC.eventsRetried)).toBe(0);
    reliability.record({
      kind: 'fault',
      name: 'EC2 UnauthorizedOperation on DescribeInstances',
      outcome: 'the batch is dropped, not retried (the sweep repairs once access is restored); nothing written',
      log: line(ours.telemetry, errorLines(ours.telemetry)[0]?.message ?? '', ['code']),
      metric: `${METRIC.awsPermanentErrors}=1, ${METRIC.eventsRetried}=0`,
      ms,
    });
  });
});
