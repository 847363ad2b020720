/**
 * What a Lambda container builds once, at cold start: configuration (validated), clients, the zone cache, and
 * Powertools' logger and metrics. Handlers import `runtime()` and stay a few lines long.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { ReconcilerDeps } from '../controller/reconciler.js';
import { ZoneDirectory } from '../registry/zones.js';
import { logFailedAttempts } from './attempt-log.js';
import { type Clients, createClients } from './clients.js';
import { loadConfig } from './config.js';

export interface Runtime {
  readonly deps: ReconcilerDeps;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

const SERVICE = 'rlec-dns';

/** Builds the runtime from an environment; the handlers call it once per container. */
export function createRuntime(env: NodeJS.ProcessEnv, clients: Clients = createClients()): Runtime {
  const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? SERVICE });
  const metrics = new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? 'RlecDns', serviceName: SERVICE });
  // A bad configuration fails here, at cold start, with a message that names the variable.
  const config = loadConfig(env);
  // The SDK retries throttling, 5xx and network errors silently: log each failed attempt.
  logFailedAttempts(clients.route53, logger, 'route53');
  logFailedAttempts(clients.ec2, logger, 'ec2');
  const zones = new ZoneDirectory({
    route53: clients.route53,
    allowedZoneIds: config.hostedZoneIds,
    cacheSeconds: config.zoneCacheSeconds,
  });
  return { deps: { ...clients, config, zones, telemetry: { log: logger, metrics } }, logger, metrics };
}

let current: Runtime | undefined;

/** The container's runtime, built on first use. */
export function runtime(): Runtime {
  current ??= createRuntime(process.env);
  return current;
}

/** Forgets the container's runtime (tests change the environment between cases). */
export function resetRuntime(): void {
  current = undefined;
}
