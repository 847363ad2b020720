import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../lib/platform/errors.js';
import { parseTriggerEvent } from '../../lib/source/events.js';

type Json = Record<string, unknown>;

const fixture = <T = Json>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8')) as T;

const runningEvent = fixture('ec2-state-change-running.json');
const awsSampleEvent = fixture('ec2-state-change-aws-sample.json');
const terminatedEvent = fixture('ec2-state-change-terminated.json');
const joinedEvent = fixture('tag-change-joined.json');
const leftEvent = fixture('tag-change-left.json');
const scheduledEvent = fixture('scheduled.json');
const sqsBatch = fixture<SQSEvent>('sqs-batch.json');

const nodeId = 'i-0a1b2c3d4e5f60718';
const taggedNodeId = 'i-0f9e8d7c6b5a40312';

/** The event with its detail replaced (or removed, when undefined). */
const withDetail = (event: Json, detail: unknown): Json => ({ ...event, detail });

describe('parseTriggerEvent', () => {
  describe('on the sample events', () => {
    it('reads an instance that started running', () => {
      // Act
      const event = parseTriggerEvent(runningEvent);

      // Assess
      expect(event).toEqual({
        kind: 'state',
        id: '3f1c2b8e-5d1a-4c2e-9a7b-0c6d2e4f8a11',
        instanceId: nodeId,
        state: 'running',
      });
    });

    it('reads an instance that terminated', () => {
      // Act
      const event = parseTriggerEvent(terminatedEvent);

      // Assess
      expect(event).toEqual({
        kind: 'state',
        id: '9e2d7c41-0b3a-4f5e-8c1d-6a7b8c9d0e12',
        instanceId: nodeId,
        state: 'terminated',
      });
    });

    it('reads an instance that joined a cluster by tag', () => {
      // Act
      const event = parseTriggerEvent(joinedEvent);

      // Assess
      expect(event).toEqual({
        kind: 'tag',
        id: 'c4b1e6f2-7a8d-4e3b-b5c6-d7e8f9a0b1c2',
        instanceId: taggedNodeId,
        changedKeys: ['rlec:cluster'],
        tags: { Name: 'redis-node', 'rlec:cluster': 'mycluster.example.com' },
      });
    });

    it('reads an instance that left a cluster by losing its tag', () => {
      // Act
      const event = parseTriggerEvent(leftEvent);

      // Assess
      expect(event).toEqual({
        kind: 'tag',
        id: 'd5c2f7a3-8b9e-4f4c-86d7-e8f9a0b1c2d3',
        instanceId: taggedNodeId,
        changedKeys: ['rlec:cluster'],
        tags: { Name: 'redis-node' },
      });
    });

    it('reads the SQS bodies, which carry the events as JSON text', () => {
      // Prepare
      const bodies = sqsBatch.Records.map((r) => r.body);

      // Act
      const events = bodies.map((body) => parseTriggerEvent(body));

      // Assess
      expect(events).toEqual([
        { kind: 'state', id: '3f1c2b8e-5d1a-4c2e-9a7b-0c6d2e4f8a11', instanceId: nodeId, state: 'running' },
        {
          kind: 'tag',
          id: 'c4b1e6f2-7a8d-4e3b-b5c6-d7e8f9a0b1c2',
          instanceId: taggedNodeId,
          changedKeys: ['rlec:cluster'],
          tags: { Name: 'redis-node', 'rlec:cluster': 'mycluster.example.com' },
        },
      ]);
    });

    it('reads an event given as JSON text the same as the object', () => {
      // Act
      const fromText = parseTriggerEvent(JSON.stringify(terminatedEvent));

      // Assess
      expect(fromText).toEqual(parseTriggerEvent(terminatedEvent));
    });

    it('reads AWS’s own sample state-change event, which has no version field', () => {
      // Act
      const event = parseTriggerEvent(awsSampleEvent);

      // Assess
      expect(awsSampleEvent).not.toHaveProperty('version');
      expect(event).toEqual({
        kind: 'state',
        id: '7bf73129-1428-4cd3-a780-95db273d1602',
        instanceId: 'i-1234567890abcdef0',
        state: 'pending',
      });
    });

    it('reads a tag-change event without a version field', () => {
      // Prepare
      const { version: _version, ...withoutVersion } = joinedEvent;

      // Act
      const event = parseTriggerEvent(withoutVersion);

      // Assess
      expect(event).toEqual(parseTriggerEvent(joinedEvent));
    });

    it('ignores the scheduled event, which is not for us', () => {
      // Act
      const event = parseTriggerEvent(scheduledEvent);

      // Assess
      expect(event).toEqual({ kind: 'ignored', reason: 'event from "aws.events", not aws.ec2 or aws.tag' });
    });
  });

  it.each(['pending', 'stopping', 'stopped', 'shutting-down'])('reads the %s state', (state) => {
    // Act
    const event = parseTriggerEvent(withDetail(runningEvent, { 'instance-id': nodeId, state }));

    // Assess
    expect(event).toMatchObject({ kind: 'state', state });
  });

  describe('on events that are not for us', () => {
    it.each([
      {
        what: 'an event from another source',
        raw: { ...runningEvent, source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful' },
        reason: 'event from "aws.autoscaling", not aws.ec2 or aws.tag',
      },
      {
        what: 'another EC2 event (a Spot interruption warning)',
        raw: { ...runningEvent, 'detail-type': 'EC2 Spot Instance Interruption Warning' },
        reason: 'aws.ec2 event "EC2 Spot Instance Interruption Warning" is not one we act on',
      },
      {
        what: 'a tag-change detail-type under aws.ec2',
        raw: { ...runningEvent, 'detail-type': 'Tag Change on Resource' },
        reason: 'aws.ec2 event "Tag Change on Resource" is not one we act on',
      },
      {
        what: 'a tag change on a volume',
        raw: {
          ...joinedEvent,
          resources: ['arn:aws:ec2:eu-west-1:123456789012:volume/vol-0123456789abcdef0'],
          detail: { ...(joinedEvent.detail as Json), 'resource-type': 'volume' },
        },
        reason: 'tag change on "ec2" "volume", not an EC2 instance',
      },
      {
        what: 'a tag change on an RDS database',
        raw: {
          ...joinedEvent,
          resources: ['arn:aws:rds:eu-west-1:123456789012:db:orders'],
          detail: { ...(joinedEvent.detail as Json), service: 'rds', 'resource-type': 'db' },
        },
        reason: 'tag change on "rds" "db", not an EC2 instance',
      },
      {
        what: 'an event from another source with nothing else in it',
        raw: { source: 'custom.app' },
        reason: 'event from "custom.app", not aws.ec2 or aws.tag',
      },
      {
        what: 'a source holding a newline, quoted on one line',
        raw: { ...runningEvent, source: 'evil\nERROR forged' },
        reason: 'event from "evil\\nERROR forged", not aws.ec2 or aws.tag',
      },
    ])('ignores $what, saying why', ({ raw, reason }) => {
      // Act
      const event = parseTriggerEvent(raw);

      // Assess
      expect(event).toEqual({ kind: 'ignored', reason });
    });

    it('ignores one given as JSON text the same as the object', () => {
      // Act & Assess
      expect(parseTriggerEvent(JSON.stringify(scheduledEvent))).toEqual(parseTriggerEvent(scheduledEvent));
    });
  });

  describe('on malformed events', () => {
    it.each([
      { what: 'invalid JSON text', raw: '{"source": "aws.ec2",', message: /^event is not valid JSON: / },
      { what: 'an empty string', raw: '', message: /^event is not valid JSON/ },
      { what: 'JSON null', raw: 'null', message: /^malformed event: null, not an EventBridge event object/ },
      { what: 'null', raw: null, message: /^malformed event: null, not an EventBridge event object/ },
      { what: 'a number', raw: 42, message: /^malformed event: number, not an EventBridge event object/ },
      { what: 'a JSON array', raw: '[{"source": "aws.ec2"}]', message: /^malformed event: an array, not an/ },
      {
        what: 'an event without a source',
        raw: { ...runningEvent, source: undefined },
        message: /^malformed event: no source name \(got none\)/,
      },
      {
        what: 'an event with an empty source',
        raw: { ...runningEvent, source: '' },
        message: /^malformed event: no source name \(got ""\)/,
      },
      {
        what: 'an event whose source is not a string',
        raw: { ...runningEvent, source: ['aws.ec2'] },
        message: /^malformed event: no source name \(got \["aws\.ec2"\]\)/,
      },
      {
        what: 'an EC2 event without detail-type',
        raw: { ...runningEvent, 'detail-type': undefined },
        message: /^malformed aws\.ec2 event: no detail-type/,
      },
      {
        what: 'a state-change event without detail',
        raw: withDetail(runningEvent, undefined),
        message: /^malformed EC2 state-change event: detail: /,
      },
      {
        what: 'a tag event without detail',
        raw: withDetail(joinedEvent, undefined),
        message: /^malformed tag-change event: detail: /,
      },
      {
        what: 'a bad instance id',
        raw: withDetail(runningEvent, { 'instance-id': 'i-NOTHEX', state: 'running' }),
        message: /^malformed EC2 state-change event: detail\.instance-id: /,
      },
      {
        what: 'a missing instance id',
        raw: withDetail(runningEvent, { state: 'running' }),
        message: /detail\.instance-id: /,
      },
      {
        what: 'an unknown state',
        raw: withDetail(runningEvent, { 'instance-id': nodeId, state: 'hibernating' }),
        message: /^malformed EC2 state-change event: detail\.state: /,
      },
      {
        what: 'a tag event whose detail names no service',
        raw: { ...joinedEvent, detail: { ...(joinedEvent.detail as Json), service: undefined } },
        message: /^malformed tag-change event: detail\.service: /,
      },
      {
        what: 'a tag event whose resource type is not a string',
        raw: { ...joinedEvent, detail: { ...(joinedEvent.detail as Json), 'resource-type': 7 } },
        message: /^malformed tag-change event: detail\.resource-type: /,
      },
      {
        what: 'a tag event on an instance whose resource is not an instance',
        raw: { ...joinedEvent, resources: ['arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789'] },
        message: /^malformed tag-change event: resources\.0: /,
      },
      {
        what: 'a tag event with no resource',
        raw: { ...joinedEvent, resources: [] },
        message: /^malformed tag-change event: resources: /,
      },
      {
        what: 'a tag event whose tags are not strings',
        raw: { ...joinedEvent, detail: { ...(joinedEvent.detail as Json), tags: { 'rlec:cluster': 7 } } },
        message: /detail\.tags\.rlec:cluster: /,
      },
    ])('refuses $what, saying what is wrong', ({ raw, message }) => {
      // Act & Assess
      expect(() => parseTriggerEvent(raw)).toThrow(MalformedEventError);
      expect(() => parseTriggerEvent(raw)).toThrow(message);
    });

    it('marks a malformed event as permanent', () => {
      // Act & Assess
      expect(() => parseTriggerEvent('not json')).toThrow(expect.objectContaining({ permanent: true }));
    });
  });
});
