/**
 * The scheduled sweep. Reconciles every cluster; throws after finishing the others if any cluster failed transiently,
 * so the failure is visible and Lambda retries. A refused cluster (permanent: a person must fix it) and a deferred
 * one (no time left: the next sweep does it) do not make it throw.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { sweep } from '../lib/controller/sweep.js';
import { TransientError } from '../lib/platform/errors.js';
import { type Runtime, runtime } from '../lib/platform/runtime.js';

class SweepIncompleteError extends TransientError {}

export interface SweepSummary {
  readonly changed: string[];
  readonly unchanged: string[];
  readonly refused: string[];
  readonly deferred: string[];
}

async function handle(rt: Runtime, context: Context): Promise<SweepSummary> {
  const deps = { ...rt.deps, timeLeftMs: () => context.getRemainingTimeInMillis() };
  const outcomes = [...(await sweep(deps)).values()];
  const named = (status: string) => outcomes.filter((o) => o.status === status).map((o) => o.cluster);
  const failed = named('failed');
  if (failed.length > 0) throw new SweepIncompleteError(`sweep incomplete: ${failed.join(', ')} will be retried`);
  return {
    changed: named('changed'),
    unchanged: named('unchanged'),
    refused: named('refused'),
    deferred: named('deferred'),
  };
}

/** The handler over one runtime: its logger and metrics are the ones the loop writes to and the ones flushed. */
export function createHandler(rt: Runtime) {
  return middy((_event: ScheduledEvent, context: Context) => handle(rt, context))
    .use(injectLambdaContext(rt.logger, { resetKeys: true }))
    .use(logMetrics(rt.metrics));
}

/** Built at cold start: a bad configuration fails here, naming the variable. */
export const handler = createHandler(runtime());
