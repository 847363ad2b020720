/**
 * Prints the largest cluster rlec-dns can create and still change, by cluster name length: measured with the real
 * planner's records and the real request splitter (tests/support/limits-probe.ts), beside what lib/plan/limits.ts allows.
 * Run: npx tsx scripts/measure-limits.ts
 */
import { maxMembers } from '../lib/plan/limits.js';
import { measure, nameOfLength } from '../tests/support/limits-probe.js';

const LENGTHS = [14, 20, 30, 33, 34, 40, 50, 63, 80, 100, 120, 150, 200, 243];

const rows = LENGTHS.map((length) => {
  const figures = measure(length);
  return { ...figures, allowed: maxMembers(nameOfLength(length)) };
});
console.log(
  '| name length | one atomic batch up to | created and still changeable up to | lib/plan/limits.ts allows | old code created up to |',
);
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.length} | ${r.oneRequest} | ${r.changeable} | ${r.allowed} | ${r.creatable} |`);
}
