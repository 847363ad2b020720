// Route 53 reports several problems either as the SDK's `messages` list or, in today's wire form, as one bracketed
// message `[a, b]`: a batch is a conflict only when every problem is a lost race.
import { ChangeResourceRecordSetsCommand, InvalidChangeBatch, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Change } from '../../lib/plan/records.js';
import { ChangeRejectedError } from '../../lib/platform/errors.js';
import { applyChanges, ConflictDetected } from '../../lib/provider/route53.js';

const route53 = mockClient(Route53Client);
const client = new Route53Client({});

const swapGlue: Change[] = [
  { action: 'DELETE', record: { name: 'ns2.mycluster.example.com.', type: 'A', ttl: 60, values: ['10.0.2.23'] } },
  { action: 'CREATE', record: { name: 'ns2.mycluster.example.com.', type: 'A', ttl: 60, values: ['10.0.2.99'] } },
];

const alreadyExists =
  "Tried to create resource record set [name='ns2.mycluster.example.com.', type='A'] but it already exists";
const notFound =
  "Tried to delete resource record set [name='ns2.mycluster.example.com.', type='A'] but it was not found";
const notPermitted = 'RRSet with DNS name mycluster.example.com. is not permitted in zone example.com.';

beforeEach(() => {
  route53.reset();
});

describe('applyChanges with the SDK error shape', () => {
  it('reports a conflict when the error lists only lost races in messages', async () => {
    // Prepare
    const error = new InvalidChangeBatch({
      message: 'Invalid change batch',
      $metadata: { httpStatusCode: 400 },
      messages: [notFound, alreadyExists],
    });
    route53.on(ChangeResourceRecordSetsCommand).rejects(error);

    // Act & Assess: actual is ChangeRejectedError, since `messages` is never read.
    await expect(applyChanges(client, 'Z1EXAMPLE', swapGlue, 'swap')).rejects.toThrow(ConflictDetected);
  });

  it('rejects the batch when messages lists a lost race and a real refusal', async () => {
    // Prepare
    const error = new InvalidChangeBatch({
      message: alreadyExists,
      $metadata: { httpStatusCode: 400 },
      messages: [alreadyExists, notPermitted],
    });
    route53.on(ChangeResourceRecordSetsCommand).rejects(error);

    // Act & Assess: actual is ConflictDetected, judged on `message` alone.
    await expect(applyChanges(client, 'Z1EXAMPLE', swapGlue, 'swap')).rejects.toThrow(ChangeRejectedError);
  });

  it('rejects the batch when the bracketed message mixes a lost race and a real refusal', async () => {
    // Prepare: the form Route 53 sends today, as the SDK deserialises it (messages: []).
    const error = new InvalidChangeBatch({
      message: `[${alreadyExists}, ${notPermitted}]`,
      $metadata: { httpStatusCode: 400 },
      messages: [],
    });
    route53.on(ChangeResourceRecordSetsCommand).rejects(error);

    // Act & Assess: actual is ConflictDetected, since the one string matches /already exists/.
    await expect(applyChanges(client, 'Z1EXAMPLE', swapGlue, 'swap')).rejects.toThrow(ChangeRejectedError);
  });
});
