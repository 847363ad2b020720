/**
 * One zone's writes as one request: packing within Route 53's limits, and sorting out a rejected request part by
 * part (conflicts re-planned, rejections refused, the others sent again at once). Route 53 is a fake here that
 * judges each request by the names in it, as the real one does; the emulator tests are in
 * tests/integration/zone-batch.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  namesIn,
  type Part,
  type PartResult,
  sendParts,
  tieReasons,
  writeZone,
  type ZoneSender,
} from '../../lib/controller/zone-batch.js';
import type { Change } from '../../lib/plan/records.js';
import { AwsPermanentError, ChangeRejectedError, DeferredError } from '../../lib/platform/errors.js';
import { packParts, type RequestLimits, ROUTE53_LIMITS } from '../../lib/provider/batches.js';
import { ChangeBatchRejected, ConflictDetected } from '../../lib/provider/route53.js';

/** A cluster's compare-and-swap of its glue record: DELETE the old address, CREATE the new one. */
const glueSwap = (cluster: string, values = 1): Change[] => [
  { action: 'DELETE', record: { name: `ns1.${cluster}.`, type: 'A', ttl: 60, values: addresses(values, 1) } },
  { action: 'CREATE', record: { name: `ns1.${cluster}.`, type: 'A', ttl: 60, values: addresses(values, 2) } },
];
const addresses = (n: number, octet: number) => Array.from({ length: n }, (_, i) => `10.${octet}.0.${i + 1}`);
const part = (cluster: string, values = 1): Part => ({
  key: cluster,
  label: cluster,
  changes: glueSwap(cluster, values),
});
const clusters = (n: number) => Array.from({ length: n }, (_, i) => `c${i + 1}.example.com`);

const notFound = (cluster: string) =>
  `Tried to delete resource record set [name='ns1.${cluster}.', type='A'] but it was not found`;
const notPermitted = (cluster: string) =>
  `RRSet of type A with DNS name ns1.${cluster}. is not permitted as it conflicts with other records with the same DNS name in zone example.com.`;

/**
 * Route 53 as a fake: `judge` gives the reasons to reject a request for (by the clusters in it), or an error to
 * throw; an empty list accepts it. Records every request as the list of clusters it carried.
 */
function fakeZone(judge: (clustersIn: string[]) => string[] | Error, limits: RequestLimits = ROUTE53_LIMITS) {
  const requests: string[][] = [];
  const accepted: string[][] = [];
  let deferAfter = Number.POSITIVE_INFINITY;
  const sender: ZoneSender = {
    limits,
    send: async (changes) => {
      const inRequest = [...new Set(changes.map((c) => c.record.name.replace(/^ns1\./, '').replace(/\.$/, '')))];
      requests.push(inRequest);
      const verdict = judge(inRequest);
      if (verdict instanceof Error) throw verdict;
      if (verdict.length === 0) return `/change/C${requests.length}`;
      if (verdict.every((r) => /not found|already exists|do not match/.test(r))) throw new ConflictDetected(verdict);
      throw new ChangeBatchRejected(verdict, { cause: new Error('InvalidChangeBatch') });
    },
    deferral: () => (requests.length >= deferAfter ? new DeferredError('short of time') : undefined),
    accepted: (parts) => accepted.push(parts.map((p) => p.key)),
  };
  return {
    sender,
    requests,
    accepted,
    deferAfter: (n: number) => {
      deferAfter = n;
    },
  };
}

const kinds = (results: ReadonlyMap<string, PartResult>) =>
  Object.fromEntries([...results].map(([key, r]) => [key, r.kind]));

describe('packParts', () => {
  it('puts every part in one request when they fit together', () => {
    // Act & Assess
    expect(packParts(clusters(5).map((c) => glueSwap(c)))).toEqual([[0, 1, 2, 3, 4]]);
  });

  it('makes as few requests as the limits allow, never cutting a part', () => {
    // Prepare: parts of 2 × 300, 2 × 200 and 2 × 100 values against 1,000 values per request
    const parts = [300, 100, 200, 300, 200, 100].map((n, i) => glueSwap(`c${i}.example.com`, n / 2));

    // Act
    const requests = packParts(parts, { values: 1000, characters: 1_000_000 });

    // Assess: 1,200 values cannot go in one request; two suffice
    expect(requests).toHaveLength(2);
    expect(requests.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const request of requests) {
      expect(request.reduce((sum, i) => sum + ([300, 100, 200, 300, 200, 100][i] ?? 0), 0)).toBeLessThanOrEqual(1000);
    }
  });
});

describe('tying Route 53’s reasons to parts', () => {
  it('reads the record names Route 53 quotes, in both of its forms', () => {
    // Act & Assess
    expect(namesIn(notFound('c1.example.com'))).toEqual(['ns1.c1.example.com.']);
    expect(namesIn(notPermitted('C2.example.com'))).toEqual(['ns1.c2.example.com.']);
    expect(namesIn('Invalid Resource Record: FATAL problem: ARRDATAIllegalIPv4Address')).toEqual([]);
  });

  it('ties each reason to the part holding the record it names, and gives up on a reason that names none', () => {
    // Prepare
    const parts = clusters(3).map((c) => part(c));

    // Act & Assess
    expect(tieReasons([notFound('c2.example.com')], parts)).toEqual(
      new Map([['c2.example.com', [notFound('c2.example.com')]]]),
    );
    expect(tieReasons([notFound('c2.example.com'), 'Invalid Resource Record'], parts)).toBeUndefined();
    expect(tieReasons([notFound('elsewhere.example.com')], parts)).toBeUndefined();
  });
});

describe('sendParts', () => {
  it('sends every part in one request and writes them all', async () => {
    // Prepare
    const zone = fakeZone(() => []);

    // Act
    const results = await sendParts(
      zone.sender,
      clusters(5).map((c) => part(c)),
    );

    // Assess
    expect(zone.requests).toEqual([clusters(5)]);
    expect([...results.values()]).toEqual(clusters(5).map(() => ({ kind: 'written', changeId: '/change/C1' })));
  });

  it('sends the others again at once, in one request, when one part lost a race', async () => {
    // Prepare: c3's glue changed since it was read
    const zone = fakeZone((inRequest) => (inRequest.includes('c3.example.com') ? [notFound('c3.example.com')] : []));

    // Act
    const results = await sendParts(
      zone.sender,
      clusters(5).map((c) => part(c)),
    );

    // Assess
    const others = clusters(5).filter((c) => c !== 'c3.example.com');
    expect(zone.requests).toEqual([clusters(5), others]);
    expect(results.get('c3.example.com')).toEqual({ kind: 'conflict', reasons: [notFound('c3.example.com')] });
    for (const c of others) expect(results.get(c)).toEqual({ kind: 'written', changeId: '/change/C2' });
  });

  it('refuses the part a non-conflict reason names and writes the others, with no retry', async () => {
    // Prepare
    const zone = fakeZone((inRequest) =>
      inRequest.includes('c2.example.com') ? [notPermitted('c2.example.com')] : [],
    );

    // Act
    const results = await sendParts(
      zone.sender,
      clusters(3).map((c) => part(c)),
    );

    // Assess
    expect(zone.requests).toEqual([clusters(3), ['c1.example.com', 'c3.example.com']]);
    const refused = results.get('c2.example.com');
    expect(refused?.kind).toBe('refused');
    expect(refused?.kind === 'refused' && refused.error).toBeInstanceOf(ChangeRejectedError);
    expect(refused?.kind === 'refused' && refused.error.message).toContain('ns1.c2.example.com.');
    expect(kinds(results)).toEqual({
      'c1.example.com': 'written',
      'c2.example.com': 'refused',
      'c3.example.com': 'written',
    });
  });

  it('cuts the request in halves until a rejection it cannot tie to a part is alone, and writes the rest', async () => {
    // Prepare: a reason that names no record, for any request holding c3
    const zone = fakeZone((inRequest) =>
      inRequest.includes('c3.example.com') ? ['Invalid Resource Record: FATAL problem encountered'] : [],
    );

    // Act
    const results = await sendParts(
      zone.sender,
      clusters(5).map((c) => part(c)),
    );

    // Assess
    expect(zone.requests).toEqual([
      clusters(5),
      ['c1.example.com', 'c2.example.com', 'c3.example.com'],
      ['c1.example.com', 'c2.example.com'],
      ['c3.example.com'],
      ['c4.example.com', 'c5.example.com'],
    ]);
    expect(kinds(results)).toEqual({
      'c1.example.com': 'written',
      'c2.example.com': 'written',
      'c3.example.com': 'refused',
      'c4.example.com': 'written',
      'c5.example.com': 'written',
    });
  });

  it('cuts in halves on a permanent AWS error, which names no record (access denied)', async () => {
    // Prepare
    const denied = new AwsPermanentError(
      { service: 'route53', action: 'ChangeResourceRecordSets' },
      'AccessDenied',
      'no',
      {
        cause: undefined,
      },
    );
    const zone = fakeZone((inRequest) => (inRequest.includes('c1.example.com') ? denied : []));

    // Act
    const results = await sendParts(
      zone.sender,
      clusters(2).map((c) => part(c)),
    );

    // Assess
    expect(zone.requests).toEqual([clusters(2), ['c1.example.com'], ['c2.example.com']]);
    expect(results.get('c1.example.com')).toEqual({ kind: 'refused', error: denied });
    expect(results.get('c2.example.com')?.kind).toBe('written');
  });

  it('treats every part as conflicting when a conflict names no part of the request (safe)', async () => {
    // Prepare
    const zone = fakeZone(() => [notFound('someone-else.example.com')]);

    // Act
    const results = await sendParts(
      zone.sender,
      clusters(3).map((c) => part(c)),
    );

    // Assess
    expect(zone.requests).toHaveLength(1);
    expect(Object.values(kinds(results))).toEqual(['conflict', 'conflict', 'conflict']);
  });

  it('fails every part of a request that fails transiently, and sends it no more', async () => {
    // Prepare
    const zone = fakeZone(() => new Error('socket hang up'));

    // Act
    const results = await sendParts(
      zone.sender,
      clusters(2).map((c) => part(c)),
    );

    // Assess
    expect(zone.requests).toHaveLength(1);
    expect(Object.values(kinds(results))).toEqual(['failed', 'failed']);
  });

  it('defers the parts of requests it has no time left to start', async () => {
    // Prepare: two requests' worth, time for one
    const zone = fakeZone(() => [], { values: 4, characters: 1_000 });
    zone.deferAfter(1);

    // Act
    const results = await sendParts(
      zone.sender,
      clusters(4).map((c) => part(c)),
    );

    // Assess
    expect(zone.requests).toEqual([['c1.example.com', 'c2.example.com']]);
    expect(kinds(results)).toEqual({
      'c1.example.com': 'written',
      'c2.example.com': 'written',
      'c3.example.com': 'deferred',
      'c4.example.com': 'deferred',
    });
  });
});

describe('writeZone', () => {
  it('sends a placement in several parts one part per request, beside the others, stopping at its conflict', async () => {
    // Prepare: big has 3 parts, small 1; big's second part loses a race
    const [first, second, third] = [
      glueSwap('big.example.com'),
      glueSwap('big2.example.com'),
      glueSwap('big3.example.com'),
    ];
    const zone = fakeZone((inRequest) =>
      inRequest.includes('big2.example.com') ? [notFound('big2.example.com')] : [],
    );

    // Act
    const done = await writeZone(zone.sender, [
      { key: 'big', cluster: 'big.example.com', parts: [first, second, third] },
      { key: 'small', cluster: 'small.example.com', parts: [glueSwap('small.example.com')] },
    ]);

    // Assess
    expect(zone.requests).toEqual([['big.example.com', 'small.example.com'], ['big2.example.com']]);
    expect(done.get('small')?.result.kind).toBe('written');
    expect(done.get('big')?.result.kind).toBe('conflict');
    expect(done.get('big')?.written).toEqual([{ changes: first, changeId: '/change/C1' }]);
  });
});
