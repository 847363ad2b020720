/**
 * SDK errors, classified once, where the clients are built: each error a call ends with (after the SDK's own retries)
 * becomes an {@link AwsPermanentError} (a person must fix it: retrying only fills the dead-letter queue) or an
 * {@link AwsTransientError} (the platform retries), naming the call (`route53:ChangeResourceRecordSets`), what it was
 * about (`hostedzone/Z…`, the record names) and AWS's code, with the SDK's error as `cause`.
 *
 * | the error a call ends with                                    | becomes                                   |
 * |----------------------------------------------------------------|-------------------------------------------|
 * | `InvalidChangeBatch`                                           | unchanged: lib/provider/route53.ts tells a lost   |
 * |                                                                | race (retry) from a rejection (permanent) |
 * | a code of {@link PERMANENT_CODES} (denied, credentials, zone)  | permanent                                 |
 * | throttling, network, timeout, 5xx, `$retryable`, server fault  | transient (the SDK's own lists)           |
 * | a code of {@link TRANSIENT_CLIENT_CODES}                       | transient                                 |
 * | any other client fault (`$fault: 'client'`: a 4xx)             | permanent                                 |
 * | anything else (not an answer from AWS: a bug, an abort)        | unchanged (the loop retries it)           |
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { InitializeMiddleware, MiddlewareStack, SdkError } from '@smithy/types';
import { type AwsCall, AwsPermanentError, AwsTransientError, RlecDnsError } from './errors.js';

const NAME = 'rlecClassifyErrors';

/** Errors the caller classifies itself, from their message. */
const LEFT_TO_CALLER = new Set(['InvalidChangeBatch']);

/** Codes retrying never fixes, whatever fault the SDK gives them. */
export const PERMANENT_CODES: ReadonlySet<string> = new Set([
  // Not allowed: an IAM policy, a service control policy or a permissions boundary (or the `recordNames` condition).
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'OptInRequired',
  // Credentials expired, revoked, unknown or missing.
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'AuthFailure',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
  // The hosted zone is gone, or the input is one AWS will never take.
  'NoSuchHostedZone',
  'InvalidInput',
  'InvalidArgument',
  'InvalidDomainName',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MissingParameter',
]);

/** Client faults that a later call may not meet: another request in progress, eventual consistency. */
export const TRANSIENT_CLIENT_CODES: ReadonlySet<string> = new Set([
  'PriorRequestNotComplete',
  'ConcurrentModification',
  'NoSuchChange',
  'InvalidInstanceID.NotFound',
]);

type Raised = Error & Partial<Pick<SdkError, '$fault' | '$metadata' | '$retryable'>> & { code?: unknown };

const firstLine = (text: string): string => text.split('\n')[0]?.trim() ?? '';

/**
 * The named error for what a call ended with, or the error itself when it is ours, left to the caller, or not an
 * answer from AWS.
 *
 * @example classifyAwsError(accessDenied, { service: 'route53', action: 'ListHostedZones' }) // AwsPermanentError
 */
export function classifyAwsError(error: unknown, call: AwsCall): unknown {
  if (!(error instanceof Error) || error instanceof RlecDnsError || LEFT_TO_CALLER.has(error.name)) return error;
  const raised = error as Raised;
  const code = typeof raised.code === 'string' && raised.code !== '' ? raised.code : error.name;
  const reason = firstLine(error.message) || code;
  if (PERMANENT_CODES.has(error.name)) return new AwsPermanentError(call, error.name, reason, { cause: error });
  const sdk = raised as SdkError;
  const transient =
    isThrottlingError(sdk) ||
    isTransientError(sdk) ||
    isServerError(sdk) ||
    raised.$fault === 'server' ||
    raised.$retryable !== undefined ||
    TRANSIENT_CLIENT_CODES.has(error.name);
  if (transient) return new AwsTransientError(call, code, reason, { cause: error });
  if (raised.$fault === 'client') return new AwsPermanentError(call, code, reason, { cause: error });
  return error;
}

/** What AWS refused, as log attributes: the call (`route53:ChangeResourceRecordSets`), its resource, AWS's code. */
export const awsAttributes = (error: unknown): Record<string, string | undefined> =>
  error instanceof AwsPermanentError
    ? { action: `${error.service}:${error.action}`, resource: error.resource, code: error.code }
    : {};

const listed = (what: string, items: readonly string[]): string => {
  const shown = items.slice(0, 3).join(', ');
  return `${what} ${shown}${items.length > 3 ? ` and ${items.length - 3} more` : ''}`;
};

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** What a call was about, from its input: the hosted zone, the record names it changes, the instances it asks for. */
export function resourceOf(input: unknown): string | undefined {
  const i = (input ?? {}) as {
    HostedZoneId?: unknown;
    ChangeBatch?: { Changes?: { ResourceRecordSet?: { Name?: unknown } }[] };
    InstanceIds?: unknown;
    Filters?: { Name?: unknown; Values?: unknown }[];
  };
  const parts: string[] = [];
  if (typeof i.HostedZoneId === 'string') parts.push(`hostedzone/${i.HostedZoneId.replace(/^\/?hostedzone\//, '')}`);
  const names = [...new Set(strings(i.ChangeBatch?.Changes?.map((c) => c.ResourceRecordSet?.Name)))];
  if (names.length > 0) parts.push(listed('records', names));
  const ids = [...strings(i.InstanceIds), ...strings(i.Filters?.find((f) => f.Name === 'instance-id')?.Values)];
  if (ids.length > 0) parts.push(listed('instances', ids));
  return parts.length === 0 ? undefined : parts.join(', ');
}

/**
 * Classifies every error the client's calls end with (see the module's table). Outermost in the stack, so it sees the
 * error the SDK's retries gave up on, not each attempt's (lib/platform/attempt-log.ts logs those).
 *
 * @example classifyErrors(route53, 'route53')
 */
export function classifyErrors<I extends object, O extends object>(
  client: { readonly middlewareStack: MiddlewareStack<I, O> },
  service: string,
): void {
  const middleware: InitializeMiddleware<I, O> = (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      const action = (context.commandName ?? 'UnknownCommand').replace(/Command$/, '');
      throw classifyAwsError(error, { service, action, resource: resourceOf(args.input) });
    }
  };
  client.middlewareStack.add(middleware, { step: 'initialize', priority: 'high', name: NAME, override: true });
}
