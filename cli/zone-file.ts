/**
 * Record sets as BIND zone-file lines (`name TTL IN TYPE value`), one line per value, columns aligned. The operator's
 * `export`, and a readable form of a cluster's records anywhere else.
 */
import type { RecordSet } from '../lib/plan/records.js';

/** One resource record: a record set holds one per value. */
export interface ZoneFileRecord {
  readonly name: string;
  readonly ttl: number;
  readonly class: 'IN';
  readonly type: string;
  readonly value: string;
}

/** Alias and routing-policy record sets have no zone-file form: registry.ts marks them in `type` or `values`. */
const isPlain = (record: RecordSet): boolean =>
  /^[A-Z0-9]+$/.test(record.type) && !record.values.some((v) => v.startsWith('ALIAS '));

/** Splits record sets into resource records, in the order given. Record sets with no zone-file form are left out. */
export function toZoneFileRecords(records: readonly RecordSet[]): ZoneFileRecord[] {
  return records
    .filter(isPlain)
    .flatMap((r) => r.values.map((value) => ({ name: r.name, ttl: r.ttl, class: 'IN' as const, type: r.type, value })));
}

/**
 * Zone-file lines, aligned. Record sets that have no zone-file form (alias, weighted, …) become `;` comments, so
 * nothing is hidden from the reader.
 *
 * @example
 * zoneFileLines([{ name: 'ns1.c1.example.com.', type: 'A', ttl: 60, values: ['10.0.0.1'] }])
 * // ['ns1.c1.example.com. 60 IN A 10.0.0.1']
 */
export function zoneFileLines(records: readonly RecordSet[]): string[] {
  const rows = toZoneFileRecords(records);
  const width = (pick: (r: ZoneFileRecord) => string) => Math.max(0, ...rows.map((r) => pick(r).length));
  const name = width((r) => r.name);
  const ttl = width((r) => String(r.ttl));
  const type = width((r) => r.type);
  const lines = rows.map(
    (r) => `${r.name.padEnd(name)} ${String(r.ttl).padStart(ttl)} ${r.class} ${r.type.padEnd(type)} ${r.value}`,
  );
  const skipped = records
    .filter((r) => !isPlain(r))
    .map((r) => `; not expressible in a zone file: ${r.name} ${r.ttl} ${r.type} ${r.values.join(' ')}`);
  return [...lines, ...skipped];
}
