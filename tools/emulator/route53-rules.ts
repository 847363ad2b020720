/**
 * Route 53's record rules as a request handler for the proxy (aws-proxy.ts): ChangeResourceRecordSets is checked
 * against the zone as moto lists it and, when Route 53 would accept it, sent to moto in the one form moto applies
 * faithfully; ListResourceRecordSets is answered from moto's record sets in Route 53's order and paging. Both run
 * under one lock, so a batch is checked against, and applied to, a state no other batch is changing. The rules
 * themselves are pure functions in route53-batch.ts. Every call to moto carries the caller's identity (identity.ts),
 * so the zones read and written are those of the caller's account.
 */
import type { CannedResponse, RequestContext, RequestHandler } from './aws-proxy.js';
import { type BufferedResponse, request } from './http.js';
import { callerHeaders } from './identity.js';
import { Mutex } from './mutex.js';
import { MAX_RECORDS_PER_REQUEST, pageOf, recordCount, simulateBatch } from './route53-batch.js';
import { invalidChangeBatchError } from './route53-errors.js';
import {
  type Change,
  changeInfoBody,
  hostedZoneName,
  normaliseName,
  parseChangeBatch,
  parseListPage,
  type RecordSet,
  renderChangeBatch,
  renderListPage,
} from './route53-xml.js';

const LIST_MAX_ITEMS = 300;
// The change id moto returns for every change (its GetChange answers INSYNC for any id).
const MOTO_CHANGE_ID = '/change/C2682N5HXP0BZ4';

function asCanned(res: BufferedResponse): CannedResponse {
  return { status: res.status, body: res.body.toString(), headers: res.headers };
}

/** `/2013-04-01/hostedzone/{Id}/rrset` → the bare zone id; callers may send `Z123` or `/hostedzone/Z123`. */
function zoneIdOf(path: string): string | undefined {
  const match = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(path);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]).replace(/^\/?hostedzone\//, '');
}

/** The request handler that applies Route 53's rules to record set reads and writes, on top of moto at `motoUrl`. */
export function route53Rules(motoUrl: string): RequestHandler {
  // One lock for all zones: every batch is checked against, and applied to, a state no other batch is changing.
  const lock = new Mutex();
  /** A request to moto's Route 53 API, as the caller of `ctx`. */
  const moto = (ctx: RequestContext, method: string, path: string, body?: string) =>
    request(`${motoUrl}/2013-04-01${path}`, {
      method,
      headers: { ...callerHeaders(ctx.headers, 'route53'), 'content-type': 'application/xml' },
      ...(body === undefined ? {} : { body }),
    });

  /** Every record set of the zone, or moto's error response. */
  async function listAll(ctx: RequestContext, zoneId: string): Promise<RecordSet[] | BufferedResponse> {
    const sets: RecordSet[] = [];
    let query = 'maxitems=1000';
    for (;;) {
      const res = await moto(ctx, 'GET', `/hostedzone/${zoneId}/rrset?${query}`);
      if (res.status !== 200) return res;
      const { sets: page, next } = parseListPage(res.body.toString());
      sets.push(...page);
      if (next === undefined) return sets;
      // moto pages in its own order; following its own markers is consistent with it.
      query = new URLSearchParams({
        maxitems: '1000',
        name: next.name,
        ...(next.type ? { type: next.type } : {}),
      }).toString();
    }
  }

  async function changeRecordSets(zoneId: string, ctx: RequestContext): Promise<CannedResponse | undefined> {
    const batch = parseChangeBatch(ctx.body);
    if (batch === undefined) return undefined; // Malformed: moto's own validation answers.
    const zone = await moto(ctx, 'GET', `/hostedzone/${zoneId}`);
    if (zone.status !== 200) return asCanned(zone);
    const current = await listAll(ctx, zoneId);
    if (!Array.isArray(current)) return asCanned(current);
    const outcome = simulateBatch(hostedZoneName(zone.body.toString()) ?? '', current, batch.changes);
    if (!outcome.ok) return invalidChangeBatchError(outcome.messages);
    if (outcome.netChanges.length === 0) return { status: 200, body: changeInfoBody(MOTO_CHANGE_ID) };
    // CREATEs became UPSERTs, which moto counts twice against its 1,000-record check: send in requests under it.
    let last: BufferedResponse | undefined;
    for (const part of withinRecordLimit(outcome.netChanges)) {
      last = await moto(ctx, 'POST', `/hostedzone/${zoneId}/rrset`, renderChangeBatch(part, batch.comment));
      if (last.status !== 200) return asCanned(last);
    }
    return last && asCanned(last);
  }

  async function listRecordSets(zoneId: string, ctx: RequestContext): Promise<CannedResponse | undefined> {
    const name = ctx.query.get('name');
    const type = ctx.query.get('type') ?? undefined;
    if (type !== undefined && name === null) return undefined; // Route 53 rejects a type without a name; so does moto.
    const requested = Number(ctx.query.get('maxitems') ?? LIST_MAX_ITEMS);
    const maxItems =
      Number.isInteger(requested) && requested > 0 ? Math.min(requested, LIST_MAX_ITEMS) : LIST_MAX_ITEMS;
    const all = await listAll(ctx, zoneId);
    if (!Array.isArray(all)) return asCanned(all);
    const start =
      name === null
        ? undefined
        : { name: normaliseName(name), type, identifier: ctx.query.get('identifier') ?? undefined };
    const { page, next } = pageOf(all, start, maxItems);
    return { status: 200, body: renderListPage(page, next, maxItems) };
  }

  return async (ctx) => {
    const zoneId = ctx.service === 'route53' ? zoneIdOf(ctx.path) : undefined;
    if (zoneId === undefined) return undefined;
    if (ctx.action === 'ChangeResourceRecordSets') return lock.run(() => changeRecordSets(zoneId, ctx));
    if (ctx.action === 'ListResourceRecordSets') return lock.run(() => listRecordSets(zoneId, ctx));
    return undefined;
  };
}

function* withinRecordLimit(changes: readonly Change[]): Generator<Change[]> {
  let part: Change[] = [];
  for (const change of changes) {
    if (part.length > 0 && recordCount([...part, change]) > MAX_RECORDS_PER_REQUEST) {
      yield part;
      part = [];
    }
    part.push(change);
  }
  if (part.length > 0) yield part;
}
