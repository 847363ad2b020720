/**
 * A private cluster for CLI tests (issue 11): an outbound Resolver endpoint, a private hosted zone associated with
 * its VPC, the environment the CLI and the loop read for it, and publishing through the loop with that environment.
 */
import type { ReconcilerDeps } from '../../../lib/controller/deps.js';
import { processEvents } from '../../../lib/controller/process-events.js';
import type { OutboundEndpoint } from '../../../tools/world/resolver-helpers.js';
import type { World } from '../../../tools/world/world.js';

export interface PrivateSetup {
  readonly endpoint: OutboundEndpoint;
  readonly privateZoneId: string;
  /** ZONE_TYPE, RESOLVER_ENDPOINT_ID and RESOLVER_RULE, for the CLI (runCli's env) and the loop (world.deps). */
  readonly env: Record<string, string>;
}

/** An endpoint, and a private zone `example.com` in its VPC. */
export async function privateSide(
  world: World,
  env: { zoneType?: 'private' | 'both'; rule?: 'delegate' | 'forward'; family?: string } = {},
): Promise<PrivateSetup> {
  const endpoint = await world.outboundEndpoint();
  const privateZoneId = await world.privateZone('example.com', endpoint.vpcId);
  return {
    endpoint,
    privateZoneId,
    env: {
      ZONE_TYPE: env.zoneType ?? 'private',
      RESOLVER_ENDPOINT_ID: endpoint.endpointId,
      RESOLVER_RULE: env.rule ?? 'delegate',
      ...(env.family === undefined ? {} : { ADDRESS_FAMILY: env.family }),
    },
  };
}

/** Sends each instance's "running" event through the loop with these deps; throws when a cluster does not settle. */
export async function publishWith(deps: ReconcilerDeps, world: World, ids: readonly string[]): Promise<void> {
  const items = ids.map((id, i) => ({ id: `e${i}`, body: world.stateEvent(id, 'running') }));
  const result = await processEvents(deps, items);
  if (result.retry.length > 0) throw new Error(`events not settled: ${result.retry.join(', ')}`);
}
