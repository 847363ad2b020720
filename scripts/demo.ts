/**
 * `npm start`: the whole job on an embedded default, with no AWS account. It starts the emulator (moto server behind
 * the proxy that enforces Route 53's rules), creates the public hosted zone example.com, launches three instances
 * tagged `rlec:cluster=mycluster.example.com`, passes each one's `EC2 Instance State-change Notification` through the
 * real Lambda handler and prints the cluster's records as zone-file lines; then terminates the node holding ns2,
 * launches a fourth one, passes both events through the handler and prints the records again: the new node takes the
 * freed number.
 *
 * The handler's JSON log lines are summarised (the changes it made); `--logs` prints them too, one compact line each.
 * Colour only on a terminal, and never when NO_COLOR is set. Exits 1 with a one-line error when anything fails.
 *
 *   npx tsx scripts/demo.ts [--logs]
 */
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { paint, processIo } from '../cli/output.js';
import { zoneFileLines } from '../cli/zone-file.js';
import type { RecordSet } from '../lib/plan/records.js';
import { parseOwnership } from '../lib/registry/ownership.js';
import { readCluster } from '../lib/registry/route53.js';
import { emulatorEnv } from '../tools/emulator/emulator.js';
import { lambdaContext } from '../tools/world/lambda-context.js';
import { CLUSTER_TAG, World } from '../tools/world/world.js';

const ZONE = 'example.com';
const CLUSTER = 'mycluster.example.com';
const OWNER_ID = 'rlec-dns-demo';
const FIRST_ADDRESSES = ['10.0.1.11', '10.0.1.12', '10.0.1.13'] as const;
const NEW_ADDRESS = '10.0.1.14';
const FREED_SLOT = 2;

const showRawLogs = process.argv.includes('--logs');

// --- output

// Colour as the CLI has it: only on a terminal, never with NO_COLOR. The demo writes to the stream itself: the
// handler's logs go through `console`, which is captured while it runs.
const io = processIo();
const { bold, dim, red, green, yellow } = paint(io);
const say = (line = ''): void => io.out(line);
let step = 0;
const heading = (title: string): void => {
  step += 1;
  say();
  say(bold(`${step}. ${title}`));
};

// --- the handler

type Handler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<unknown>;

/**
 * The environment the handler reads when its module is loaded (configuration at cold start), then the real handler.
 * The caller's own AWS settings are dropped: the demo must only ever talk to the emulator.
 */
async function loadHandler(endpoint: string): Promise<Handler> {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('AWS_ENDPOINT_URL_')) delete process.env[name];
  }
  for (const name of [
    'AWS_PROFILE',
    'AWS_SESSION_TOKEN',
    'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
    'HOSTED_ZONE_IDS',
    'CLUSTER_TAG_KEY',
    'ADDRESS_TYPE',
    'ADDRESS_TYPE_TAG_KEY',
    'RECORD_TTL',
    'ZONE_CACHE_SECONDS',
    'POWERTOOLS_SERVICE_NAME',
  ]) {
    delete process.env[name];
  }
  Object.assign(process.env, emulatorEnv(endpoint), {
    OWNER_ID,
    // The emulator's default account: serverless.yml gives the functions their own.
    ACCOUNT_ID: '123456789012',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // Powertools then writes through the global console, where the demo captures and summarises its lines.
    POWERTOOLS_DEV: 'true',
  });
  // The module logs at cold start (its pacing, who can follow the glue): captured as the invocations' lines are.
  let handler: unknown;
  const { error, lines } = await capturingConsole(async () => {
    ({ handler } = await import('../handlers/ec2-state-change.js'));
  });
  if (error !== undefined) throw error;
  for (const line of lines) {
    if (showRawLogs && line.json !== undefined) say(dim(`      ${JSON.stringify(line.json)}`));
    else if (typeof line.json?.message === 'string') say(dim(`   cold start: ${line.json.message}`));
  }
  return handler as Handler;
}

const FUNCTION_NAME = 'rlec-dns-demo-stateChange';

/** What the handler logged during one invocation. */
interface Captured {
  readonly level: string;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Runs `work` with the global console captured; what was captured is kept whether `work` succeeds or throws. */
async function capturingConsole(work: () => Promise<unknown>): Promise<{ error: unknown; lines: Captured[] }> {
  const lines: Captured[] = [];
  const saved = CONSOLE_METHODS.map((method) => [method, console[method]] as const);
  for (const method of CONSOLE_METHODS) {
    console[method] = (...args: unknown[]) => {
      const text = args.map((arg) => (typeof arg === 'string' ? arg : String(arg))).join(' ');
      let json: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
      } catch {
        // Not a log record.
      }
      lines.push({ level: method, text, json });
    };
  }
  try {
    await work();
    return { error: undefined, lines };
  } catch (error) {
    return { error: error ?? new Error('the handler failed'), lines };
  } finally {
    for (const [method, fn] of saved) console[method] = fn;
  }
}

/**
 * Passes an instance's state-change event through the handler, as EventBridge would, and shows what the handler
 * did: the change batch it logged, verbatim, and any warning or error.
 */
async function deliver(handler: Handler, world: World, instanceId: string, state: string): Promise<void> {
  const event = world.stateEvent(instanceId, state) as unknown as EventBridgeEvent<string, unknown>;
  const { error, lines } = await capturingConsole(() => handler(event, lambdaContext(FUNCTION_NAME)));
  let changed = false;
  for (const line of lines) {
    if (showRawLogs && line.json !== undefined) say(dim(`      ${JSON.stringify(line.json)}`));
    const message = typeof line.json?.message === 'string' ? line.json.message : undefined;
    if (message === 'cluster records changed') {
      changed = true;
      const changes = Array.isArray(line.json?.changes) ? line.json.changes.map(String) : [];
      say(`      ${dim(`handler: cluster records changed, one atomic batch of ${changes.length}:`)}`);
      for (const change of changes) say(`        ${change.startsWith('DELETE') ? red(change) : green(change)}`);
    } else if (line.text.startsWith('No application metrics to publish')) {
      // Powertools' notice after an invocation that stored no metric: metrics are off in the demo.
    } else if (line.level === 'warn' || line.level === 'error' || message !== undefined) {
      const level = String(line.json?.level ?? line.level).toLowerCase();
      say(`      ${yellow(`handler ${level}:`)} ${message ?? line.text}`);
    }
  }
  // A failed invocation (EventBridge would retry it) ends the demo, after the lines that say why.
  if (error !== undefined) throw error;
  if (!changed) say(`      ${dim('handler: no change, Route 53 already matches the running members')}`);
}

// --- records

/** The cluster's records in the zone: NS (values sorted), then the glue A records by number, then the ownership TXT. */
async function clusterRecords(world: World, zoneId: string): Promise<RecordSet[]> {
  const order = (set: RecordSet): [number, number] => {
    if (set.type === 'NS') return [0, 0];
    if (set.type === 'A') return [1, Number(/^ns(\d+)\./.exec(set.name)?.[1] ?? 0)];
    return [2, 0];
  };
  return (await readCluster(world.route53, zoneId, CLUSTER))
    .map((set) => (set.type === 'NS' ? { ...set, values: [...set.values].sort() } : set))
    .sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0] - y[0] || x[1] - y[1];
    });
}

/** Zone-file lines, one value per line, as in the README. */
function printRecords(sets: readonly RecordSet[]): void {
  say(dim(`   ; in the public hosted zone ${ZONE}`));
  if (sets.length === 0) say(dim('   ; (no records for the cluster)'));
  for (const line of zoneFileLines(sets)) say(`   ${line}`);
}

/** instance id → number, from the ownership record. */
function slots(sets: readonly RecordSet[]): ReadonlyMap<string, number> {
  const txt = sets.find((set) => set.type === 'TXT');
  return (txt === undefined ? undefined : parseOwnership(txt)?.slots) ?? new Map();
}

const holderOf = (sets: readonly RecordSet[], slot: number): string | undefined =>
  [...slots(sets)].find(([, n]) => n === slot)?.[0];

const glueOf = (sets: readonly RecordSet[], slot: number): string | undefined =>
  sets.find((set) => set.type === 'A' && set.name === `ns${slot}.${CLUSTER}.`)?.values[0];

// --- the demo

async function demo(world: World): Promise<void> {
  const handler = await loadHandler(world.emulator.endpoint);

  heading(`Creating the public hosted zone ${ZONE}`);
  const zoneId = await world.zone(ZONE);
  say(`   ${ZONE}: hosted zone ${zoneId}`);

  heading(`Launching three instances tagged ${CLUSTER_TAG}=${CLUSTER}`);
  say(dim('   each one\'s EC2 "running" event goes through the real handler, handlers/ec2-state-change.ts'));
  for (const address of FIRST_ADDRESSES) {
    const id = await world.launch({ cluster: CLUSTER, privateIp: address });
    say(`   ${bold(id)} ${address}: running → event → handler`);
    await deliver(handler, world, id, 'running');
  }

  heading(`The cluster's records: ${CLUSTER} delegated to its three nodes`);
  const before = await clusterRecords(world, zoneId);
  printRecords(before);

  const leaving = holderOf(before, FREED_SLOT);
  if (leaving === undefined) throw new Error(`no instance holds ns${FREED_SLOT} after the first step`);
  heading(`Terminating the node that holds ns${FREED_SLOT}, then launching a fourth one`);
  await world.terminate(leaving);
  say(`   ${bold(leaving)} ${glueOf(before, FREED_SLOT) ?? ''}: terminated → event → handler`);
  await deliver(handler, world, leaving, 'terminated');
  const joining = await world.launch({ cluster: CLUSTER, privateIp: NEW_ADDRESS });
  say(`   ${bold(joining)} ${NEW_ADDRESS}: running → event → handler`);
  await deliver(handler, world, joining, 'running');

  heading("The cluster's records again");
  const after = await clusterRecords(world, zoneId);
  printRecords(after);
  const joinedAs = slots(after).get(joining);
  const kept = [...slots(before)].filter(([id, n]) => id !== leaving && slots(after).get(id) === n).map(([, n]) => n);
  say();
  if (joinedAs === FREED_SLOT) {
    say(
      `   ${green('✓')} ns${FREED_SLOT} was freed by ${leaving} and reused by ${joining} ` +
        `(${glueOf(after, FREED_SLOT) ?? '?'}): a new node takes the lowest free number; ` +
        `${kept.map((n) => `ns${n}`).join(' and ')} did not move.`,
    );
  } else {
    say(`   ${yellow('!')} the new node ${joining} holds ns${joinedAs ?? '?'}, not the freed ns${FREED_SLOT}.`);
  }
}

function nextSteps(): void {
  heading('On a real deployment');
  say('   Deploy, naming the public hosted zone(s) it may write:');
  say(
    '     npx sls deploy --stage prod --region eu-west-1 --param="hostedZoneIds=Z0123456789ABCDEFGHIJ" --param="addressType=private"',
  );
  say(`   Tag the Redis Enterprise nodes ${CLUSTER_TAG}=${CLUSTER}, then check the delegation:`);
  say(
    `     dig +norecurse @$(dig +short ns ${ZONE} | head -1) ns ${CLUSTER}   ${dim("# Route 53's referral, with glue")}`,
  );
  say(
    `     dig ns ${CLUSTER}          ${dim('# answered by the nodes themselves (from the VPC if the glue is private)')}`,
  );
  say(`     dig node1.${CLUSTER}       ${dim('# resolves through any live node')}`);
}

async function main(): Promise<number> {
  const started = Date.now();
  // The SDK's notice that its 2027 releases will need Node 22: not news a demo should lead with.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  say(bold('rlec-dns demo: Route 53 delegation for a Redis Enterprise cluster, on a local AWS emulator'));
  let world: World | undefined;
  const interrupted = async () => {
    process.stderr.write('\ndemo interrupted\n');
    await world?.stop();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    heading('Starting the emulator');
    world = await World.start();
    say(
      `   moto server behind the Route 53 rules proxy: ${world.emulator.endpoint} ${dim(`(${Date.now() - started} ms)`)}`,
    );
    await demo(world);
    nextSteps();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`demo failed: ${message.split('\n')[0]?.trim() || 'unknown error'}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', interrupted);
    await world?.stop();
  }
  say();
  say(dim(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s; the emulator is stopped.`));
  return 0;
}

process.exitCode = await main();
