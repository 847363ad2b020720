/**
 * The emulator's Route 53 rules (route53-batch.ts) over the library's own record types, for unit tests that check
 * what a plan's requests would do to a zone without a server. The verdict is the emulator's, not the library's: a
 * DELETE is judged by Route 53's rule (exact TTL and values), never by lib/plan/records.ts's `sameRecord`, so a test
 * cannot pass because the code under test agrees with itself.
 */
import { type Change, keyOf, type RecordSet } from '../../lib/plan/records.js';
import { simulateBatch } from './route53-batch.js';
import { normaliseName, type RecordSet as WireRecordSet } from './route53-xml.js';

const toWire = (record: RecordSet): WireRecordSet => ({
  name: normaliseName(record.name),
  type: record.type,
  setIdentifier: undefined,
  ttl: record.ttl,
  values: [...record.values],
  alias: undefined,
  xml: '',
});

/**
 * Applies one request with Route 53's rules: in order, all or nothing, CREATE needs no record set, DELETE needs the
 * exact current one. Names are taken as they are in any zone (the rules here are about records, not zones).
 *
 * @throws Error with Route 53's messages, one per failing change, when Route 53 would reject the request.
 */
export function applyStrictly(records: readonly RecordSet[], changes: readonly Change[]): RecordSet[] {
  // Every name ends with the root's dot, so the root ('') holds them all.
  const outcome = simulateBatch(
    '',
    records.map(toWire),
    changes.map(({ action, record }) => ({ action, set: toWire(record) })),
  );
  if (!outcome.ok) throw new Error(`InvalidChangeBatch: ${outcome.messages.join('; ')}`);
  const state = new Map(records.map((r) => [keyOf(r), r]));
  for (const { action, record } of changes) {
    if (action === 'CREATE') state.set(keyOf(record), record);
    else state.delete(keyOf(record));
  }
  return [...state.values()];
}
