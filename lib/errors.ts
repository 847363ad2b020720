/**
 * Named errors. Each says whether retrying can help:
 * - permanent: the input is wrong (a bad tag, a foreign record, no hosted zone, a malformed event). Log it, count it,
 *   never retry it, and never let it fail unrelated work.
 * - transient: the world may change (throttling, network, a conflicting writer, EC2 not yet showing an instance).
 *   Let the platform retry.
 */
export abstract class RlecDnsError extends Error {
  abstract readonly permanent: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A permanent error: retrying cannot help. */
export abstract class PermanentError extends RlecDnsError {
  readonly permanent = true;
}

/** A transient error: the platform should retry. */
export abstract class TransientError extends RlecDnsError {
  readonly permanent = false;
}

/** The environment holds an invalid configuration value; raised at cold start. */
export class ConfigError extends PermanentError {}

/** A cluster name (a tag value or a CLI argument) is not a usable FQDN. */
export class InvalidClusterNameError extends PermanentError {
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`invalid cluster name ${JSON.stringify(value)}: ${reason}`);
  }
}

/** No hosted zone may hold the cluster's delegation. */
export class NoHostedZoneError extends PermanentError {
  constructor(
    readonly cluster: string,
    reason: string,
  ) {
    super(`no usable hosted zone for cluster ${cluster}: ${reason}`);
  }
}

/** Records in the cluster's names belong to someone else: the cluster is refused and nothing is written. */
export class ForeignRecordsError extends PermanentError {
  constructor(
    readonly cluster: string,
    readonly records: readonly string[],
  ) {
    super(`cluster ${cluster} refused: its names hold records this deployment did not create: ${records.join(', ')}`);
  }
}

/** The cluster's delegation would not be served: another delegation cuts it off, or it would cut another off. */
export class HiddenDelegationError extends PermanentError {
  constructor(
    readonly cluster: string,
    readonly reason: string,
  ) {
    super(`cluster ${cluster} refused: ${reason}; nothing was written`);
  }
}

/** An event does not have the shape it should. */
export class MalformedEventError extends PermanentError {}

/** Route 53 rejected a change batch for a reason that re-reading will not fix. */
export class ChangeRejectedError extends PermanentError {}

/** Another writer changed the cluster's records between our read and our write, and retries ran out. */
export class ConflictError extends TransientError {}

/** The invocation ran short of time before it could start a cluster; its events come back later. */
export class DeferredError extends TransientError {}

/** EC2 does not yet show what an event says (eventual consistency). */
export class NotYetVisibleError extends TransientError {}

/** An AWS call failed in a way that retrying may fix (throttling, network, 5xx), after the SDK's own retries. */
export class AwsTransientError extends TransientError {}

/** True when the error is one of ours and is permanent. Unknown errors count as transient: retrying is safe. */
export const isPermanent = (error: unknown): boolean => error instanceof RlecDnsError && error.permanent;
