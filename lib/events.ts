/**
 * The events that trigger a reconcile, as zod schemas. An event only says which instance to look at: what should
 * exist is always read from EC2 afterwards.
 *
 * zod/mini rather than zod itself (and so rather than Powertools Parser's `EventBridgeSchema`, which is built with the
 * full zod): the same validation and messages at a fraction of the bundle, which the state-change function parses at
 * every cold start. The envelope below restates Powertools Parser's `EventBridgeSchema` field for field.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { MalformedEventError } from './errors.js';

z.config(en());

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const INSTANCE_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:instance\/i-[0-9a-f]{8,17}$/;
const STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;

/** An EventBridge event's envelope, as Powertools Parser's `EventBridgeSchema` has it. */
const envelope = {
  version: z.string(),
  id: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  'replay-name': z.optional(z.string()),
};

export const StateChangeSchema = z.object({
  ...envelope,
  source: z.literal('aws.ec2'),
  'detail-type': z.literal('EC2 Instance State-change Notification'),
  resources: z.array(z.string()),
  detail: z.object({ 'instance-id': z.string().check(z.regex(INSTANCE_ID)), state: z.enum(STATES) }),
});

export const TagChangeSchema = z.object({
  ...envelope,
  source: z.literal('aws.tag'),
  'detail-type': z.literal('Tag Change on Resource'),
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

const summary = (error: z.core.$ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
    .join('; ');

/**
 * Parses one EventBridge event (an object, or its JSON text as an SQS body carries it).
 *
 * @throws MalformedEventError saying what is wrong with it.
 */
export function parseTriggerEvent(raw: unknown): TriggerEvent {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new MalformedEventError(`event is not valid JSON: ${JSON.stringify(raw.slice(0, 80))}`);
    }
  }
  const source = (value as { source?: unknown } | null)?.source;
  if (source === 'aws.ec2') {
    const parsed = StateChangeSchema.safeParse(value);
    if (!parsed.success) throw new MalformedEventError(`malformed EC2 state-change event: ${summary(parsed.error)}`);
    const { detail, id } = parsed.data;
    return { kind: 'state', id, instanceId: detail['instance-id'], state: detail.state };
  }
  if (source === 'aws.tag') {
    const parsed = TagChangeSchema.safeParse(value);
    if (!parsed.success) throw new MalformedEventError(`malformed tag-change event: ${summary(parsed.error)}`);
    const { detail, id, resources } = parsed.data;
    const instanceId = (resources[0] ?? '').replace(/^.*\//, '');
    return { kind: 'tag', id, instanceId, changedKeys: detail['changed-tag-keys'], tags: detail.tags };
  }
  throw new MalformedEventError(
    `unexpected event source ${JSON.stringify(source ?? null)}; expected aws.ec2 or aws.tag`,
  );
}
