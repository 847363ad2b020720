/**
 * One simulated Lambda container: what a handler builds at cold start, built by the same code (lib/platform/runtime.ts over
 * lib/platform/clients.ts: the configuration, the paced clients with adaptive retries and failed-attempt logging, the zone
 * cache), with captured telemetry in place of Powertools' so the scenarios can read the metrics back.
 */

import type { ReconcilerDeps } from '../lib/controller/deps.js';
import type { ClientOptions } from '../lib/platform/clients.js';
import { createRuntime } from '../lib/platform/runtime.js';
import { CapturedTelemetry } from '../tools/world/telemetry.js';
import { DEPLOYMENT_ENV } from './fleet.js';

/**
 * Builds a container; pass `telemetry` to read its metrics afterwards. Its clients reach the emulator as the
 * functions' reach AWS, through the environment the benchmark sets (AWS_ENDPOINT_URL, AWS_REGION, credentials).
 */
export function container(clientOptions: ClientOptions = {}, telemetry = new CapturedTelemetry()): ReconcilerDeps {
  const { deps } = createRuntime({ ...DEPLOYMENT_ENV }, clientOptions);
  return { ...deps, telemetry: { log: telemetry.log, metrics: telemetry.sink } };
}
