/**
 * Makes the SDK's own retries visible. The clients retry throttling, 5xx answers and network errors by themselves
 * (lib/platform/clients.ts), and a call that succeeds on its third attempt leaves no trace in the loop's logs. This middleware
 * sits inside the retry loop and logs every failed attempt, with the error and the attempt number, so an operator
 * sees "Throttling, attempt 1 of 8" before the call that finally succeeded.
 */
import type { FinalizeRequestMiddleware, MiddlewareStack } from '@smithy/types';
import type { Log } from './telemetry.js';

const NAME = 'rlecLogFailedAttempts';

/** `amz-sdk-request: attempt=2; max=8`, the header the SDK's retry middleware sets on every attempt. */
function attemptOf(request: unknown): string | undefined {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers;
  const match = /attempt=(\d+); max=(\d+)/.exec(headers?.['amz-sdk-request'] ?? '');
  return match === null ? undefined : `${match[1]} of ${match[2]}`;
}

/**
 * Logs each failed attempt of the client's calls at warn level (`AWS call attempt failed`), with the service, the
 * command, the error name and message, and `attempt` ("1 of 8"). Errors are rethrown unchanged: the SDK still
 * decides whether to retry.
 *
 * @example logFailedAttempts(route53, logger, 'route53')
 */
export function logFailedAttempts<I extends object, O extends object>(
  client: { readonly middlewareStack: MiddlewareStack<I, O> },
  log: Log,
  service: string,
): void {
  const middleware: FinalizeRequestMiddleware<I, O> = (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      log.warn('AWS call attempt failed', {
        service,
        command: context.commandName,
        attempt: attemptOf(args.request),
        error: name,
        reason: message,
      });
      throw error;
    }
  };
  client.middlewareStack.add(middleware, { step: 'finalizeRequest', priority: 'low', name: NAME });
}
