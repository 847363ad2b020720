/**
 * Route 53's change rules over the library's own record types, for unit tests that check what a plan's requests would
 * do to a zone. (route53-batch.ts has the emulator's fuller rules, over the XML shapes.)
 */
import { type Change, keyOf, type RecordSet, sameRecord } from '../../lib/records.js';

/** Applies one request with Route 53's rules: in order, CREATE needs no record, DELETE needs the exact record. */
export function applyStrictly(records: readonly RecordSet[], changes: readonly Change[]): RecordSet[] {
  const state = new Map(records.map((r) => [keyOf(r), r]));
  for (const { action, record } of changes) {
    const existing = state.get(keyOf(record));
    if (action === 'CREATE') {
      if (existing !== undefined) throw new Error(`CREATE over existing ${keyOf(record)}`);
      state.set(keyOf(record), record);
    } else {
      if (existing === undefined || !sameRecord(existing, record)) throw new Error(`DELETE mismatch ${keyOf(record)}`);
      state.delete(keyOf(record));
    }
  }
  return [...state.values()];
}
