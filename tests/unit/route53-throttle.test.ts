import { beforeEach, describe, expect, it } from 'vitest';
import {
  accessKeyIdOf,
  changeCost,
  ROUTE53_2026,
  ROUTE53_LEGACY,
  ROUTE53_UNLIMITED,
  Route53Throttle,
  type ThrottleModel,
} from '../../tools/emulator/route53-throttle.js';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

/** A clock that moves only when the test says so. */
let now = 0;
const clock = () => now;
const wait = (ms: number) => {
  now += ms;
};

const list = { account: ACCOUNT, action: 'ListResourceRecordSets', changeCost: 0 };
const getChange = { account: ACCOUNT, action: 'GetChange', changeCost: 0 };
const changes = (cost: number) => ({ account: ACCOUNT, action: 'ChangeResourceRecordSets', changeCost: cost });

/** How many times in a row `request` is admitted, up to `max`. */
function admittedInARow(throttle: Route53Throttle, request: Parameters<Route53Throttle['admit']>[0], max = 10_000) {
  let n = 0;
  while (n < max && throttle.admit(request).admitted) n += 1;
  return n;
}

const changeBatch = (...actions: string[]) =>
  `<ChangeResourceRecordSetsRequest><ChangeBatch><Changes>${actions
    .map((a) => `<Change><Action>${a}</Action><ResourceRecordSet><Name>x.</Name></ResourceRecordSet></Change>`)
    .join('')}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`;

beforeEach(() => {
  now = 1_000;
});

describe('the 2026 request buckets', () => {
  it('admit a burst of 50 requests and refuse the 51st for the account bucket', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });

    // Act
    const burst = admittedInARow(throttle, list, 50);
    const next = throttle.admit(list);

    // Assess
    expect(burst).toBe(50);
    expect(next).toEqual({ admitted: false, emptied: 'account' });
  });

  it('refill at 10 per second, a token every 100 ms', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });
    admittedInARow(throttle, list);

    // Act
    wait(99);
    const early = throttle.admit(list).admitted;
    wait(1);
    const onTime = throttle.admit(list).admitted;
    wait(1_000);
    const afterASecond = admittedInARow(throttle, list);

    // Assess
    expect([early, onTime, afterASecond]).toEqual([false, true, 10]);
  });

  it('refill no further than their capacity after a long quiet time', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });
    admittedInARow(throttle, list);

    // Act
    wait(3_600_000);

    // Assess
    expect(admittedInARow(throttle, getChange)).toBe(50);
  });

  it('share the account bucket between actions: 30 listings and 20 changes leave nothing for GetChange', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });

    // Act
    const listed = admittedInARow(throttle, list, 30);
    const changed = admittedInARow(throttle, changes(1), 20);
    const verdict = throttle.admit(getChange);

    // Assess
    expect([listed, changed]).toEqual([30, 20]);
    expect(verdict).toEqual({ admitted: false, emptied: 'account' });
  });

  it('refuse an action whose own bucket is empty while the account bucket still has tokens', () => {
    // Prepare
    const model: ThrottleModel = { ...ROUTE53_2026, perAction: { capacity: 5, refillPerSecond: 1 } };
    const throttle = new Route53Throttle(model, { clock });

    // Act
    const listed = admittedInARow(throttle, list);
    const other = throttle.admit(getChange);

    // Assess
    expect(listed).toBe(5);
    expect(throttle.admit(list)).toEqual({ admitted: false, emptied: 'action' });
    expect(other).toEqual({ admitted: true });
  });

  it("take from both buckets, so an action's requests use up the account's", () => {
    // Prepare
    const model: ThrottleModel = { ...ROUTE53_2026, perAction: { capacity: 100, refillPerSecond: 100 } };
    const throttle = new Route53Throttle(model, { clock });

    // Act
    const listed = admittedInARow(throttle, list);

    // Assess
    expect(listed).toBe(50);
    expect(throttle.usage(ACCOUNT).refused).toEqual({ account: 1, action: 0, changes: 0 });
  });

  it("give CreateHostedZone AWS's own bucket of 40 refilling at 2 per second", () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });
    const create = { account: ACCOUNT, action: 'CreateHostedZone', changeCost: 0 };

    // Act
    const burst = admittedInARow(throttle, create);
    wait(400);
    const early = throttle.admit(create).admitted;
    wait(100);
    const onTime = throttle.admit(create).admitted;

    // Assess
    expect([burst, early, onTime]).toEqual([40, false, true]);
  });

  it('keep each account apart: one account out of tokens does not throttle another', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });
    admittedInARow(throttle, list);

    // Act
    const other = throttle.admit({ ...list, account: OTHER_ACCOUNT });

    // Assess
    expect(throttle.admit(list).admitted).toBe(false);
    expect(other).toEqual({ admitted: true });
    expect(throttle.accounts().sort()).toEqual([ACCOUNT, OTHER_ACCOUNT]);
  });
});

describe('change tokens', () => {
  it('cost 1 per CREATE or DELETE and 2 per UPSERT', () => {
    // Act
    const costs = [
      changeBatch('CREATE'),
      changeBatch('DELETE', 'CREATE'),
      changeBatch('UPSERT'),
      changeBatch('DELETE', 'UPSERT', 'CREATE', 'UPSERT'),
      '<ListHostedZonesRequest/>',
    ].map(changeCost);

    // Assess
    expect(costs).toEqual([1, 2, 2, 6, 0]);
  });

  it('admit 1,500 at once, then refuse a batch for the change bucket and refill at 100 per second', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });

    // Act
    const full = throttle.admit(changes(1_500));
    const empty = throttle.admit(changes(1));
    wait(9);
    const early = throttle.admit(changes(1)).admitted;
    wait(1);
    const onTime = throttle.admit(changes(1)).admitted;
    wait(1_000);
    const tooBig = throttle.admit(changes(101)).admitted;
    const justRight = throttle.admit(changes(100)).admitted;

    // Assess
    expect(full).toEqual({ admitted: true });
    expect(empty).toEqual({ admitted: false, emptied: 'changes' });
    expect([early, onTime, tooBig, justRight]).toEqual([false, true, false, true]);
  });

  it('are taken only by requests that change records', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });
    throttle.admit(changes(1_500));

    // Act
    const read = throttle.admit(list);

    // Assess
    expect(read).toEqual({ admitted: true });
  });

  it('are not taken, nor is a request token, when a request is refused', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });

    // Act
    const refused = throttle.admit(changes(1_501));
    const requests = admittedInARow(throttle, getChange);
    const tokensLeft = throttle.admit(changes(1_500));

    // Assess
    expect(refused).toEqual({ admitted: false, emptied: 'changes' });
    expect(requests).toBe(50);
    expect(tokensLeft).toEqual({ admitted: false, emptied: 'account' });
    wait(100);
    expect(throttle.admit(changes(1_500))).toEqual({ admitted: true });
  });

  it('are counted per account with the requests admitted and refused', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });

    // Act
    throttle.admit(changes(4));
    throttle.admit(changes(1_497));
    throttle.admit(changes(2));
    throttle.admit(list);

    // Assess
    expect(throttle.usage(ACCOUNT)).toEqual({
      requests: 3,
      changeTokens: 6,
      refused: { account: 0, action: 0, changes: 1 },
    });
    expect(Object.fromEntries(throttle.throttled)).toEqual({ ChangeResourceRecordSets: 1 });
  });
});

describe('the other models', () => {
  it('keep the old limit of 5 requests per second, burst 5, with no change bucket', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_LEGACY, { clock });

    // Act
    const burst = admittedInARow(throttle, changes(2_000));
    wait(199);
    const early = throttle.admit(list).admitted;
    wait(1);
    const onTime = throttle.admit(getChange).admitted;

    // Assess
    expect([burst, early, onTime]).toEqual([5, false, true]);
  });

  it('refuse nothing without buckets, and still count requests and change tokens', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_UNLIMITED, { clock });

    // Act
    const admitted = admittedInARow(throttle, changes(3), 1_000);

    // Assess
    expect(admitted).toBe(1_000);
    expect(throttle.usage(ACCOUNT)).toMatchObject({ requests: 1_000, changeTokens: 3_000 });
  });

  it('start again full and uncounted after a reset', () => {
    // Prepare
    const throttle = new Route53Throttle(ROUTE53_2026, { clock });
    admittedInARow(throttle, list);

    // Act
    throttle.reset();

    // Assess
    expect(throttle.throttled.size).toBe(0);
    expect(admittedInARow(throttle, list)).toBe(50);
  });
});

describe('accessKeyIdOf', () => {
  it('reads the key id from a SigV4 Authorization header, and nothing from an unsigned request', () => {
    // Prepare
    const signed = {
      authorization:
        'AWS4-HMAC-SHA256 Credential=ASIATCH6YDSYUSP7CFZ5/20260101/us-east-1/route53/aws4_request, ' +
        'SignedHeaders=host, Signature=abc',
    };

    // Act
    const keys = [accessKeyIdOf(signed), accessKeyIdOf({})];

    // Assess
    expect(keys).toEqual(['ASIATCH6YDSYUSP7CFZ5', undefined]);
  });
});
