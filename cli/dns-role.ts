/**
 * The zones in another account (`--dns-role-arn`, `--dns-role-external-id`, or DNS_ROLE_ARN and DNS_ROLE_EXTERNAL_ID
 * as the functions read them): every Route 53 call goes through that role (lib/platform/clients.ts), EC2 and STS's
 * GetCallerIdentity stay in the caller's own account. The role is assumed once before the command starts, so a role
 * that cannot be assumed is one clear error, before anything is read or written.
 */
import type { ReconcilerDeps } from '../lib/controller/deps.js';
import { AwsPermanentError, ConfigError } from '../lib/platform/errors.js';
import { type CommonOptions, UsageError } from './args.js';
import { CliError } from './failure.js';

const FLAGS = { DNS_ROLE_ARN: '--dns-role-arn', DNS_ROLE_EXTERNAL_ID: '--dns-role-external-id' } as const;

/**
 * The variables the flags stand for, to lay over the environment before the configuration is read (and validated
 * there, as for the functions).
 *
 * @throws UsageError for a flag given an empty value (an unset shell variable, likely): the CLI would otherwise act
 *   on the caller's own account's zones without a word.
 */
export function roleEnv(options: CommonOptions): Record<string, string> {
  const given = { DNS_ROLE_ARN: options.dnsRoleArn, DNS_ROLE_EXTERNAL_ID: options.dnsRoleExternalId };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (value.trim() === '') throw new UsageError(`${FLAGS[name as keyof typeof FLAGS]} is empty`);
    env[name] = value;
  }
  return env;
}

/**
 * A configuration error about a variable the command line set names the flag instead, as a usage error; a variable
 * it did not set is named with its flag beside it (`--dns-role-arn (or DNS_ROLE_ARN)`).
 */
export function withFlagNames(error: unknown, options: CommonOptions): unknown {
  if (!(error instanceof ConfigError)) return error;
  const given = roleEnv(options);
  const names = Object.keys(FLAGS) as (keyof typeof FLAGS)[];
  if (!names.some((name) => name in given && error.message.startsWith(name))) return error;
  const named = (name: keyof typeof FLAGS) => (name in given ? FLAGS[name] : `${FLAGS[name]} (or ${name})`);
  const message = names.reduce(
    (text, name) => text.replace(new RegExp(`\\b${name}\\b`, 'g'), named(name)),
    error.message,
  );
  return new UsageError(message);
}

/** The DNS role cannot be assumed: nothing was read or changed in the zones' account. */
export class DnsRoleRefusedError extends CliError {
  constructor(
    readonly roleArn: string,
    account: string,
    cause: AwsPermanentError,
  ) {
    const reason = cause.cause instanceof Error ? (cause.cause.message.split('\n')[0] ?? '') : cause.message;
    super(
      `cannot assume the DNS role ${roleArn}: ${cause.code}: ${reason}; its trust policy must allow account ${account}` +
        ' (with the external id it asks for: --dns-role-external-id); nothing was changed',
      { cause },
    );
  }
}

/**
 * Assumes the DNS role, when one is set, before the command makes its first call.
 *
 * @throws DnsRoleRefusedError when STS refuses it (trust policy, external id, no such role); a transient failure
 *   (network, throttling) as it is.
 */
export async function assumeDnsRole(deps: Pick<ReconcilerDeps, 'route53' | 'config'>): Promise<void> {
  const role = deps.config.dnsRole;
  if (role === undefined) return;
  try {
    await deps.route53.config.credentials();
  } catch (error) {
    if (error instanceof AwsPermanentError) throw new DnsRoleRefusedError(role.arn, deps.config.account, error);
    throw error;
  }
}
