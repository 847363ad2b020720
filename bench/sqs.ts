/**
 * Delivery as the SQS event source mapping does it, in process: events arrive on a queue; up to `concurrency`
 * pollers each gather a batch (up to `batchSize` messages, waiting up to the batching window for it to fill) and
 * invoke the function, each poller in its own container; the messages the function names as failures (or all of
 * them, when it throws or outlives its timeout) come back after the visibility timeout; a message received more than
 * `maxReceiveCount` times goes to the dead-letter queue instead.
 *
 * Time is real except for the visibility timeout, which is scaled down (390 s deployed) so that retries show within
 * the run. A batch stays hidden while its invocation runs, as the deployed timeout guarantees (it exceeds the function
 * timeout plus the batching window); its failed messages come back `visibilityMs` after the invocation ends.
 *
 * The function is what handlers/ec2-state-change.ts runs for an SQS batch: processEvents over the messages, the
 * failures reported as batchItemFailures.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReconcilerDeps } from '../lib/controller/deps.js';
import { processEvents } from '../lib/controller/process-events.js';
import type { Delivery } from './deployment.js';

export interface Arrival {
  /** When the event reaches the queue, in ms after the start. */
  readonly atMs: number;
  readonly body: unknown;
}

interface Message {
  readonly id: string;
  readonly body: unknown;
  receiveCount: number;
  visibleAt: number;
}

export interface DeliveryOptions extends Delivery {
  /** The visibility timeout used in the simulation, in ms (the deployed one, scaled down, so retries show). */
  readonly visibilityMs: number;
}

export interface DeliveryReport {
  readonly batches: number;
  readonly batchSizes: number[];
  readonly batchMs: number[];
  /** The bodies of each batch's messages, in delivery order (redeliveries included). */
  readonly batchBodies: (readonly unknown[])[];
  /** Deliveries beyond the first. */
  readonly redeliveries: number;
  /** Invocations that threw or outlived the function timeout (their whole batch comes back). */
  readonly failedInvocations: number;
  readonly deadLettered: readonly unknown[];
  /** From the first arrival until the queue is empty and no batch is in flight. */
  readonly drainedMs: number;
  /** Containers started (cold starts). */
  readonly containers: number;
}

const POLL_MS = 20;

export async function deliverThroughQueue(
  arrivals: readonly Arrival[],
  options: DeliveryOptions,
  newContainer: () => ReconcilerDeps,
): Promise<DeliveryReport> {
  const queue: Message[] = [];
  const deadLettered: unknown[] = [];
  const batchSizes: number[] = [];
  const batchMs: number[] = [];
  const batchBodies: unknown[][] = [];
  let redeliveries = 0;
  let failedInvocations = 0;
  let arrived = 0;
  let containers = 0;
  const start = performance.now();
  const now = () => performance.now() - start;

  const timers = arrivals.map((arrival, i) =>
    setTimeout(() => {
      queue.push({ id: `msg-${i}`, body: JSON.stringify(arrival.body), receiveCount: 0, visibleAt: 0 });
      arrived += 1;
    }, arrival.atMs),
  );
  const visible = () => queue.filter((m) => m.visibleAt <= now());
  const drained = () => arrived === arrivals.length && queue.length === 0;

  /** Receives up to `max` visible messages, moving those past maxReceiveCount to the dead-letter queue. */
  function receive(max: number): Message[] {
    const taken: Message[] = [];
    for (const message of visible()) {
      if (taken.length >= max) break;
      message.receiveCount += 1;
      if (message.receiveCount > options.maxReceiveCount) {
        queue.splice(queue.indexOf(message), 1);
        deadLettered.push(message.body);
        continue;
      }
      if (message.receiveCount > 1) redeliveries += 1;
      message.visibleAt = Number.POSITIVE_INFINITY;
      taken.push(message);
    }
    return taken;
  }

  async function poller(): Promise<void> {
    let deps: ReconcilerDeps | undefined;
    while (!drained()) {
      if (visible().length === 0) {
        await sleep(POLL_MS);
        continue;
      }
      const gathering = now();
      while (visible().length < options.batchSize && now() - gathering < options.windowMs) await sleep(POLL_MS);
      const batch = receive(options.batchSize);
      if (batch.length === 0) continue;
      if (deps === undefined) {
        deps = newContainer();
        containers += 1;
      }
      const began = now();
      let retry: ReadonlySet<string>;
      try {
        const result = await processEvents(
          deps,
          batch.map((m) => ({ id: m.id, body: m.body })),
        );
        retry = new Set(result.retry);
      } catch {
        retry = new Set(batch.map((m) => m.id));
        failedInvocations += 1;
      }
      const took = now() - began;
      if (took > options.functionTimeoutSeconds * 1000) {
        retry = new Set(batch.map((m) => m.id));
        failedInvocations += 1;
      }
      batchSizes.push(batch.length);
      batchMs.push(took);
      batchBodies.push(batch.map((m) => m.body));
      for (const message of batch) {
        if (retry.has(message.id)) message.visibleAt = now() + options.visibilityMs;
        else queue.splice(queue.indexOf(message), 1);
      }
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, () => poller()));
  for (const timer of timers) clearTimeout(timer);
  return {
    batches: batchSizes.length,
    batchSizes,
    batchMs,
    batchBodies,
    redeliveries,
    failedInvocations,
    deadLettered,
    drainedMs: now(),
    containers,
  };
}
