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
import { runtime } from '../lib/platform/runtime.js';

class EventNotSettledError extends TransientError {}

type Incoming = SQSEvent | EventBridgeEvent<string, unknown>;

const isSqs = (event: Incoming): event is SQSEvent => Array.isArray((event as SQSEvent).Records);

async function handle(event: Incoming, context: Context): Promise<SQSBatchResponse | undefined> {
  const deps = { ...runtime().deps, timeLeftMs: () => context.getRemainingTimeInMillis() };
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

const { logger, metrics } = runtime();

export const handler = middy(handle)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
