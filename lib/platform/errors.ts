/**
 * Named errors. Each says whether retrying can help:
 * - permanent: the input is wrong (a bad tag, a foreign record, no hosted zone, a malformed event, records over
 *   Route 53's limits), or AWS refuses a call for good (access denied, expired credentials). Log it, count it, never
 *   retry it, and never let it fail unrelated work.
 * - transient: the world may change (throttling, network, a conflicting writer, EC2 not yet showing an instance).
 *   Let the platform retry.
 */
import { describeRecord, type RecordSet } from '../plan/records.js';

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
    readonly records: readonly RecordSet[],
  ) {
    const listed = records.map(describeRecord).join(', ');
    super(`cluster ${cluster} refused: its names hold records this deployment did not create: ${listed}`);
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

/** Which AWS call failed: `route53:ChangeResourceRecordSets` on `hostedzone/Z…`. */
export interface AwsCall {
  /** The IAM service prefix: `route53`, `ec2`. */
  readonly service: string;
  /** The API action, as IAM names it: `ChangeResourceRecordSets`. */
  readonly action: string;
  /** What the call was about, when the input says (`hostedzone/Z…`, record names, instance ids). */
  readonly resource?: string | undefined;
}

const callText = (call: AwsCall): string =>
  `${call.service}:${call.action}${call.resource === undefined ? '' : ` on ${call.resource}`}`;

/**
 * AWS refused a call in a way retrying cannot fix: access denied (IAM, a service control policy, a name outside the
 * `recordNames` patterns), credentials expired or invalid, a hosted zone that no longer exists, input AWS rejects.
 * A person must fix it. lib/platform/aws-errors.ts raises it; `code` is AWS's error code and `cause` the SDK's error.
 */
export class AwsPermanentError extends PermanentError implements AwsCall {
  readonly service: string;
  readonly action: string;
  readonly resource: string | undefined;

  constructor(
    call: AwsCall,
    readonly code: string,
    reason: string,
    options: { cause: unknown },
  ) {
    super(`AWS refused ${callText(call)}: ${code}: ${reason}`, options);
    ({ service: this.service, action: this.action, resource: this.resource } = call);
  }
}

/**
 * An AWS call failed in a way that retrying may fix (throttling, network, 5xx), after the SDK's own retries.
 * lib/platform/aws-errors.ts raises it; `code` is AWS's error code (or the network error's) and `cause` the SDK's error.
 */
export class AwsTransientError extends TransientError implements AwsCall {
  readonly service: string;
  readonly action: string;
  readonly resource: string | undefined;

  constructor(
    call: AwsCall,
    readonly code: string,
    reason: string,
    options: { cause: unknown },
  ) {
    super(`${callText(call)} failed: ${code}: ${reason}`, options);
    ({ service: this.service, action: this.action, resource: this.resource } = call);
  }
}

/** A cluster's records would not fit Route 53's limits, now or at their next change: refused before any write. */
export class RecordLimitError extends PermanentError {
  constructor(
    readonly cluster: string,
    reason: string,
  ) {
    super(`cluster ${cluster} refused: ${reason}`);
  }
}

/** True when the error is one of ours and is permanent. Unknown errors count as transient: retrying is safe. */
export const isPermanent = (error: unknown): error is PermanentError => error instanceof PermanentError;
