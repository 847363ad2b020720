/**
 * One simulated Lambda container: what the handler's runtime() builds at cold start (the real clients from
 * lib/clients.ts with their pacing and adaptive retries, the configuration, the zone cache), with quiet telemetry
 * that counts metrics and keeps the errors for the report.
 */
import { type ClientOptions, createClients } from '../lib/clients.js';
import { loadConfig } from '../lib/config.js';
import type { ReconcilerDeps } from '../lib/reconciler.js';
import type { Log, MetricSink } from '../lib/telemetry.js';
import { ZoneDirectory } from '../lib/zones.js';
import { DEPLOYMENT_ENV } from './fleet.js';

export class CountingTelemetry {
  readonly metrics = new Map<string, number>();
  readonly errors: string[] = [];

  readonly log: Log = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message: unknown, ...rest: unknown[]) => {
      const detail = rest.map((r) => JSON.stringify(r, (_k, v) => (v instanceof Error ? v.message : v))).join(' ');
      this.errors.push(`${String(message)} ${detail}`.slice(0, 300));
    },
  } as Log;

  readonly sink: MetricSink = {
    addMetric: (name: string, _unit: unknown, value: number) => {
      this.metrics.set(name, (this.metrics.get(name) ?? 0) + value);
    },
  } as MetricSink;

  count(name: string): number {
    return this.metrics.get(name) ?? 0;
  }
}

/** Builds a container. Clients reach the emulator through AWS_ENDPOINT_URL, set by the benchmark. */
export function container(telemetry: CountingTelemetry, clientOptions: ClientOptions = {}): ReconcilerDeps {
  const clients = createClients({ region: 'us-east-1', ...clientOptions });
  const config = loadConfig({ ...DEPLOYMENT_ENV, CLUSTER_TAG_KEY: 'rlec:cluster' });
  const zones = new ZoneDirectory({
    route53: clients.route53,
    allowedZoneIds: config.hostedZoneIds,
    cacheSeconds: config.zoneCacheSeconds,
  });
  return { ...clients, config, zones, telemetry: { log: telemetry.log, metrics: telemetry.sink } };
}
