/**
 * A second Route 53 client in the account (issue 13): another tool of the same account, spending a given fraction of
 * the account's request budget (and, if told, of its change budget) while the product runs, so the benchmark shows
 * what the product does with what is left.
 *
 * It sends at a steady rate, open loop: one request every 1/rate s, whether or not the previous ones were answered,
 * each attempted once (no SDK retries), so every request it sends is one request the emulator counts, and a
 * throttled one is not sent again. Reads are ListResourceRecordSets of its own zone (one record a page); with a
 * change fraction, one request a second is instead a ChangeResourceRecordSets of UPSERTs (2 change tokens each) in
 * that zone. It signs with its own access key id, which moto puts in the default account, the product's.
 *
 * Bounded: it stops after `maxRequests` requests or `maxSeconds`, whichever comes first, or when stopped; it talks to
 * a loopback endpoint only.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { TEST_REGION } from '../tools/emulator/emulator.js';
import type { ThrottleModel } from '../tools/emulator/route53-throttle.js';

/** The access key id it signs with: moto never issued it, so its requests are in moto's default account. */
export const SECOND_CLIENT_KEY = 'bench-second-client';

export interface SecondClientOptions {
  /** The emulator's endpoint; must be on the loopback interface. */
  readonly endpoint: string;
  /** Its own hosted zone (id and name), which it reads and, with a change fraction, writes. */
  readonly zoneId: string;
  readonly zoneName: string;
  /** The account's limits: the fractions are of its account request bucket's and change bucket's refill rates. */
  readonly model: ThrottleModel;
  /** Fraction of the account's sustained request rate to spend, 0 to 1 (0.5: half). */
  readonly requestFraction: number;
  /** Fraction of the account's sustained change rate to spend, 0 to 1; default 0. */
  readonly changeFraction?: number;
  /** It stops after this many requests. */
  readonly maxRequests: number;
  /** It stops after this many seconds. */
  readonly maxSeconds: number;
}

export interface SecondClientReport {
  /** Requests sent, per action (each once: throttled ones included). */
  readonly sent: Record<string, number>;
  /** Requests answered `Throttling`, per action. */
  readonly throttled: Record<string, number>;
  /** Requests that failed otherwise. */
  readonly failed: number;
  /** Change tokens its admitted change requests took. */
  readonly changeTokens: number;
  readonly seconds: number;
  /** Requests per second it was set to send. */
  readonly ratePerSecond: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Checks the options; throws a RangeError naming the option that is wrong. */
function rates(options: SecondClientOptions): { requests: number; upsertsPerChange: number } {
  const { model, requestFraction, changeFraction = 0 } = options;
  if (!LOOPBACK.has(new URL(options.endpoint).hostname)) {
    throw new RangeError(`second client: endpoint must be a loopback address, got ${options.endpoint}`);
  }
  const fraction = (name: string, value: number) => {
    if (!(value >= 0 && value <= 1))
      throw new RangeError(`second client: ${name} must be between 0 and 1, got ${value}`);
  };
  fraction('requestFraction', requestFraction);
  fraction('changeFraction', changeFraction);
  if (model.account === undefined) throw new RangeError(`second client: ${model.name} has no request budget`);
  if (changeFraction > 0 && model.changes === undefined) {
    throw new RangeError(`second client: ${model.name} has no change budget`);
  }
  if (!(options.maxRequests >= 1 && options.maxSeconds > 0)) {
    throw new RangeError('second client: maxRequests must be at least 1 and maxSeconds above 0');
  }
  const changeTokensPerSecond = changeFraction * (model.changes?.refillPerSecond ?? 0);
  return {
    requests: requestFraction * model.account.refillPerSecond,
    upsertsPerChange: Math.ceil(changeTokensPerSecond / 2),
  };
}

/** A running second client. */
export interface SecondClient {
  /** Stops sending, waits for the requests in flight, and reports. */
  stop(): Promise<SecondClientReport>;
  /** Waits until it reaches one of its bounds and its requests are answered, and reports. */
  finished(): Promise<SecondClientReport>;
}

/** Starts the second client; it runs until its bounds or {@link SecondClient.stop}. */
export function startSecondClient(options: SecondClientOptions): SecondClient {
  const { requests: rate, upsertsPerChange } = rates(options);
  const route53 = new Route53Client({
    endpoint: options.endpoint,
    region: TEST_REGION,
    credentials: { accessKeyId: SECOND_CLIENT_KEY, secretAccessKey: 'testing' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
  const sent: Record<string, number> = {};
  const throttled: Record<string, number> = {};
  let failed = 0;
  let changeTokens = 0;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const elapsedMs = () => performance.now() - started;
  const everyChange = Math.max(1, Math.round(rate)); // one change request a second, among the reads

  const send = async (index: number) => {
    const changing = upsertsPerChange > 0 && index % everyChange === 0;
    const action = changing ? 'ChangeResourceRecordSets' : 'ListResourceRecordSets';
    sent[action] = (sent[action] ?? 0) + 1;
    try {
      if (changing) {
        const Changes = Array.from({ length: upsertsPerChange }, (_, i) => ({
          Action: 'UPSERT' as const,
          ResourceRecordSet: {
            Name: `load-${i}.${options.zoneName}`,
            Type: 'TXT' as const,
            TTL: 60,
            ResourceRecords: [{ Value: `"${index}"` }],
          },
        }));
        await route53.send(
          new ChangeResourceRecordSetsCommand({ HostedZoneId: options.zoneId, ChangeBatch: { Changes } }),
        );
        changeTokens += 2 * upsertsPerChange;
      } else {
        await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: options.zoneId, MaxItems: 1 }));
      }
    } catch (error) {
      if (error instanceof Error && error.name === 'Throttling') throttled[action] = (throttled[action] ?? 0) + 1;
      else failed += 1;
    }
  };

  const loop = (async () => {
    if (rate === 0) return;
    const intervalMs = 1000 / rate;
    for (let i = 0; i < options.maxRequests && !stopped; i++) {
      const due = i * intervalMs;
      if (due >= options.maxSeconds * 1000) break;
      const wait = due - elapsedMs();
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      const request = send(i);
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    }
  })();

  const report = async (): Promise<SecondClientReport> => {
    await loop;
    await Promise.all(inFlight);
    const seconds = elapsedMs() / 1000;
    route53.destroy();
    return { sent: { ...sent }, throttled: { ...throttled }, failed, changeTokens, seconds, ratePerSecond: rate };
  };
  return {
    stop: () => {
      stopped = true;
      return report();
    },
    finished: report,
  };
}
