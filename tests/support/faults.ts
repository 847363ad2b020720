/**
 * Fault injection and outcome recording for the fault and hostile-input tests (tests/faults/).
 * - `injectFaults` answers the first matching requests with a fault (an error response, a connection reset, a delay,
 *   or a request held until the test lets it go, whose answer the test then reads), then lets requests through.
 * - `deliver` delivers events as the SQS queue does: the items a run names for retry come back, up to a limit.
 * - `Reliability` records what each fault or hostile input produced, for the README's Reliability table
 *   (tests/faults/render-reliability.ts renders it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ReconcilerDeps } from '../../lib/controller/deps.js';
import { type BatchResult, type EventItem, processEvents } from '../../lib/controller/process-events.js';
import type { BeforeForward, CannedResponse, RequestContext } from '../../tools/emulator/aws-proxy.js';
import { request } from '../../tools/emulator/http.js';
import { priorRequestNotCompleteError, route53Error, throttlingError } from '../../tools/emulator/route53-errors.js';
import type { World } from '../../tools/world/world.js';
import { sendOn } from './concurrency.js';

export type Fault =
  | { readonly kind: 'respond'; readonly response: () => CannedResponse }
  | { readonly kind: 'reset' }
  | { readonly kind: 'apply-then-reset' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'hold' };

export const FAULTS = {
  throttling: { kind: 'respond', response: throttlingError },
  priorRequestNotComplete: { kind: 'respond', response: priorRequestNotCompleteError },
  serverError: { kind: 'respond', response: () => route53Error('InternalFailure', 'An internal error occurred', 500) },
  serviceUnavailable: {
    kind: 'respond',
    response: () => route53Error('ServiceUnavailable', 'Service is unavailable', 503),
  },
  connectionReset: { kind: 'reset' },
  /** The request reaches Route 53 and is applied, then the connection drops before the answer: the SDK retries it. */
  appliedThenReset: { kind: 'apply-then-reset' },
} as const satisfies Record<string, Fault>;

/** What Route 53 (the emulator, through its rules layer) answered a request. */
export interface Answer {
  readonly status: number;
  readonly body: string;
}

export interface Injection {
  /** Requests answered with the fault so far. */
  readonly injected: () => number;
  /** For `hold`: lets the held request go on to Route 53. */
  readonly release: () => void;
  /** For `hold`: resolves once a request is held. */
  readonly held: Promise<void>;
  /**
   * For `hold`: resolves, once released, with what Route 53 answered the held request. The caller gets the same
   * answer if it is still waiting; a caller that gave up (a request timeout) never sees it, the test does.
   */
  readonly answer: Promise<Answer>;
}

/**
 * Answers the first `times` requests for `action` with the fault; later ones pass. Runs before the Route 53 rules
 * (see aws-proxy.ts), so `apply-then-reset` may send the request on itself before cutting the connection.
 */
export function injectFaults(world: World, action: string, fault: Fault, times: number): Injection {
  let injected = 0;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let markHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    markHeld = resolve;
  });
  let markAnswered: (answer: Answer) => void = () => {};
  const answer = new Promise<Answer>((resolve) => {
    markAnswered = resolve;
  });
  let replaying = false;
  /** Sends the request on to the emulator (bypassing this interceptor) and returns its answer. */
  const forward = async (ctx: RequestContext) => {
    replaying = true;
    try {
      const query = ctx.query.toString();
      return await request(`${world.emulator.endpoint}${ctx.path}${query ? `?${query}` : ''}`, {
        method: ctx.method,
        headers: ctx.headers,
        body: ctx.body,
      });
    } finally {
      replaying = false;
    }
  };
  const interceptor: BeforeForward = async (ctx: RequestContext) => {
    if (replaying || ctx.action !== action || injected >= times) return undefined;
    injected += 1;
    switch (fault.kind) {
      case 'respond':
        return fault.response();
      case 'reset':
        return { status: 0, body: '', destroy: true };
      case 'apply-then-reset':
        await forward(ctx);
        return { status: 0, body: '', destroy: true };
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return undefined;
      case 'hold': {
        markHeld();
        await released;
        const res = await forward(ctx);
        const body = res.body.toString();
        markAnswered({ status: res.status, body });
        return { status: res.status, body, headers: res.headers };
      }
    }
  };
  world.emulator.proxy.beforeForward = interceptor;
  return { injected: () => injected, release, held, answer };
}

export interface Delivery {
  /** Deliveries made (1 when the first settled everything). */
  readonly deliveries: number;
  /** Items still failing after the last delivery (they would go on to the dead-letter queue). */
  readonly unsettled: readonly string[];
  readonly results: readonly BatchResult[];
}

/** Delivers items as SQS does: what a run names for retry is delivered again, up to `maxDeliveries` times. */
export async function deliver(deps: ReconcilerDeps, items: readonly EventItem[], maxDeliveries = 5): Promise<Delivery> {
  const results: BatchResult[] = [];
  let pending = [...items];
  while (pending.length > 0 && results.length < maxDeliveries) {
    const result = await processEvents(deps, pending);
    results.push(result);
    const retry = new Set(result.retry);
    pending = pending.filter((item) => retry.has(item.id));
  }
  return { deliveries: results.length, unsettled: pending.map((item) => item.id), results };
}

export interface Outcome {
  /** `fault` or `input`. */
  readonly kind: 'fault' | 'input';
  readonly name: string;
  /** What happened, in a few words. */
  readonly outcome: string;
  /** The log line that says so. */
  readonly log: string;
  /** The metric that counts it, with its value, or '' when none does. */
  readonly metric: string;
  readonly ms: number;
}

const OUT_DIR = fileURLToPath(new URL('../../.tmp/reliability/', import.meta.url));

/** Outcomes of one test file, written to `.tmp/reliability/<file>.json` when the file's tests are done. */
export class Reliability {
  readonly #outcomes: Outcome[] = [];

  constructor(readonly file: string) {}

  record(outcome: Outcome): void {
    this.#outcomes.push(outcome);
  }

  async save(): Promise<void> {
    await mkdir(OUT_DIR, { recursive: true });
    await writeFile(`${OUT_DIR}${this.file}.json`, `${JSON.stringify(this.#outcomes, null, 2)}\n`);
  }
}

/**
 * EC2 showing a change late: the first `action` request is answered as the emulator stood before `then` ran (it is
 * sent on to moto directly, so the proxy counts it once; then `then` changes the world; then that earlier answer is
 * returned). For EC2 actions, which the emulator's rules do not touch. Later requests pass. Returns how many requests
 * it answered so (0 or 1).
 */
export function answerBefore(world: World, action: string, then: () => Promise<void>): () => number {
  let answered = 0;
  world.emulator.proxy.beforeForward = async (ctx: RequestContext) => {
    if (ctx.action !== action || answered > 0) return undefined;
    answered += 1;
    const answer = await sendOn(world, ctx, world.emulator.motoUrl);
    await then();
    return answer;
  };
  return () => answered;
}
