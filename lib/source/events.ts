/**
 * The events that trigger a reconcile, as zod schemas. An event only says which instance to look at: what should
 * exist is always read from EC2 afterwards.
 *
 * What becomes of a body, decided by the event's kind (source and detail-type) before its shape; only a TriggerEvent
 * leads to any work, and the other outcomes are never retried:
 * | body                                                            | outcome                                |
 * |-----------------------------------------------------------------|----------------------------------------|
 * | EC2 state change, or tag change on an EC2 instance, well formed | a TriggerEvent                         |
 * | one of those two kinds, with a field missing or wrong           | MalformedEventError: error log, metric |
 * | not an EventBridge event: not JSON, not an object, no source    | MalformedEventError: error log, metric |
 * | another source; another detail-type of aws.ec2 or aws.tag       | `ignored`: debug log, EventsIgnored    |
 * | a tag change on something else than an EC2 instance (a volume)  | `ignored`: debug log, EventsIgnored    |
 *
 * zod/mini rather than zod itself (and so rather than Powertools Parser's `EventBridgeSchema`, which is built with the
 * full zod): the same validation and messages at a fraction of the bundle, which the state-change function parses at
 * every cold start. The envelope below restates Powertools Parser's `EventBridgeSchema` field for field, but for
 * `version`, which is optional here: AWS's own sample state-change event (EC2 user guide) has none, and an event
 * needs no version to say which instance changed.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { MalformedEventError } from '../platform/errors.js';

z.config(en());

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const INSTANCE_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:instance\/i-[0-9a-f]{8,17}$/;
const STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;
const STATE_CHANGE = 'EC2 Instance State-change Notification';
const TAG_CHANGE = 'Tag Change on Resource';

/** An EventBridge event's envelope, as Powertools Parser's `EventBridgeSchema` has it. */
const envelope = {
  version: z.optional(z.string()),
  id: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  'replay-name': z.optional(z.string()),
};

export const StateChangeSchema = z.object({
  ...envelope,
  source: z.literal('aws.ec2'),
  'detail-type': z.literal(STATE_CHANGE),
  resources: z.array(z.string()),
  detail: z.object({ 'instance-id': z.string().check(z.regex(INSTANCE_ID)), state: z.enum(STATES) }),
});

export const TagChangeSchema = z.object({
  ...envelope,
  source: z.literal('aws.tag'),
  'detail-type': z.literal(TAG_CHANGE),
  resources: z.array(z.string().check(z.regex(INSTANCE_ARN))).check(z.minLength(1)),
  detail: z.object({
    'changed-tag-keys': z.array(z.string()),
    service: z.literal('ec2'),
    'resource-type': z.literal('instance'),
    tags: z.record(z.string(), z.string()),
  }),
});

export type InstanceState = (typeof STATES)[number];

export type TriggerEvent =
  | { readonly kind: 'state'; readonly id: string; readonly instanceId: string; readonly state: InstanceState }
  | {
      readonly kind: 'tag';
      readonly id: string;
      readonly instanceId: string;
      readonly changedKeys: readonly string[];
      readonly tags: Readonly<Record<string, string>>;
    };

/** A well-formed event of a kind this project does not act on. */
export interface IgnoredEvent {
  readonly kind: 'ignored';
  /** Why it is not for us, naming its kind. */
  readonly reason: string;
}

const summary = (error: z.core.$ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
    .join('; ');

type Fields = Record<string, unknown>;

/** A value from the event, quoted and cut short for a log line (it may hold anything, newlines included). */
const quoted = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseStateChange(value: Fields): TriggerEvent {
  const parsed = StateChangeSchema.safeParse(value);
  if (!parsed.success) throw new MalformedEventError(`malformed EC2 state-change event: ${summary(parsed.error)}`);
  const { detail, id } = parsed.data;
  return { kind: 'state', id, instanceId: detail['instance-id'], state: detail.state };
}

function parseTagChange(value: Fields): TriggerEvent | IgnoredEvent {
  // A tag change on another resource (a volume, an RDS database) is a sound event about something we never manage.
  // Only a detail that names its service and resource type can say so; one that does not is malformed below.
  const detail = value.detail;
  if (isObject(detail) && typeof detail.service === 'string' && typeof detail['resource-type'] === 'string') {
    const { service, 'resource-type': type } = detail;
    if (service !== 'ec2' || type !== 'instance') {
      return { kind: 'ignored', reason: `tag change on ${quoted(service)} ${quoted(type)}, not an EC2 instance` };
    }
  }
  const parsed = TagChangeSchema.safeParse(value);
  if (!parsed.success) throw new MalformedEventError(`malformed tag-change event: ${summary(parsed.error)}`);
  const { detail: tags, id, resources } = parsed.data;
  const instanceId = (resources[0] ?? '').replace(/^.*\//, '');
  return { kind: 'tag', id, instanceId, changedKeys: tags['changed-tag-keys'], tags: tags.tags };
}

/**
 * Parses one EventBridge event (an object, or its JSON text as an SQS body carries it).
 *
 * @returns the trigger, or `ignored` (with the reason) for a well-formed event of a kind we do not act on.
 * @throws MalformedEventError saying what is wrong with it.
 */
export function parseTriggerEvent(raw: unknown): TriggerEvent | IgnoredEvent {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new MalformedEventError(`event is not valid JSON: ${JSON.stringify(raw.slice(0, 80))}`);
    }
  }
  if (!isObject(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new MalformedEventError(`malformed event: ${what}, not an EventBridge event object`);
  }
  // Every EventBridge event names its source: without one, there is no telling whose event this is.
  const { source, 'detail-type': detailType } = value;
  if (typeof source !== 'string' || source === '') {
    const got = source === undefined ? 'none' : String(JSON.stringify(source)).slice(0, 80);
    throw new MalformedEventError(`malformed event: no source name (got ${got}), so there is no telling whose it is`);
  }
  if (source !== 'aws.ec2' && source !== 'aws.tag') {
    return { kind: 'ignored', reason: `event from ${quoted(source)}, not aws.ec2 or aws.tag` };
  }
  if (typeof detailType !== 'string') {
    throw new MalformedEventError(`malformed ${source} event: no detail-type`);
  }
  if (source === 'aws.ec2' && detailType === STATE_CHANGE) return parseStateChange(value);
  if (source === 'aws.tag' && detailType === TAG_CHANGE) return parseTagChange(value);
  return { kind: 'ignored', reason: `${source} event ${quoted(detailType)} is not one we act on` };
}
