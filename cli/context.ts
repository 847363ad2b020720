/**
 * What every command gets: AWS clients from the standard credential chain (with --region and --profile; Route 53
 * through the DNS role when one is set), the same configuration the functions read (OWNER_ID, CLUSTER_TAG_KEY,
 * DNS_ROLE_ARN, … ; --owner and --dns-role-* override them), the zone directory, and telemetry that stays silent unless --debug. Region and credentials are checked up front, so a missing one is
 * reported as such rather than as the first API call's failure.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ReconcilerDeps } from '../lib/controller/deps.js';
import { type Config, loadConfig } from '../lib/platform/config.js';
import { createDeps } from '../lib/platform/factory.js';
import type { Log, MetricSink, Telemetry } from '../lib/platform/telemetry.js';
import type { CommonOptions } from './args.js';
import { assumeDnsRole, roleEnv, withFlagNames } from './dns-role.js';
import { CliError } from './failure.js';
import type { Io } from './output.js';

export interface Context {
  readonly io: Io;
  readonly options: CommonOptions;
  /** The loop's dependencies; commands choose apply or plan when they call the loop's entry point. */
  readonly deps: ReconcilerDeps;
  /** Releases the clients' sockets, so the process can exit. */
  close(): void;
}

/** No region is configured: EC2 is regional, and Route 53 calls must be signed for one. */
export class MissingRegionError extends CliError {
  constructor() {
    super('no AWS region: pass --region, set AWS_REGION, or set a region in the profile');
  }
}

/** The credential chain found nothing usable. */
export class MissingCredentialsError extends CliError {
  constructor(profile: string | undefined, cause: Error) {
    const detail = cause.message.split('\n')[0] ?? '';
    const hint =
      profile === undefined
        ? 'set AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login'
        : `check profile ${profile} in ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE), or run aws sso login --profile ${profile}`;
    super(`no usable AWS credentials${profile === undefined ? '' : ` for profile ${profile}`} (${detail}); ${hint}`, {
      cause,
    });
  }
}

/** Logs the loop's steps as JSON lines on stderr with --debug; drops them otherwise (the command reports outcomes). */
function telemetry(io: Io, debug: boolean): Telemetry {
  const errors = (_key: string, value: unknown) => (value instanceof Error ? `${value.name}: ${value.message}` : value);
  const line =
    (level: string) =>
    (message: unknown, ...rest: unknown[]) => {
      if (!debug) return;
      const attributes = Object.assign({}, ...rest.map((r) => (r instanceof Error ? { error: r } : r)));
      io.err(JSON.stringify({ level, message: String(message), ...attributes }, errors));
    };
  const log = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') } as Log;
  // The CLI publishes no metrics: they describe the functions' work.
  const metrics = { addMetric: () => undefined } as unknown as MetricSink;
  return { log, metrics };
}

/** Bounded connection time, so an unreachable endpoint fails in seconds. */
const TIMEOUTS = { connectionMs: 5_000, requestMs: 30_000 } as const;

/**
 * The account and Region the CLI acts for, as a function's environment would give them: ACCOUNT_ID when set, else
 * the account of the credentials (STS GetCallerIdentity: the caller's own account, never the DNS role's). Ownership
 * records bind a cluster to an account and Region, so the CLI must know both to tell this deployment's clusters from
 * those owned elsewhere. Region and credentials are checked here, before any other call.
 */
async function whereAmI(options: CommonOptions, env: Io['env']): Promise<Record<string, string>> {
  const sts = new STSClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: TIMEOUTS.connectionMs,
      requestTimeout: TIMEOUTS.requestMs,
      throwOnRequestTimeout: true,
    },
  });
  try {
    const region = await sts.config.region().catch(() => {
      throw new MissingRegionError();
    });
    await sts.config.credentials();
    const given = env.ACCOUNT_ID?.trim();
    if (given !== undefined && given !== '') return { ACCOUNT_ID: given, AWS_REGION: region };
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    if (Account === undefined) throw new CliError('STS GetCallerIdentity returned no account; set ACCOUNT_ID');
    return { ACCOUNT_ID: Account, AWS_REGION: region };
  } catch (error) {
    if (error instanceof Error && error.name === 'CredentialsProviderError') {
      throw new MissingCredentialsError(options.profile, error);
    }
    throw error;
  } finally {
    sts.destroy();
  }
}

/**
 * Builds the context: who and where the caller is, then the configuration (the functions' variables, with the
 * command line's --owner and --dns-role-* over them), then the clients from it, as the functions build theirs (the
 * DNS role, when set, assumed up front: lib/platform/clients.ts, ./dns-role.ts). Fewer retries than the functions (an
 * operator re-runs a command; a function must not give up early) and bounded timeouts.
 *
 * @throws MissingRegionError, MissingCredentialsError, ConfigError (naming the variable at fault), UsageError (a
 *   --dns-role-* value), DnsRoleRefusedError.
 */
export async function createContext(options: CommonOptions, io: Io): Promise<Context> {
  const flags = { ...roleEnv(options), ...(options.owner === undefined ? {} : { OWNER_ID: options.owner }) };
  const where = await whereAmI(options, io.env);
  let config: Config;
  try {
    config = loadConfig({ ...io.env, ...where, ...flags });
  } catch (error) {
    throw withFlagNames(error, options);
  }
  const deps = createDeps(config, {
    clients: { region: where.AWS_REGION, profile: options.profile, maxAttempts: 3, timeouts: TIMEOUTS },
    telemetry: telemetry(io, options.debug),
    zoneCacheSeconds: 3600,
  });
  try {
    await assumeDnsRole(deps);
  } catch (error) {
    deps.close();
    throw error;
  }
  return { io, options, deps, close: deps.close };
}
