/**
 * What every command gets: AWS clients from the standard credential chain (with --region and --profile), the same
 * configuration the functions read (OWNER_ID, CLUSTER_TAG_KEY, … ; --owner overrides OWNER_ID), the zone directory,
 * and telemetry that stays silent unless --debug. Region and credentials are checked up front, so a missing one is
 * reported as such rather than as the first API call's failure.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ReconcilerDeps } from '../lib/controller/deps.js';
import { createClients } from '../lib/platform/clients.js';
import { loadConfig } from '../lib/platform/config.js';
import { createDeps } from '../lib/platform/factory.js';
import { pacingFromEnv } from '../lib/platform/pacing.js';
import type { Log, MetricSink, Telemetry } from '../lib/platform/telemetry.js';
import type { CommonOptions } from './args.js';
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

/**
 * The account and Region the CLI acts for, as a function's environment would give them: ACCOUNT_ID when set, else
 * the account of the credentials (STS GetCallerIdentity). Ownership records bind a cluster to an account and Region,
 * so the CLI must know both to tell this deployment's clusters from those owned elsewhere.
 */
async function whereAmI(options: CommonOptions, env: Io['env'], region: string): Promise<Record<string, string>> {
  const given = env.ACCOUNT_ID?.trim();
  if (given !== undefined && given !== '') return { ACCOUNT_ID: given, AWS_REGION: region };
  const sts = new STSClient({ region, ...(options.profile ? { profile: options.profile } : {}), maxAttempts: 3 });
  try {
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    if (Account === undefined) throw new CliError('STS GetCallerIdentity returned no account; set ACCOUNT_ID');
    return { ACCOUNT_ID: Account, AWS_REGION: region };
  } finally {
    sts.destroy();
  }
}

/**
 * Builds the context. Fewer retries than the functions (an operator re-runs a command; a function must not give up
 * early) and bounded connection time, so an unreachable endpoint fails in seconds.
 *
 * @throws MissingRegionError, MissingCredentialsError, or ConfigError (naming the variable at fault).
 */
export async function createContext(options: CommonOptions, io: Io): Promise<Context> {
  const { route53, ec2 } = createClients({
    region: options.region,
    profile: options.profile,
    maxAttempts: 3,
    timeouts: { connectionMs: 5_000, requestMs: 30_000 },
    route53Pacing: pacingFromEnv(io.env),
  });
  const close = () => {
    route53.destroy();
    ec2.destroy();
  };
  let where: Record<string, string>;
  try {
    const region = await ec2.config.region().catch(() => {
      throw new MissingRegionError();
    });
    await route53.config.credentials();
    where = await whereAmI(options, io.env, region);
  } catch (error) {
    close();
    if (error instanceof Error && error.name === 'CredentialsProviderError') {
      throw new MissingCredentialsError(options.profile, error);
    }
    throw error;
  }
  const owner = options.owner === undefined ? {} : { OWNER_ID: options.owner };
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ ...io.env, ...where, ...owner });
  } catch (error) {
    close();
    throw error;
  }
  // The clients were built before the configuration (to find the region and the account): the factory uses them.
  const deps = createDeps(config, {
    use: { route53, ec2 },
    telemetry: telemetry(io, options.debug),
    zoneCacheSeconds: 3600,
  });
  return { io, options, deps, close };
}
