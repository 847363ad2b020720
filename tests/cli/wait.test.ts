/** cli/wait.ts: polling GetChange until INSYNC, with a deadline. */
import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { waitForChanges } from '../../cli/wait.js';

const route53 = mockClient(Route53Client);
const client = new Route53Client({ region: 'us-east-1' });

const status = (Status: 'PENDING' | 'INSYNC') => ({
  ChangeInfo: { Id: '/change/C1', Status, SubmittedAt: new Date(0) },
});

/** A clock that moves only when the code under test sleeps. */
function fakeTime() {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

beforeEach(() => {
  route53.reset();
});

describe('waiting for Route 53', () => {
  it('polls at once, then after 1 and 2 s, until the change is INSYNC', async () => {
    // Prepare
    route53
      .on(GetChangeCommand)
      .resolvesOnce(status('PENDING'))
      .resolvesOnce(status('PENDING'))
      .resolves(status('INSYNC'));
    const time = fakeTime();
    const progress: string[] = [];
    // Act
    const result = await waitForChanges(client, ['/change/C1'], {
      timeoutMs: 60_000,
      ...time,
      onProgress: (pending, ms) => progress.push(`${pending.join(',')}@${ms}`),
    });
    // Assess
    expect(result).toEqual({ insync: true, elapsedMs: 3000, pending: [] });
    expect(time.slept).toEqual([1000, 2000]);
    expect(progress).toEqual(['C1@0', 'C1@1000', '@3000']);
    expect(route53).toHaveReceivedCommandWith(GetChangeCommand, { Id: 'C1' });
  });

  it('stops before the deadline and names the changes still PENDING', async () => {
    // Prepare
    route53.on(GetChangeCommand).resolves(status('PENDING'));
    const time = fakeTime();
    // Act
    const result = await waitForChanges(client, ['C1'], { timeoutMs: 10_000, ...time });
    // Assess
    expect(result).toEqual({ insync: false, elapsedMs: 7000, pending: ['C1'] });
    expect(time.slept).toEqual([1000, 2000, 4000]);
  });

  it('asks once per distinct change', async () => {
    // Prepare
    route53.on(GetChangeCommand).resolves(status('INSYNC'));
    // Act
    await waitForChanges(client, ['/change/C1', 'C1', 'C2'], { timeoutMs: 1000, ...fakeTime() });
    // Assess
    expect(route53).toHaveReceivedCommandTimes(GetChangeCommand, 2);
  });
});
