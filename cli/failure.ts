/**
 * Errors as one clear line: what went wrong and, where there is one, what to do about it. Stack traces only with
 * --debug. Every failure exits 1 (`plan` uses 2 for "changes pending", as `terraform plan -detailed-exitcode`).
 */

import {
  AwsPermanentError,
  AwsTransientError,
  ForeignRecordsError,
  PermanentError,
  RlecDnsError,
} from '../lib/platform/errors.js';
import { parseOwnership } from '../lib/registry/ownership.js';
import { UsageError } from './args.js';
import type { Env } from './output.js';

export const EXIT = { ok: 0, error: 1, changesPending: 2 } as const;

/** A failure the command already put into words (a missing region or credentials, a wait that timed out). */
export class CliError extends PermanentError {}

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** The error's code, looking through the causes the SDK wraps around network errors. */
function networkCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK.has(code)) return code;
    if (e.name === 'TimeoutError' || /timed? ?out/i.test(e.message)) return 'timeout';
  }
  return undefined;
}

/**
 * A deployment's owner id defaults to `<service>-<stage>-<account>-<region>`, the CLI's to OWNER_ID or the same form: when
 * the records were written by rlec-dns under another owner id, say which, since a wrong --owner is the likely cause.
 */
function ownerHint(error: ForeignRecordsError): string {
  const owners = error.records.flatMap((r) => parseOwnership(r)?.owner ?? []);
  const [owner] = new Set(owners);
  return owner === undefined
    ? ''
    : ` (rlec-dns owner ${owner} wrote them: if that is your deployment, pass --owner ${owner})`;
}

/** The one line printed after `rlec-dns: error: `. */
export function describeError(error: unknown, env: Env): string {
  if (error instanceof UsageError) {
    const help = error.command === undefined ? 'rlec-dns --help' : `rlec-dns ${error.command} --help`;
    return `${error.message} (see ${help})`;
  }
  // A transient AWS error (network, throttling) and missing credentials read best as the SDK's own error, below.
  const local = error instanceof AwsPermanentError && error.code === 'CredentialsProviderError';
  if (error instanceof AwsTransientError || local) return describeError(error.cause, env);
  if (error instanceof ForeignRecordsError) return `${error.message}${ownerHint(error)}`;
  if (error instanceof CliError || error instanceof RlecDnsError) return error.message;
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'CredentialsProviderError') return `no usable AWS credentials (${error.message.split('\n')[0]})`;
  const code = networkCode(error);
  if (code !== undefined) {
    const where = env.AWS_ENDPOINT_URL === undefined ? 'the AWS API' : `AWS_ENDPOINT_URL ${env.AWS_ENDPOINT_URL}`;
    return `cannot reach ${where} (${code}: ${error.message.split('\n')[0]})`;
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) return `AWS refused the request: ${error.name}: ${error.message.split('\n')[0]}`;
  return error.message.split('\n')[0] ?? error.name;
}

/** The stack, and the stacks of its causes, for --debug. */
export function describeStack(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e !== undefined && depth < 5; e = (e as Error).cause, depth += 1) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
  return parts.join('\ncaused by: ');
}
