/** Small Route 53 helpers for tests, the demo and the bench: building changes, creating a zone, reading it back. */
import {
  type Change,
  type ChangeAction,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';

/** A plain record set: `recordSet('ns1.c1.example.com', 'A', 60, ['10.0.0.1'])`. */
export function recordSet(name: string, type: RRType, ttl: number, values: readonly string[]): ResourceRecordSet {
  return { Name: name, Type: type, TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) };
}

/** One change: `change('CREATE', 'ns1.c1.example.com', 'A', 60, ['10.0.0.1'])`. */
export function change(
  action: ChangeAction,
  name: string,
  type: RRType,
  ttl: number,
  values: readonly string[],
): Change {
  return { Action: action, ResourceRecordSet: recordSet(name, type, ttl, values) };
}

/** An alias record to another record of the same zone: `aliasChange('CREATE', 'ns1.c1.example.com', zoneId, 'www.example.com')`. */
export function aliasChange(
  action: ChangeAction,
  name: string,
  zoneId: string,
  target: string,
  type: RRType = 'A',
): Change {
  return {
    Action: action,
    ResourceRecordSet: {
      Name: name,
      Type: type,
      AliasTarget: { HostedZoneId: zoneId.replace('/hostedzone/', ''), DNSName: target, EvaluateTargetHealth: false },
    },
  };
}

/** A weighted record (a routing policy): `weightedChange('CREATE', 'ns1.c1.example.com', 'blue', ['192.0.2.1'])`. */
export function weightedChange(
  action: ChangeAction,
  name: string,
  setIdentifier: string,
  values: readonly string[],
): Change {
  return {
    Action: action,
    ResourceRecordSet: { ...recordSet(name, 'A', 60, values), SetIdentifier: setIdentifier, Weight: 10 },
  };
}

/** Creates a public hosted zone and returns its Id as Route 53 gives it (`/hostedzone/Z…`). */
export async function createZone(route53: Route53Client, name = 'example.com'): Promise<string> {
  const { HostedZone } = await route53.send(
    new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${Date.now()}-${Math.random()}` }),
  );
  if (!HostedZone?.Id) throw new Error('CreateHostedZone returned no Id');
  return HostedZone.Id;
}

/** Sends one change batch. */
export async function changeBatch(route53: Route53Client, zoneId: string, changes: Change[]): Promise<void> {
  await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
}

/** Every record set of the zone, following ListResourceRecordSets pages. */
export async function listAll(route53: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const sets: ResourceRecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: RRType } = {};
  for (;;) {
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...start }));
    sets.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) return sets;
    start = {
      ...(page.NextRecordName === undefined ? {} : { StartRecordName: page.NextRecordName }),
      ...(page.NextRecordType === undefined ? {} : { StartRecordType: page.NextRecordType }),
    };
  }
}

/** Record sets as compact lines, `ns1.c1.example.com. A 60 10.0.0.1`, values sorted, for readable assertions. */
export function summary(sets: readonly ResourceRecordSet[]): string[] {
  return sets.map((set) => {
    const values = (set.ResourceRecords ?? []).map((record) => record.Value ?? '').sort();
    return [set.Name, set.Type, set.TTL, ...values].join(' ');
  });
}

/** The zone's record sets other than the apex NS and SOA Route 53 creates with it, as {@link summary} lines. */
export async function records(route53: Route53Client, zoneId: string): Promise<string[]> {
  const sets = await listAll(route53, zoneId);
  return summary(sets.filter((set) => set.Type !== 'SOA' && !(set.Type === 'NS' && set.Name === apexOf(sets))));
}

function apexOf(sets: readonly ResourceRecordSet[]): string | undefined {
  return sets.find((set) => set.Type === 'SOA')?.Name;
}
