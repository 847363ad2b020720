/**
 * The deployment identity tests use: the emulator's default account and the region the test clients sign for, so
 * records the loop writes against the emulator carry exactly these values.
 */
import type { Deployment } from '../../lib/registry/ownership.js';

export const TEST_ACCOUNT = '123456789012';
export const TEST_DEPLOYMENT_REGION = 'us-east-1';

/** What `loadConfig` needs besides the settings under test: the account and Region the functions get. */
export const DEPLOYMENT_ENV = { ACCOUNT_ID: TEST_ACCOUNT, AWS_REGION: TEST_DEPLOYMENT_REGION } as const;

export interface Where {
  readonly account: string;
  readonly region: string;
}

export const HERE: Where = { account: TEST_ACCOUNT, region: TEST_DEPLOYMENT_REGION };

/** A deployment with this owner id, in the test account and Region unless told. */
export const deploymentOf = (ownerId: string, where: Where = HERE, legacyOwnerIds: string[] = []): Deployment => ({
  ownerId,
  ...where,
  legacyOwnerIds,
});

/** The quoted ownership header such a deployment writes. */
export const ownerHeader = (owner: string, where: Where = HERE): string =>
  `"heritage=rlec-dns,owner=${owner},account=${where.account},region=${where.region}"`;
