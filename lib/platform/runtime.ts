/**
 * What a Lambda container builds once, at cold start: configuration (validated), the loop's dependencies
 * (factory.ts), and Powertools' logger and metrics. The handlers build theirs from `runtime()` and stay a few lines.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { ReconcilerDeps } from '../controller/deps.js';
import type { ClientOptions } from './clients.js';
import { addressNotice, loadConfig } from './config.js';
import { createDeps } from './factory.js';

export interface Runtime {
  readonly deps: ReconcilerDeps;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Builds the runtime from an environment; the handlers call it once per container. */
export function createRuntime(env: NodeJS.ProcessEnv, clients: ClientOptions = {}): Runtime {
  // A bad configuration fails here, at cold start, with a message that names the variable.
  const config = loadConfig(env);
  const { serviceName, metricsNamespace } = config.telemetry;
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ namespace: metricsNamespace, serviceName });
  const deps = createDeps(config, { telemetry: { log: logger, metrics }, clients, logPacing: true });
  // Once per container: who can follow the glue this configuration writes into public zones.
  const notice = addressNotice(config);
  if (notice !== undefined) {
    logger.info(notice, {
      zoneType: config.zoneType,
      addressType: config.addressType,
      addressFamily: config.addressFamily,
    });
  }
  return { deps, logger, metrics };
}

let current: Runtime | undefined;

/** The container's runtime, built on first use. */
export function runtime(): Runtime {
  current ??= createRuntime(process.env);
  return current;
}
