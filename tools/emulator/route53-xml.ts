import { element, inner, innerAll, textOf } from './xml.js';

const ROUTE53_NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** A record set as read from moto or from a change: the fields Route 53's rules look at, plus its raw XML. */
export interface RecordSet {
  /** Lower case, with the trailing dot: Route 53 compares names case-insensitively, always fully qualified. */
  name: string;
  type: string;
  setIdentifier: string | undefined;
  ttl: number | undefined;
  values: string[];
  /** AliasTarget as a comparable string (`zone|dnsname|evaluate`), undefined for a plain record set. */
  alias: string | undefined;
  /** Inner XML of its `<ResourceRecordSet>` element, re-emitted unchanged (keeps fields we do not model). */
  xml: string;
}

/** Route 53's change actions. */
export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

/** One change of a batch. */
export interface Change {
  action: ChangeAction;
  set: RecordSet;
}

/** A page boundary of ListResourceRecordSets (StartRecordName/Type/Identifier, NextRecordName/Type/Identifier). */
export interface RecordKey {
  name: string;
  type: string | undefined;
  identifier: string | undefined;
}

/** Lower case, trailing dot: `C1.Example.com` → `c1.example.com.`. */
export function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

// moto 5.2.5 lists the zone's SOA value as a Python dict repr, `{'Value': 'ns-… hostmaster… 1 7200 900 1209600 86400'}`.
const MOTO_SOA_VALUE = /<Value>\{'Value': '([^']*)'\}<\/Value>/g;

/** Parses the inner XML of a `<ResourceRecordSet>`; undefined when Name or Type is missing. */
export function parseRecordSet(rawXml: string): RecordSet | undefined {
  const name = textOf(rawXml, 'Name');
  const type = textOf(rawXml, 'Type');
  if (name === undefined || type === undefined) return undefined;
  const normalised = normaliseName(name);
  const xml = rawXml
    .replace(/<Name>[\s\S]*?<\/Name>/, element('Name', normalised))
    .replace(MOTO_SOA_VALUE, '<Value>$1</Value>');
  const ttl = textOf(xml, 'TTL');
  const aliasXml = inner(xml, 'AliasTarget');
  return {
    name: normalised,
    type,
    setIdentifier: textOf(xml, 'SetIdentifier'),
    ttl: ttl === undefined ? undefined : Number(ttl),
    values: innerAll(inner(xml, 'ResourceRecords') ?? '', 'ResourceRecord').map(
      (record) => textOf(record, 'Value') ?? '',
    ),
    alias:
      aliasXml === undefined
        ? undefined
        : [
            textOf(aliasXml, 'HostedZoneId'),
            normaliseName(textOf(aliasXml, 'DNSName') ?? ''),
            textOf(aliasXml, 'EvaluateTargetHealth'),
          ].join('|'),
    xml,
  };
}

/**
 * Parses a ChangeResourceRecordSets request body. Undefined when it is not one we can reason about (unknown action,
 * missing name or type): the caller then lets moto answer it.
 */
export function parseChangeBatch(xml: string): { changes: Change[]; comment: string | undefined } | undefined {
  const changes: Change[] = [];
  for (const changeXml of innerAll(xml, 'Change')) {
    const action = textOf(changeXml, 'Action');
    const set = parseRecordSet(inner(changeXml, 'ResourceRecordSet') ?? '');
    if (set === undefined || (action !== 'CREATE' && action !== 'DELETE' && action !== 'UPSERT')) return undefined;
    changes.push({ action, set });
  }
  return { changes, comment: textOf(xml, 'Comment') };
}

/** Renders a ChangeResourceRecordSets request body. */
export function renderChangeBatch(changes: readonly Change[], comment: string | undefined): string {
  const list = changes
    .map(
      ({ action, set }) =>
        `<Change>${element('Action', action)}<ResourceRecordSet>${set.xml}</ResourceRecordSet></Change>`,
    )
    .join('');
  const commentXml = comment === undefined ? '' : element('Comment', comment);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsRequest xmlns="${ROUTE53_NS}"><ChangeBatch>` +
    `${commentXml}<Changes>${list}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`
  );
}

/** Parses one ListResourceRecordSets page; `next` is where the following page starts, undefined on the last. */
export function parseListPage(xml: string): { sets: RecordSet[]; next: RecordKey | undefined } {
  const sets = innerAll(xml, 'ResourceRecordSet')
    .map(parseRecordSet)
    .filter((set) => set !== undefined);
  const nextName = textOf(xml, 'NextRecordName');
  const next =
    textOf(xml, 'IsTruncated') === 'true' && nextName !== undefined
      ? { name: nextName, type: textOf(xml, 'NextRecordType'), identifier: textOf(xml, 'NextRecordIdentifier') }
      : undefined;
  return { sets, next };
}

/** Renders a ListResourceRecordSets response the way Route 53 does. */
export function renderListPage(sets: readonly RecordSet[], next: RecordKey | undefined, maxItems: number): string {
  const body = sets.map((set) => `<ResourceRecordSet>${set.xml}</ResourceRecordSet>`).join('');
  const nextXml =
    next === undefined
      ? ''
      : element('NextRecordName', next.name) +
        (next.type === undefined ? '' : element('NextRecordType', next.type)) +
        (next.identifier === undefined ? '' : element('NextRecordIdentifier', next.identifier));
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListResourceRecordSetsResponse xmlns="${ROUTE53_NS}">` +
    `<ResourceRecordSets>${body}</ResourceRecordSets>${element('IsTruncated', String(next !== undefined))}` +
    `${nextXml}${element('MaxItems', String(maxItems))}</ListResourceRecordSetsResponse>`
  );
}

/** The success answer to ChangeResourceRecordSets, for a batch that changes nothing (moto is not called). */
export function changeInfoBody(changeId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsResponse xmlns="${ROUTE53_NS}"><ChangeInfo>` +
    `${element('Id', changeId)}<Status>INSYNC</Status>${element('SubmittedAt', new Date().toISOString())}` +
    `</ChangeInfo></ChangeResourceRecordSetsResponse>`
  );
}

/** The zone's name (`example.com.`) from a GetHostedZone response. */
export function hostedZoneName(getHostedZoneXml: string): string | undefined {
  const name = textOf(inner(getHostedZoneXml, 'HostedZone') ?? '', 'Name');
  return name === undefined ? undefined : normaliseName(name);
}
