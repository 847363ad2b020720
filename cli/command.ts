/** What a command is, and the clusters it works on. */
import { normaliseClusterName } from '../lib/plan/names.js';
import type { CommandSpec, Values } from './args.js';
import type { Context } from './context.js';

export interface Command {
  readonly spec: CommandSpec;
  /** Runs the command; resolves to its exit code. Throws for a failure that ends it (printed as one line). */
  run(ctx: Context, values: Values): Promise<number>;
  /** Checks the command's own option values before any AWS call (the context asks STS who the caller is). */
  check?(values: Values): void;
}

/**
 * The clusters named by --cluster (normalised, and checked to have a hosted zone) or, without it, those `list`
 * gives (export: the clusters this deployment owns in Route 53).
 *
 * @throws InvalidClusterNameError for an invalid name or one at or above a zone's apex; NoHostedZoneError.
 */
export async function targetClusters(
  ctx: Context,
  list: (deps: Context['deps']) => Promise<string[]>,
): Promise<string[]> {
  return (await namedCluster(ctx)) ?? list(ctx.deps);
}

/**
 * The cluster --cluster names (normalised, and checked to have a hosted zone), or undefined without one.
 *
 * @throws InvalidClusterNameError for an invalid name or one at or above a zone's apex; NoHostedZoneError.
 */
export async function namedCluster(ctx: Context): Promise<[string] | undefined> {
  const { cluster } = ctx.options;
  if (cluster === undefined) return undefined;
  const name = normaliseClusterName(cluster);
  await ctx.deps.zones.zoneFor(name);
  return [name];
}

/**
 * What the loop's entry point (runOnce) is asked for: the cluster --cluster names, or `all`, every cluster a sweep
 * looks at, with the sweep's own clean-up (records left in a zone that is no longer a cluster's zone).
 */
export async function targetRequest(ctx: Context): Promise<readonly string[] | 'all'> {
  return (await namedCluster(ctx)) ?? 'all';
}
