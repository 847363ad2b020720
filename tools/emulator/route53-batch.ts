/**
 * Route 53's record rules as pure functions: listing order and paging, and the all-or-nothing, in-order evaluation of
 * a change batch. No I/O here; route53-rules.ts feeds these from moto.
 */
import type { Change, RecordKey, RecordSet } from './route53-xml.js';

/** ListResourceRecordSets' sort key: labels reversed, trailing dot kept. `ns1.c1.example.com.` → `com.example.c1.ns1.` */
export function sortKey(name: string): string {
  return `${name.toLowerCase().replace(/\.$/, '').split('.').reverse().join('.')}.`;
}

// Plain code-unit comparison: Route 53 orders bytes, so `-` (0x2D) sorts before `.` (0x2E), unlike localeCompare.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Route 53's listing order: by {@link sortKey}, then type, then set identifier. */
export function compareRecordKeys(a: RecordKey, b: RecordKey): number {
  return (
    compareStrings(sortKey(a.name), sortKey(b.name)) ||
    compareStrings(a.type ?? '', b.type ?? '') ||
    compareStrings(a.identifier ?? '', b.identifier ?? '')
  );
}

function keyOf(set: RecordSet): RecordKey {
  return { name: set.name, type: set.type, identifier: set.setIdentifier };
}

/**
 * One ListResourceRecordSets page: sorts `sets`, starts at the first record set at or after `start`, takes at most
 * `maxItems`, and says where the next page starts (undefined on the last page).
 */
export function pageOf(
  sets: readonly RecordSet[],
  start: RecordKey | undefined,
  maxItems: number,
): { page: RecordSet[]; next: RecordKey | undefined } {
  const sorted = [...sets].sort((a, b) => compareRecordKeys(keyOf(a), keyOf(b)));
  const from = start === undefined ? 0 : sorted.findIndex((set) => compareRecordKeys(keyOf(set), start) >= 0);
  const rest = from < 0 ? [] : sorted.slice(from);
  const following = rest[maxItems];
  return { page: rest.slice(0, maxItems), next: following === undefined ? undefined : keyOf(following) };
}

/** The outcome of a batch: the net changes to apply, or Route 53's messages for every change that fails. */
export type BatchOutcome = { ok: true; netChanges: Change[] } | { ok: false; messages: string[] };

/** Route 53 counts an UPSERT's values twice against the per-request limit of 1,000 ResourceRecord elements. */
export function recordCount(changes: readonly Change[]): number {
  return changes.reduce((sum, { action, set }) => sum + set.values.length * (action === 'UPSERT' ? 2 : 1), 0);
}

export const MAX_RECORDS_PER_REQUEST = 1000;

function identity(set: RecordSet): string {
  return `${set.name}|${set.type}|${set.setIdentifier ?? ''}`;
}

function describe(set: RecordSet): string {
  const id = set.setIdentifier === undefined ? '' : `, set-identifier='${set.setIdentifier}'`;
  return `[name='${set.name}', type='${set.type}'${id}]`;
}

// A DELETE must name the current record set exactly: same TTL (or alias target) and the same values, in any order.
function sameContent(a: RecordSet, b: RecordSet): boolean {
  const values = (set: RecordSet) => JSON.stringify([...set.values].sort());
  return a.ttl === b.ttl && a.alias === b.alias && values(a) === values(b);
}

function inZone(name: string, zoneName: string): boolean {
  return name === zoneName || name.endsWith(`.${zoneName}`);
}

/**
 * Evaluates a change batch as Route 53 does: in order, each change against the state the previous ones left. CREATE
 * fails if the record set exists; DELETE fails unless TTL and values match the current ones exactly; UPSERT always
 * succeeds. Every failure is reported (a failed change leaves the state as it was) and then nothing is applied.
 *
 * On success, `netChanges` takes the zone from `current` to the batch's end state using only UPSERTs and DELETEs of
 * record sets exactly as listed in `current`: the only form moto applies faithfully (its CREATE check and its DELETE
 * check consult a journal of past requests instead of the zone).
 */
export function simulateBatch(
  zoneName: string,
  current: readonly RecordSet[],
  changes: readonly Change[],
): BatchOutcome {
  if (recordCount(changes) > MAX_RECORDS_PER_REQUEST) {
    return { ok: false, messages: [`Number of records limit of ${MAX_RECORDS_PER_REQUEST} exceeded.`] };
  }
  const before = new Map(current.map((set) => [identity(set), set]));
  const state = new Map(before);
  const messages: string[] = [];
  for (const { action, set } of changes) {
    const id = identity(set);
    const existing = state.get(id);
    if (!inZone(set.name, zoneName)) {
      messages.push(`RRSet with DNS name ${set.name} is not permitted in zone ${zoneName}`);
    } else if (action === 'CREATE') {
      if (existing) messages.push(`Tried to create resource record set ${describe(set)} but it already exists`);
      else state.set(id, set);
    } else if (action === 'DELETE') {
      if (!existing) messages.push(`Tried to delete resource record set ${describe(set)} but it was not found`);
      else if (!sameContent(existing, set)) {
        messages.push(
          `Tried to delete resource record set ${describe(set)} but the values provided do not match the current values`,
        );
      } else state.delete(id);
    } else {
      state.set(id, set);
    }
  }
  if (messages.length > 0) return { ok: false, messages };

  const netChanges: Change[] = [];
  for (const id of new Set(changes.map((change) => identity(change.set)))) {
    const was = before.get(id);
    const now = state.get(id);
    if (now === was) continue;
    if (now) netChanges.push({ action: 'UPSERT', set: now });
    else if (was) netChanges.push({ action: 'DELETE', set: was });
  }
  return { ok: true, netChanges };
}
