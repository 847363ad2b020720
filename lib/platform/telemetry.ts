/**
 * What the loop needs from logging and metrics: the parts of Powertools' Logger and Metrics it calls, so tests and
 * the CLI can hand in their own.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';

export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
export type MetricSink = Pick<Metrics, 'addMetric'>;

export interface Telemetry {
  readonly log: Log;
  readonly metrics: MetricSink;
}

/** Metric names, in one place so dashboards and tests agree. */
export const METRIC = {
  recordsChanged: 'RecordsChanged',
  changeBatches: 'ChangeBatches',
  conflicts: 'Conflicts',
  clustersRefused: 'ClustersRefused',
  clustersElsewhere: 'ClustersOwnedElsewhere',
  clustersFailed: 'ClustersFailed',
  /** Clusters an invocation had no time left for; their events come back. */
  clustersDeferred: 'ClustersDeferred',
  /** AWS refused a call in a way retrying cannot fix (access denied, expired credentials, no such zone): alarmed. */
  awsPermanentErrors: 'AwsPermanentErrors',
  tagsRefused: 'TagsRefused',
  membersUnpublished: 'MembersUnpublished',
  malformedEvents: 'MalformedEvents',
  /** Well-formed events of a kind we do not act on (another source, a tag change on a volume): not a problem. */
  eventsIgnored: 'EventsIgnored',
  eventsRetried: 'EventsRetried',
  instancesUnknown: 'InstancesUnknown',
  /** Route 53 attempts answered `Throttling`: the container lowered its pacing (the SDK retried them). */
  route53Throttled: 'Route53Throttled',
  resolverThrottled: 'ResolverThrottled',
} as const;
