/**
 * What the benchmark takes from serverless.yml, so it measures the configuration that is deployed: the defaults of
 * the queue and batching parameters, the function timeout and the queue's visibility timeout, and the esbuild
 * options of the bundles.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface Delivery {
  /** Events per batch at most. */
  readonly batchSize: number;
  /** How long the poller gathers a batch, in ms. */
  readonly windowMs: number;
  /** Batches at once: the reserved concurrency (and the event source mapping's maximum concurrency). */
  readonly concurrency: number;
  /** Deliveries before the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** The queue's visibility timeout, in seconds, as deployed. */
  readonly visibilityTimeoutSeconds: number;
  /** The state-change function's timeout, in seconds. */
  readonly functionTimeoutSeconds: number;
}

interface ServerlessYml {
  custom: { rlec: Record<string, unknown>; esbuild: Record<string, unknown> };
  provider: { environment: Record<string, string> };
  functions: { stateChange: { timeout: number } };
  /** A list of fragments osls merges (the optional outbound endpoint is one of its own). */
  resources: { Resources?: { StateChangeQueue?: { Properties: { VisibilityTimeout: number } } } }[];
}

/** The state-change queue's visibility timeout, from whichever fragment of `resources` declares the queue. */
function visibilityTimeout(yml: ServerlessYml): number {
  const queue = yml.resources.map((r) => r.Resources?.StateChangeQueue).find((q) => q !== undefined);
  if (queue === undefined) throw new Error('serverless.yml: no StateChangeQueue in resources');
  return queue.Properties.VisibilityTimeout;
}

const serverless = (): ServerlessYml =>
  parse(readFileSync(new URL('../serverless.yml', import.meta.url), 'utf8')) as ServerlessYml;

/** The default of a `${param:name, default}` value. */
function paramDefault(rlec: Record<string, unknown>, name: string): number {
  const match = /^\$\{param:[A-Za-z0-9]+, '?([^'}]+)'?\}$/.exec(String(rlec[name]));
  if (match?.[1] === undefined) throw new Error(`serverless.yml: custom.rlec.${name} has no default`);
  return Number(match[1]);
}

export function deployedDelivery(): Delivery {
  const yml = serverless();
  const rlec = yml.custom.rlec;
  return {
    batchSize: paramDefault(rlec, 'batchSize'),
    windowMs: paramDefault(rlec, 'batchingWindow') * 1000,
    concurrency: paramDefault(rlec, 'stateChangeConcurrency'),
    maxReceiveCount: paramDefault(rlec, 'maxReceiveCount'),
    visibilityTimeoutSeconds: visibilityTimeout(yml),
    functionTimeoutSeconds: yml.functions.stateChange.timeout,
  };
}

/**
 * The Route 53 pacing defaults as deployed: ROUTE53_RATE unset, so route53Share ÷ the functions' reserved
 * concurrencies added up (scripts/template-values.cjs, lib/platform/pacing-config.ts); ROUTE53_BURST.
 */
export function deployedPacing(): { ratePerSecond: number; burst: number; share: number; containers: number } {
  const rlec = serverless().custom.rlec;
  const share = paramDefault(rlec, 'route53Share');
  const containers = paramDefault(rlec, 'stateChangeConcurrency') + paramDefault(rlec, 'reconcileConcurrency');
  return { ratePerSecond: share / containers, burst: paramDefault(rlec, 'route53Burst'), share, containers };
}

/** The deployed default of resolverShare (the deployment's requests/s of the Resolver API's budget). */
export function deployedResolverShare(): number {
  return paramDefault(serverless().custom.rlec, 'resolverShare');
}

/** Options serverless-esbuild keeps for itself and does not pass to esbuild (its bundle.ts). */
const PLUGIN_ONLY = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/** The esbuild options serverless-esbuild derives from `custom.esbuild`, as a plain object for esbuild.build. */
export function deployedEsbuildOptions(): Record<string, unknown> {
  const custom = serverless().custom.esbuild;
  const options = Object.fromEntries(Object.entries(custom).filter(([key]) => !PLUGIN_ONLY.includes(key)));
  const extension = custom.outputFileExtension;
  return {
    ...options,
    ...(typeof extension === 'string' && extension !== '.js' ? { outExtension: { '.js': extension } } : {}),
  };
}

/** NODE_OPTIONS the functions run with. */
export const deployedNodeOptions = (): string => serverless().provider.environment.NODE_OPTIONS ?? '';
