/** cli/zone-file.ts: record sets as BIND zone-file lines. */
import { describe, expect, it } from 'vitest';
import { toZoneFileRecords, zoneFileLines } from '../../cli/zone-file.js';
import type { RecordSet } from '../../lib/plan/records.js';

const nsRecord: RecordSet = {
  name: 'c1.example.com.',
  type: 'NS',
  ttl: 60,
  values: ['ns1.c1.example.com.', 'ns2.c1.example.com.'],
};
const glueRecord: RecordSet = { name: 'ns1.c1.example.com.', type: 'A', ttl: 172800, values: ['10.0.0.1'] };
const aliasRecord: RecordSet = { name: 'www.c1.example.com.', type: 'A', ttl: 0, values: ['ALIAS lb.example.net.'] };
const weightedRecord: RecordSet = { name: 'w.c1.example.com.', type: 'A (set blue)', ttl: 60, values: ['10.0.0.9'] };

describe('zone-file lines', () => {
  it('writes one line per value and aligns the columns', () => {
    // Prepare
    const records = [nsRecord, glueRecord];
    // Act
    const lines = zoneFileLines(records);
    // Assess
    expect(lines).toEqual([
      'c1.example.com.         60 IN NS ns1.c1.example.com.',
      'c1.example.com.         60 IN NS ns2.c1.example.com.',
      'ns1.c1.example.com. 172800 IN A  10.0.0.1',
    ]);
  });

  it('turns alias and routing-policy record sets into comments instead of invalid lines', () => {
    // Prepare
    const records = [glueRecord, aliasRecord, weightedRecord];
    // Act
    const lines = zoneFileLines(records);
    // Assess
    expect(lines).toEqual([
      'ns1.c1.example.com. 172800 IN A 10.0.0.1',
      '; not expressible in a zone file: www.c1.example.com. 0 A ALIAS lb.example.net.',
      '; not expressible in a zone file: w.c1.example.com. 60 A (set blue) 10.0.0.9',
    ]);
    expect(toZoneFileRecords(records)).toHaveLength(1);
  });

  it('writes nothing for no records', () => {
    // Prepare, Act
    const lines = zoneFileLines([]);
    // Assess
    expect(lines).toEqual([]);
  });
});
