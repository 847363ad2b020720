/**
 * One simulated Lambda container: what a handler builds at cold start, built by the same code (lib/platform/config.ts's
 * loadConfig and lib/platform/factory.ts's createDeps, as lib/platform/runtime.ts does: the configuration, the paced
 * clients with adaptive retries and failed-attempt logging, the zone cache), with captured telemetry in place of
 * Powertools' so the scenarios can read the metrics back (the pacing's throttle count and rate changes included).
 */

import type { ReconcilerDeps } from '../lib/controller/deps.js';
import type { ClientOptions } from '../lib/platform/clients.js';
import { loadConfig } from '../lib/platform/config.js';
import { createDeps } from '../lib/platform/factory.js';
import { CapturedTelemetry } from '../tools/world/telemetry.js';
import { DEPLOYMENT_ENV } from './fleet.js';

/**
 * Builds a container; pass `telemetry` to read its metrics afterwards. Its clients reach the emulator as the
 * functions' reach AWS, through the environment the benchmark sets (AWS_ENDPOINT_URL, AWS_REGION, credentials).
 */
export function container(clientOptions: ClientOptions = {}, telemetry = new CapturedTelemetry()): ReconcilerDeps {
  const config = loadConfig({ ...DEPLOYMENT_ENV });
  return createDeps(config, { telemetry: { log: telemetry.log, metrics: telemetry.sink }, clients: clientOptions });
}
