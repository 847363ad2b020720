/** Vitest hooks for a file of emulator tests (apart from tools/world/world.ts, which the demo and bench use too). */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { EmulatorOptions } from '../../tools/emulator/emulator.js';
import { World } from '../../tools/world/world.js';

export interface WorldSetup {
  /** The file's world, started before its first test. */
  readonly world: World;
  /** The id of the hosted zone created before each test. */
  readonly zoneId: string;
}

/**
 * Registers the hooks a file of emulator tests needs: one {@link World} for the file, started before its tests and
 * stopped after them, reset before each test, which then gets a fresh hosted zone (`example.com` unless told).
 * Returns a live view: read `world` and `zoneId` inside hooks and tests, not at module level. Hooks the caller
 * registers afterwards run after these, so they see the fresh zone. `emulator` options start the world's emulator
 * with, e.g., `{ route53Throttle: ROUTE53_2026 }` to hold the file's tests to Route 53's rate limits.
 */
export function useWorld(options: { readonly zone?: string; readonly emulator?: EmulatorOptions } = {}): WorldSetup {
  let world: World | undefined;
  let zoneId: string | undefined;
  beforeAll(async () => {
    world = await World.start(options.emulator);
  });
  afterAll(async () => {
    await world?.stop();
  });
  beforeEach(async () => {
    const started = setup.world;
    await started.reset();
    zoneId = await started.zone(options.zone ?? 'example.com');
  });
  const setup: WorldSetup = {
    get world(): World {
      if (world === undefined) throw new Error('useWorld: the world starts in beforeAll; read it in a hook or test');
      return world;
    },
    get zoneId(): string {
      if (zoneId === undefined) throw new Error('useWorld: the zone is created in beforeEach; read it in a test');
      return zoneId;
    },
  };
  return setup;
}
