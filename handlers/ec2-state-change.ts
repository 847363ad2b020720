/**
 * EC2 state changes and tag changes, delivered either directly by EventBridge or in batches through SQS.
 * - EventBridge: a transient failure throws, so Lambda's async retries (and the rule's DLQ) take over.
 * - SQS: returns `{ batchItemFailures }` naming only the messages to retry.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processEvents } from '../lib/controller/process-events.js';
import { TransientError } from '../lib/platform/errors.js';
import { type Runtime, runtime } from '../lib/platform/runtime.js';

class EventNotSettledError extends TransientError {}

type Incoming = SQSEvent | EventBridgeEvent<string, unknown>;

const isSqs = (event: Incoming): event is SQSEvent => Array.isArray((event as SQSEvent).Records);

async function handle(rt: Runtime, event: Incoming, context: Context): Promise<SQSBatchResponse | undefined> {
  const deps = { ...rt.deps, timeLeftMs: () => context.getRemainingTimeInMillis() };
  if (isSqs(event)) {
    const items = event.Records.map((r) => ({ id: r.messageId, body: r.body }));
    const result = await processEvents(deps, items);
    return { batchItemFailures: result.retry.map((itemIdentifier) => ({ itemIdentifier })) };
  }
  const id = typeof event?.id === 'string' ? event.id : 'event';
  const result = await processEvents(deps, [{ id, body: event }]);
  if (result.retry.length > 0) throw new EventNotSettledError(`event ${id} not settled; Lambda will retry it`);
  return undefined;
}

/** The handler over one runtime: its logger and metrics are the ones the loop writes to and the ones flushed. */
export function createHandler(rt: Runtime) {
  return middy((event: Incoming, context: Context) => handle(rt, event, context))
    .use(injectLambdaContext(rt.logger, { resetKeys: true }))
    .use(logMetrics(rt.metrics));
}

/** Built at cold start: a bad configuration fails here, naming the variable. */
export const handler = createHandler(runtime());
