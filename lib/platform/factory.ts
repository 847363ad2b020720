/**
 * The one way to build the loop's dependencies from a configuration: the clients (adaptive retries, classified
 * errors, Route 53 pacing, every failed attempt logged), the zone directory, telemetry. The functions (runtime.ts),
 * the CLI, the benchmark and the tests all build theirs here; what differs between them is said in the options.
 */

import type { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import type { ReconcilerDeps } from '../controller/deps.js';
import { ZoneDirectory } from '../registry/zones.js';
import { SeenInstances } from '../source/hints.js';
import { logFailedAttempts } from './attempt-log.js';
import { type ClientOptions, type Clients, createClients } from './clients.js';
import type { Config } from './config.js';
import { TokenBucket } from './pacing.js';
import { describePacing } from './pacing-config.js';
import { createResolverClient } from './resolver-client.js';
import { type Log, METRIC, type Telemetry } from './telemetry.js';

export interface DepsOptions {
  readonly telemetry: Telemetry;
  /** Client settings (region, profile, endpoint, credentials, attempts, timeouts, pacing); default: the functions'. */
  readonly clients?: ClientOptions;
  /** Clients already built (a test world's), used as they are instead of building new ones. */
  readonly use?: Clients;
  /** Where failed SDK attempts are logged (default: the telemetry's log); `false` logs none. */
  readonly attemptLog?: Log | false;
  /** Overrides `config.zoneCacheSeconds` (the CLI caches for its whole run, tests not at all). */
  readonly zoneCacheSeconds?: number;
  /** Log the Route 53 pacing once (the functions, at cold start; not the CLI, whose log is its own output). */
  readonly logPacing?: boolean;
  readonly extra?: Partial<Pick<ReconcilerDeps, 'retry' | 'sleep' | 'random' | 'timeLeftMs'>>;
}

export interface BuiltDeps extends ReconcilerDeps {
  /** Releases the clients' sockets (the CLI, and short-lived test containers). */
  close(): void;
}

/** The Resolver client, only when rules are written (its own bucket, the DNS role as for Route 53). */
function resolverClient(config: Config, options: DepsOptions): { resolver?: Route53ResolverClient } {
  if (config.resolver.rule === 'none') return {};
  const attemptLog = options.attemptLog ?? options.telemetry.log;
  const { resolver } = createResolverClient({
    route53Role: config.dnsRole,
    pacing: config.resolver.pacing,
    telemetry: options.telemetry,
    ...(attemptLog === false ? {} : { attemptLog }),
    ...options.clients,
  });
  return { resolver };
}

/**
 * The container's Route 53 bucket: the configured pacing (or the one the options give), with the telemetry that logs
 * each change of its rate and counts throttles. A bucket or `false` in the options is used as it is.
 */
function pacing(config: Config, options: DepsOptions): TokenBucket | false {
  const given = options.clients?.route53Pacing;
  if (given === false || given instanceof TokenBucket) return given;
  if (given === undefined && options.logPacing === true)
    options.telemetry.log.info(describePacing(config.route53Pacing));
  return new TokenBucket(given ?? config.route53Pacing, { telemetry: options.telemetry });
}

/**
 * Builds the loop's dependencies.
 *
 * @example createDeps(loadConfig(process.env), { telemetry: { log: logger, metrics } })
 */
export function createDeps(config: Config, options: DepsOptions): BuiltDeps {
  const clients = options.use ?? {
    ...createClients({ route53Role: config.dnsRole, ...options.clients, route53Pacing: pacing(config, options) }),
    ...resolverClient(config, options),
  };
  const attemptLog = options.attemptLog ?? options.telemetry.log;
  if (options.use === undefined && attemptLog !== false) {
    // The SDK retries throttling, 5xx and network errors silently: log each failed attempt.
    logFailedAttempts(clients.route53, attemptLog, 'route53');
    logFailedAttempts(clients.ec2, attemptLog, 'ec2');
  }
  const zones = new ZoneDirectory({
    route53: clients.route53,
    allowedZoneIds: config.hostedZoneIds,
    cacheSeconds: options.zoneCacheSeconds ?? config.zoneCacheSeconds,
    zoneType: config.zoneType,
    // ZONE_TYPE=both and one side has no zone: the cluster is published on the other side; said loudly, every run.
    onMissingSide: (error) => {
      options.telemetry.log.error(error.message, { cluster: error.cluster, error: error.name });
      options.telemetry.metrics.addMetric(METRIC.clustersRefused, 'Count', 1);
    },
  });
  const close = () => {
    if (options.use !== undefined) return;
    clients.route53.destroy();
    clients.ec2.destroy();
    clients.resolver?.destroy();
  };
  const seen = new SeenInstances();
  return { ...clients, config, zones, telemetry: options.telemetry, seen, ...options.extra, close };
}
