/**
 * Listing as the Resolver serves it: filters by name and values, then pages of `MaxResults` (1–100, default 100)
 * chained by an opaque `NextToken`. moto pages by 10 by default and sorts by name (failing when a name is missing),
 * so the layer lists everything from moto and pages itself.
 */
import { type Checked, fqdn } from './resolver-check.js';
import { resolverError, validationError } from './resolver-errors.js';
import type { Json } from './resolver-moto.js';

const DEFAULT_PAGE = 100;

/** The rule members ListResolverRules filters on, by filter name in both spellings the API accepts. */
const RULE_FILTERS: Record<string, string> = {
  CreatorRequestId: 'CreatorRequestId',
  DomainName: 'DomainName',
  Name: 'Name',
  ResolverEndpointId: 'ResolverEndpointId',
  Status: 'Status',
  Type: 'RuleType',
};
const UPPER_SNAKE = (name: string) => name.replace(/(?<!^)(?=[A-Z])/g, '_').toUpperCase();
const RULE_FILTER_BY_NAME = new Map(
  Object.entries(RULE_FILTERS).flatMap(([name, member]) => [
    [name, member],
    [UPPER_SNAKE(name), member],
  ]),
);

/** The rules that match every filter; an unknown filter or one without values is refused as moto and AWS do. */
export function filterRules(rules: readonly Json[], filters: unknown): Checked<Json[]> {
  const list = Array.isArray(filters) ? (filters as Json[]) : [];
  const tests: ((rule: Json) => boolean)[] = [];
  for (const filter of list) {
    const member = RULE_FILTER_BY_NAME.get(String(filter.Name));
    if (member === undefined) {
      return {
        ok: false,
        error: resolverError('InvalidParameterException', `The filter '${String(filter.Name)}' is invalid`),
      };
    }
    if (!Array.isArray(filter.Values)) {
      return {
        ok: false,
        error: resolverError('InvalidParameterException', `No values specified for filter ${String(filter.Name)}`),
      };
    }
    const values = new Set((filter.Values as unknown[]).map(String));
    tests.push((rule) => {
      const value = rule[member];
      // DomainName values are written with their trailing dot ("example.com."), as rules are read back.
      return typeof value === 'string' && (values.has(value) || (member === 'DomainName' && values.has(fqdn(value))));
    });
  }
  return { ok: true, value: rules.filter((rule) => tests.every((test) => test(rule))) };
}

/** One page of `items` after the item the token names. */
export function pageOf(
  items: readonly Json[],
  request: Json,
  idOf: (item: Json) => string,
): Checked<{ page: Json[]; next: string | undefined; maxResults: number }> {
  const { MaxResults, NextToken } = request;
  const maxResults = MaxResults === undefined ? DEFAULT_PAGE : MaxResults;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    return { ok: false, error: validationError('maxResults', maxResults, 'have value less than or equal to 100') };
  }
  let start = 0;
  if (NextToken !== undefined) {
    const after = typeof NextToken === 'string' ? decodeToken(NextToken) : undefined;
    const index = after === undefined ? -1 : items.findIndex((item) => idOf(item) === after);
    if (index < 0) {
      return {
        ok: false,
        error: resolverError('InvalidNextTokenException', 'Invalid value passed for the NextToken parameter'),
      };
    }
    start = index + 1;
  }
  const page = items.slice(start, start + maxResults);
  const last = page.at(-1);
  const next = start + maxResults < items.length && last !== undefined ? encodeToken(idOf(last)) : undefined;
  return { ok: true, value: { page, next, maxResults } };
}

const encodeToken = (id: string) => Buffer.from(JSON.stringify({ after: id })).toString('base64url');

function decodeToken(token: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString());
    const after = (parsed as { after?: unknown } | null)?.after;
    return typeof after === 'string' ? after : undefined;
  } catch {
    return undefined;
  }
}
