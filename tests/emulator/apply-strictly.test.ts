/** applyStrictly: the emulator's Route 53 rules over the library's record types, judged without the library. */
import { describe, expect, it } from 'vitest';
import type { RecordSet } from '../../lib/plan/records.js';
import { applyStrictly } from '../../tools/emulator/apply-strictly.js';

const glue: RecordSet = { name: 'ns1.c1.example.com.', type: 'A', ttl: 60, values: ['10.0.0.1'] };
const delegation: RecordSet = {
  name: 'c1.example.com.',
  type: 'NS',
  ttl: 60,
  values: ['ns1.c1.example.com.', 'ns2.c1.example.com.'],
};

describe('applyStrictly', () => {
  it('refuses a DELETE whose TTL differs from the current record set', () => {
    // Prepare
    const staleTtl = { ...glue, ttl: 300 };
    // Act
    const apply = () => applyStrictly([glue], [{ action: 'DELETE', record: staleTtl }]);
    // Assess
    expect(apply).toThrow(/do not match the current values/);
  });

  it('refuses a DELETE whose values differ, and accepts the current values in another order', () => {
    // Prepare
    const otherValues = { ...delegation, values: ['ns1.c1.example.com.'] };
    const reordered = { ...delegation, values: [...delegation.values].reverse() };
    // Act
    const refused = () => applyStrictly([delegation], [{ action: 'DELETE', record: otherValues }]);
    const after = applyStrictly([delegation], [{ action: 'DELETE', record: reordered }]);
    // Assess
    expect(refused).toThrow(/do not match the current values/);
    expect(after).toEqual([]);
  });

  it('refuses a CREATE over an existing record set, whatever its values', () => {
    // Prepare
    const moved = { ...glue, values: ['10.0.0.9'] };
    // Act
    const apply = () => applyStrictly([glue], [{ action: 'CREATE', record: moved }]);
    // Assess
    expect(apply).toThrow(/already exists/);
  });

  it('applies a batch in order: DELETE then CREATE of the same record set swaps it', () => {
    // Prepare
    const moved = { ...glue, values: ['10.0.0.9'] };
    // Act
    const after = applyStrictly(
      [glue, delegation],
      [
        { action: 'DELETE', record: glue },
        { action: 'CREATE', record: moved },
      ],
    );
    // Assess
    expect(after).toEqual([delegation, moved]);
  });

  it('reports every failing change of a batch and leaves the records given untouched', () => {
    // Prepare
    const records = [glue];
    const missing = { ...delegation, name: 'c2.example.com.' };
    // Act
    const apply = () =>
      applyStrictly(records, [
        { action: 'DELETE', record: missing },
        { action: 'CREATE', record: glue },
      ]);
    // Assess
    expect(apply).toThrow(/not found.*; .*already exists/);
    expect(records).toEqual([glue]);
  });
});
