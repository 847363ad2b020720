/**
 * The provider: applies a plan's changes to Route 53 as one atomic batch of DELETEs and CREATEs. Since a DELETE must
 * match the current record exactly and a CREATE fails over an existing one, the batch only succeeds if the records
 * are still what we read: a compare-and-swap. When another writer got there first, Route 53 answers
 * InvalidChangeBatch and we report a conflict, so the caller re-reads and plans again.
 */
import {
  ChangeResourceRecordSetsCommand,
  type Change as Route53Change,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { ChangeRejectedError } from './errors.js';
import type { Change } from './records.js';

/** Route 53's messages for a batch that lost a race: the records are no longer what we read. */
const CONFLICT = [/already exists/i, /was not found/i, /values provided do not match/i];

/** The records changed under us; re-read and try again. Internal to the loop, never escapes it. */
export class ConflictDetected extends Error {
  constructor(readonly messages: readonly string[]) {
    super(`conflicting change: ${messages.join('; ')}`);
    this.name = 'ConflictDetected';
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

/**
 * Sends the batch. Returns the change id (for GetChange).
 *
 * @throws ConflictDetected when the records changed since they were read.
 * @throws ChangeRejectedError when Route 53 refuses the batch for another reason (retrying would not help).
 */
export async function applyChanges(
  route53: Route53Client,
  zoneId: string,
  changes: readonly Change[],
  comment: string,
): Promise<string | undefined> {
  try {
    const out = await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Comment: comment.slice(0, 256), Changes: changes.map(toRoute53Change) },
      }),
    );
    return out.ChangeInfo?.Id;
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'InvalidChangeBatch') throw error;
    const messages = messagesOf(error);
    if (messages.every((m) => CONFLICT.some((pattern) => pattern.test(m)))) throw new ConflictDetected(messages);
    throw new ChangeRejectedError(`Route 53 rejected the change batch: ${messages.join('; ')}`, { cause: error });
  }
}
