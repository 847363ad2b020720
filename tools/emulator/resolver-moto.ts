/** moto's Resolver API (JSON protocol), as the Resolver layer calls it: one action, or every page of a list. */
import type { CannedResponse } from './aws-proxy.js';
import { type BufferedResponse, request } from './http.js';

// moto routes by the service named in the signature's credential scope; it does not check the signature itself.
const MOTO_AUTH =
  'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/route53resolver/aws4_request, SignedHeaders=host, Signature=0';
// moto's own page size cap.
const MOTO_PAGE = 100;

export type Json = Record<string, unknown>;

/** One answer from moto: its status, its body as JSON (`{}` when not JSON), and the response as is. */
export interface MotoAnswer {
  readonly status: number;
  readonly json: Json;
  readonly response: BufferedResponse;
}

export function asCanned(answer: MotoAnswer): CannedResponse {
  return { status: answer.status, body: answer.response.body.toString(), headers: answer.response.headers };
}

export interface MotoResolver {
  call(action: string, body: Json): Promise<MotoAnswer>;
  /** Every item of a list action (`ListResolverRules` → `ResolverRules`), or moto's error answer. */
  listAll(action: string, key: string, body?: Json): Promise<Json[] | MotoAnswer>;
}

export function motoResolver(motoUrl: string): MotoResolver {
  async function call(action: string, body: Json): Promise<MotoAnswer> {
    const response = await request(`${motoUrl}/`, {
      method: 'POST',
      headers: {
        authorization: MOTO_AUTH,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `Route53Resolver.${action}`,
      },
      body: JSON.stringify(body),
    });
    let json: Json = {};
    try {
      const parsed: unknown = JSON.parse(response.body.toString());
      if (typeof parsed === 'object' && parsed !== null) json = parsed as Json;
    } catch {
      // An HTML error page (a Python exception in moto): the status says enough.
    }
    return { status: response.status, json, response };
  }

  async function listAll(action: string, key: string, body: Json = {}): Promise<Json[] | MotoAnswer> {
    const items: Json[] = [];
    let token: unknown;
    do {
      const answer = await call(action, { ...body, MaxResults: MOTO_PAGE, ...(token ? { NextToken: token } : {}) });
      if (answer.status !== 200) return answer;
      const page = answer.json[key];
      if (Array.isArray(page)) items.push(...(page as Json[]));
      token = answer.json.NextToken;
    } while (token);
    return items;
  }

  return { call, listAll };
}
