/**
 * Tools for concurrency tests against the emulator: Lambda containers (each with its own clients, zone cache and
 * telemetry, and a label on every request, so the proxy can tell whose request it holds), a barrier that makes
 * requests overlap for certain, a wiretap on the change batches the proxy receives, and a rival writer whose batches
 * are told apart from ours by their comment.
 */
import { type Change, ChangeResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import type { ReconcilerDeps } from '../../lib/controller/deps.js';
import type { RetryOptions } from '../../lib/controller/retry.js';
import { createDeps } from '../../lib/platform/factory.js';
import {
  type BeforeForward,
  type CannedResponse,
  type RequestContext,
  TEST_CREDENTIALS,
  TEST_REGION,
} from '../../tools/emulator/emulator.js';
import { request } from '../../tools/emulator/http.js';
import { type ChangeAction, parseChangeBatch } from '../../tools/emulator/route53-xml.js';
import { CapturedTelemetry } from '../../tools/world/telemetry.js';
import type { World } from '../../tools/world/world.js';

/** Small, real, jittered backoff: conflicts are retried within milliseconds. */
export const FAST_JITTER: RetryOptions = { attempts: 8, baseMs: 5, maxMs: 50 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One Lambda container: what `runtime()` builds at cold start, with telemetry captured for this container alone. */
export interface Container {
  /** Unique in the test run; every request the container sends carries it (see {@link containerOf}). */
  readonly label: string;
  readonly deps: ReconcilerDeps;
  readonly telemetry: CapturedTelemetry;
  destroy(): void;
}

// The SDK appends a custom user agent to the `user-agent` header of every request: the proxy reads the label there.
const AGENT = 'rlec-dns-test-container';
const LABELLED = new RegExp(`(?:^|\\s)${AGENT}/(\\S+)`);
let containers = 0;

/** The label of the container that sent this request, or undefined for a request from no container. */
export const containerOf = (ctx: RequestContext): string | undefined =>
  LABELLED.exec(ctx.headers['user-agent'] ?? '')?.[1];

/**
 * A container with its own SDK clients (adaptive retries and classified errors, as `lib/platform/clients.ts` builds them), its
 * own zone directory and its own telemetry, real `sleep` and the default random jitter.
 */
export function container(world: World, retry: RetryOptions = FAST_JITTER): Container {
  containers += 1;
  const label = `c${containers}`;
  const telemetry = new CapturedTelemetry();
  const deps = createDeps(world.deps().config, {
    // The functions' clients, pointed at the emulator; no pacing (the emulator has no quota to protect); each
    // container's requests carry its label, so the proxy can tell them apart.
    clients: {
      endpoint: world.emulator.endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
      route53Pacing: false,
      userAgent: `${AGENT}/${label}`,
    },
    telemetry: { log: telemetry.log, metrics: telemetry.sink },
    attemptLog: false,
    extra: { retry, sleep: realSleep },
  });
  return { label, deps, telemetry, destroy: () => deps.close() };
}

/** Sum of a metric over several containers. */
export const total = (containers: readonly Container[], metric: string): number =>
  containers.reduce((sum, c) => sum + c.telemetry.count(metric), 0);

/**
 * Holds callers until `size` have arrived, then lets them all go at once; later callers pass straight through. A
 * timeout, counted from the first arrival, releases a barrier that will never fill (so a test fails on its
 * assertions instead of hanging); `filled` tells the two apart.
 */
export class Barrier {
  #arrived = 0;
  #filled = false;
  #timedOut = false;
  #timer: NodeJS.Timeout | undefined;
  #open: () => void = () => {};
  readonly #opened = new Promise<void>((resolve) => {
    this.#open = resolve;
  });

  constructor(
    readonly size: number,
    readonly timeoutMs: number,
  ) {}

  get arrived(): number {
    return this.#arrived;
  }

  /** True when `size` callers were held together (false if the timeout released them). */
  get filled(): boolean {
    return this.#filled;
  }

  arrive(): Promise<void> {
    this.#arrived += 1;
    if (this.#arrived === 1) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.#open();
      }, this.timeoutMs);
    }
    // Callers that arrive after the timeout were never held together with the first: the barrier did not fill.
    if (this.#arrived === this.size && !this.#timedOut) {
      this.#filled = true;
      clearTimeout(this.#timer);
      this.#open();
    }
    return this.#opened;
  }
}

/** The comment on every batch the rival writer sends, so the wiretap can tell its batches from the project's. */
export const RIVAL_COMMENT = 'rival writer (test)';

/** Writes a batch as another writer would, through the emulator (and so through Route 53's rules). */
export async function rivalWrite(route53: Route53Client, zoneId: string, changes: Change[]): Promise<void> {
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Comment: RIVAL_COMMENT, Changes: changes },
    }),
  );
}

// Marks a request the test sends on itself, so that the interceptor lets it through.
const SENT_ON = 'x-rlec-test-sent-on';

/**
 * Sends an intercepted request on to the emulator now (past the interceptor) and returns the emulator's answer, for
 * the interceptor to hand back: the caller gets the same answer, and the test knows it has been given. `to` another
 * URL than the proxy's (moto's: the request is then counted once, and Route 53's rules are not applied).
 */
export async function sendOn(world: World, ctx: RequestContext, to = world.emulator.endpoint): Promise<CannedResponse> {
  const query = ctx.query.toString();
  const res = await request(`${to}${ctx.path}${query ? `?${query}` : ''}`, {
    method: ctx.method,
    headers: { ...ctx.headers, [SENT_ON]: '1' },
    body: ctx.body,
  });
  return { status: res.status, body: res.body.toString(), headers: res.headers };
}

/** One ChangeResourceRecordSets request as the proxy received it. */
export interface SentBatch {
  readonly comment: string | undefined;
  readonly actions: readonly ChangeAction[];
  /** Names of the record sets it changes, lower case with the trailing dot. */
  readonly names: readonly string[];
  /** The raw XML body. */
  readonly body: string;
}

/**
 * Records every ChangeResourceRecordSets body the proxy receives, before anything else sees it, then hands the
 * request to the scenario's own interceptor (`next`), if any.
 */
export class Wiretap {
  readonly sent: SentBatch[] = [];
  next: BeforeForward | undefined;

  install(world: World): void {
    world.emulator.proxy.beforeForward = (ctx: RequestContext) => {
      if (ctx.headers[SENT_ON] !== undefined) return undefined; // Seen already, on its way in.
      if (ctx.action === 'ChangeResourceRecordSets') this.sent.push(toSentBatch(ctx.body));
      return this.next?.(ctx);
    };
  }

  /** Batches sent by the project: every one but the rival writer's. */
  project(cluster?: string): SentBatch[] {
    return this.sent.filter((b) => b.comment !== RIVAL_COMMENT && (cluster === undefined || touches(b, cluster)));
  }

  /** Bodies of the project's batches that carry an UPSERT (raw, as sent). */
  projectUpserts(): string[] {
    return this.project()
      .map((b) => b.body)
      .filter((body) => /<Action>\s*UPSERT\s*<\/Action>/i.test(body));
  }
}

/** True when the batch changes a record set at or below the cluster's name. */
export const touches = (batch: SentBatch, cluster: string): boolean =>
  batch.names.some((name) => name === `${cluster}.` || name.endsWith(`.${cluster}.`));

function toSentBatch(body: string): SentBatch {
  const parsed = parseChangeBatch(body);
  return {
    comment: parsed?.comment,
    actions: parsed?.changes.map((c) => c.action) ?? [],
    names: parsed?.changes.map((c) => c.set.name) ?? [],
    body,
  };
}
