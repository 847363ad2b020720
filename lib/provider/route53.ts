/**
 * The provider: applies a plan's changes to Route 53 as one atomic batch of DELETEs and CREATEs. Since a DELETE must
 * match the current record exactly and a CREATE fails over an existing one, the batch only succeeds if the records
 * are still what we read: a compare-and-swap. When another writer got there first, Route 53 answers
 * InvalidChangeBatch and we report a conflict, so the caller re-reads and plans again.
 *
 * The loop sends each zone's changes of a round in one request (sendChangeBatch; lib/controller/zone-batch.ts puts
 * the clusters' parts together and sorts out a rejection per cluster). applyChanges sends one cluster's changes alone.
 * A plan too large for one request (Route 53's per-request limits) is sent as several, each a compare-and-swap, in
 * the order lib/provider/batches.ts gives: the zone stays valid and safe after each one, so a conflict, a throttle or a timeout
 * half-way leaves records the next run recognises and finishes.
 */
import {
  ChangeResourceRecordSetsCommand,
  type Change as Route53Change,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { Change } from '../plan/records.js';
import { ChangeRejectedError, TransientError } from '../platform/errors.js';
import { type RequestLimits, ROUTE53_LIMITS, splitChanges } from './batches.js';

/** Route 53's messages for a batch that lost a race: the records are no longer what we read. */
const CONFLICT = [/already exists/i, /was not found/i, /values provided do not match/i];

/** True when Route 53's reason says the records are no longer what we read (re-reading fixes it). */
export const isConflictReason = (reason: string): boolean => CONFLICT.some((pattern) => pattern.test(reason));

/** The records changed under us; re-read and try again. Internal to the loop, never escapes it. */
export class ConflictDetected extends TransientError {
  constructor(readonly messages: readonly string[]) {
    super(`conflicting change: ${messages.join('; ')}`);
  }
}

/** Route 53 rejected the batch (InvalidChangeBatch) for a reason re-reading will not fix; `messages` are its reasons. */
export class ChangeBatchRejected extends ChangeRejectedError {
  constructor(
    readonly messages: readonly string[],
    options: { cause: unknown },
  ) {
    super(`Route 53 rejected the change batch: ${messages.join('; ')}`, options);
  }
}

export const toRoute53Change = (change: Change): Route53Change => ({
  Action: change.action,
  ResourceRecordSet: {
    Name: change.record.name,
    Type: change.record.type as never,
    TTL: change.record.ttl,
    ResourceRecords: change.record.values.map((Value) => ({ Value })),
  },
});

/**
 * The reasons Route 53 gives. The SDK carries them either as a `messages` list or, in the form Route 53 sends today,
 * as one message `[reason 1, reason 2]`. Reasons quote names with commas inside (`[name='x.', type='A']`), so that
 * list is split only where a comma is followed by a capital letter, which starts every reason.
 */
export function messagesOf(error: Error): string[] {
  const listed = ((error as { messages?: unknown }).messages ?? []) as unknown[];
  const strings = listed.filter((m): m is string => typeof m === 'string' && m !== '');
  if (strings.length > 0) return strings;
  const text = error.message.trim().replace(/^\[(.*)\]$/s, '$1');
  return text.split(/,\s+(?=[A-Z])/).map((m) => m.trim());
}

/** Route 53 accepts comments of up to 256 characters. */
export const MAX_COMMENT = 256;

/**
 * Sends one ChangeResourceRecordSets request, as it is: Route 53 applies it whole or not at all. Returns its change
 * id. The comment is cut to Route 53's 256 characters.
 *
 * @throws ConflictDetected when every reason Route 53 gives is a conflict (the records are no longer what we read).
 * @throws ChangeBatchRejected when Route 53 rejects the batch (InvalidChangeBatch) for any other reason.
 */
export async function sendChangeBatch(
  route53: Route53Client,
  zoneId: string,
  changes: readonly Change[],
  comment: string,
): Promise<string | undefined> {
  try {
    const out = await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Comment: comment.slice(0, MAX_COMMENT), Changes: changes.map(toRoute53Change) },
      }),
    );
    return out.ChangeInfo?.Id;
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'InvalidChangeBatch') throw error;
    const messages = messagesOf(error);
    if (messages.every(isConflictReason)) throw new ConflictDetected(messages);
    throw new ChangeBatchRejected(messages, { cause: error });
  }
}

/**
 * Sends the changes: one request when they fit Route 53's limits (nearly always), else several, in a safe order.
 * Returns the change id of the last request (for GetChange).
 *
 * @throws ConflictDetected when the records changed since they were read (possibly after earlier requests went
 *   through: the zone is then valid, and re-reading and planning again finishes the job).
 * @throws ChangeRejectedError when Route 53 refuses a request for another reason, or the plan cannot be split
 *   within the limits (retrying would not help).
 */
export async function applyChanges(
  route53: Route53Client,
  zoneId: string,
  changes: readonly Change[],
  comment: string,
  limits: RequestLimits = ROUTE53_LIMITS,
): Promise<string | undefined> {
  const requests = splitChanges(changes, limits);
  let changeId: string | undefined;
  for (const [i, request] of requests.entries()) {
    const part = requests.length > 1 ? ` (${i + 1}/${requests.length})` : '';
    changeId = await sendChangeBatch(route53, zoneId, request, `${comment.slice(0, MAX_COMMENT - part.length)}${part}`);
  }
  return changeId;
}
