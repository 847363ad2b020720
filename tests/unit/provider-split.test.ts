/** applyChanges with a plan too large for one Route 53 request: several requests, in order, stopping at a conflict. */
import { ChangeResourceRecordSetsCommand, InvalidChangeBatch, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { planCluster } from '../../lib/plan/plan.js';
import { splitChanges } from '../../lib/provider/batches.js';
import { applyChanges, ConflictDetected, toRoute53Change } from '../../lib/provider/route53.js';
import { deploymentOf } from '../../tools/world/deployment.js';

const route53 = mockClient(Route53Client);
const client = new Route53Client({});
const zoneId = 'Z1EXAMPLE';

/** A new cluster of 399 members (the most lib/plan/limits.ts allows): 1,198 values, more than one request may hold. */
const bigCluster = planCluster({
  cluster: 'big.example.com',
  current: [],
  members: Array.from({ length: 399 }, (_, i) => ({
    instanceId: `i-${(i + 1).toString(16).padStart(17, '0')}`,
    address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  })),
  deployment: deploymentOf('rlec-dns-test'),
  ttl: 60,
}).changes;

const lostRace = new InvalidChangeBatch({
  message:
    "[Tried to delete resource record set [name='_rlec-dns.big.example.com.', type='TXT'] but the values provided do not match the current values]",
  $metadata: { httpStatusCode: 400 },
  messages: [],
});

beforeEach(() => {
  route53.reset();
});

describe('applyChanges with a plan larger than one request', () => {
  it('sends the requests splitChanges gives, in order, numbered in their comments', async () => {
    // Prepare
    route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: undefined });
    const requests = splitChanges(bigCluster);
    expect(requests.length).toBeGreaterThan(1);

    // Act
    await applyChanges(client, zoneId, bigCluster, 'rlec-dns test: big.example.com');

    // Assess
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, requests.length);
    requests.forEach((request, i) => {
      expect(route53).toHaveReceivedNthCommandWith(ChangeResourceRecordSetsCommand, i + 1, {
        HostedZoneId: zoneId,
        ChangeBatch: {
          Comment: `rlec-dns test: big.example.com (${i + 1}/${requests.length})`,
          Changes: request.map(toRoute53Change),
        },
      });
    });
  });

  it('returns the change id of the last request', async () => {
    // Prepare
    const count = splitChanges(bigCluster).length;
    const calls = route53.on(ChangeResourceRecordSetsCommand);
    for (let i = 1; i <= count; i++) {
      calls.resolvesOnce({ ChangeInfo: { Id: `/change/C${i}`, Status: 'PENDING', SubmittedAt: new Date() } });
    }

    // Act
    const changeId = await applyChanges(client, zoneId, bigCluster, 'big');

    // Assess
    expect(changeId).toBe(`/change/C${count}`);
  });

  it('stops at a request that lost a race, reporting the conflict so the caller re-reads', async () => {
    // Prepare
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolvesOnce({ ChangeInfo: undefined })
      .rejectsOnce(lostRace)
      .resolves({ ChangeInfo: undefined });

    // Act & Assess
    await expect(applyChanges(client, zoneId, bigCluster, 'big')).rejects.toThrow(ConflictDetected);
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 2);
  });
});
