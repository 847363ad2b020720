/** The context Lambda hands a handler, for running the real handlers outside Lambda (tests, the demo). */
import type { Context } from 'aws-lambda';

let invocations = 0;

/** A Lambda context as the platform gives one: a fresh request id per call, 30 s left, account 123456789012. */
export function lambdaContext(functionName: string, region = 'us-east-1'): Context {
  invocations += 1;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `00000000-0000-4000-a000-${String(invocations).padStart(12, '0')}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]00000000000000000000000000000000',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
