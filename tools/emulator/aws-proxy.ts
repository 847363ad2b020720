import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { endToEndHeaders, readBody, request } from './http.js';

/** Which AWS API a request is for, as far as the emulator cares. */
export type Service = 'route53' | 'ec2' | 'route53resolver' | 'sts' | 'other';

/** One request as the proxy received it, given to the interceptor and to the Route 53 rules. */
export interface RequestContext {
  service: Service;
  /**
   * API action: Route 53's operation name (`ListResourceRecordSets`), the Resolver's from `X-Amz-Target`
   * (`CreateResolverRule`), else the query `Action` (`DescribeInstances`).
   */
  action: string;
  method: string;
  /** Path without the query string, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** Request body as text (XML for Route 53, JSON for the Resolver, a form for EC2). */
  body: string;
}

/** A response the proxy sends itself instead of moto's. `content-type` defaults to `text/xml`. */
export interface CannedResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** Destroy the connection instead of answering: the client sees a connection reset (status and body unused). */
  destroy?: boolean;
}

/**
 * Runs before a request reaches moto (and before the Route 53 rules take their lock, so it may itself call the
 * emulator, e.g. to make a conflicting write; such calls pass through the interceptor too). Return a response to
 * answer with it instead, or undefined to let the request proceed.
 */
export type BeforeForward = (ctx: RequestContext) => Promise<CannedResponse | undefined> | CannedResponse | undefined;

/** The test's handle on the proxy: fault injection and call counting. */
export interface ProxyControl {
  /** The interceptor, unset by default; assign to inject faults. */
  beforeForward: BeforeForward | undefined;
  /** Calls received for an action (intercepted ones included), e.g. `count('ChangeResourceRecordSets')`. */
  count(action: string): number;
  /** Snapshot of all counters. */
  counts(): Record<string, number>;
  resetCounts(): void;
}

/** Answers a request itself, or returns undefined to have it forwarded to moto unchanged. */
export type RequestHandler = (ctx: RequestContext) => Promise<CannedResponse | undefined>;

/** A running proxy. */
export interface AwsProxy {
  url: string;
  control: ProxyControl;
  close(): Promise<void>;
}

// Route 53 is REST: the operation is in the method and path (after /2013-04-01).
const ROUTE53_ACTIONS: [method: string, path: RegExp, action: string][] = [
  ['POST', /^\/hostedzone\/[^/]+\/rrset\/?$/, 'ChangeResourceRecordSets'],
  ['GET', /^\/hostedzone\/[^/]+\/rrset\/?$/, 'ListResourceRecordSets'],
  ['POST', /^\/hostedzone\/?$/, 'CreateHostedZone'],
  ['GET', /^\/hostedzone\/?$/, 'ListHostedZones'],
  ['GET', /^\/hostedzone\/[^/]+$/, 'GetHostedZone'],
  ['POST', /^\/hostedzone\/[^/]+\/associatevpc\/?$/, 'AssociateVPCWithHostedZone'],
  ['POST', /^\/hostedzone\/[^/]+\/disassociatevpc\/?$/, 'DisassociateVPCFromHostedZone'],
  ['DELETE', /^\/hostedzone\/[^/]+$/, 'DeleteHostedZone'],
  ['POST', /^\/hostedzone\/[^/]+$/, 'UpdateHostedZoneComment'],
  ['GET', /^\/hostedzonesbyname\/?$/, 'ListHostedZonesByName'],
  ['GET', /^\/hostedzonecount\/?$/, 'GetHostedZoneCount'],
  ['GET', /^\/change\/[^/]+$/, 'GetChange'],
];

function serviceOf(headers: Record<string, string>, path: string): Service {
  // SigV4 names the service in the credential scope: Credential=AKID/20260101/us-east-1/route53/aws4_request.
  const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(headers.authorization ?? '');
  const name = scope?.[1] ?? (path.startsWith('/2013-04-01/') ? 'route53' : undefined);
  return name === 'route53' || name === 'ec2' || name === 'route53resolver' || name === 'sts' ? name : 'other';
}

function actionOf(
  service: Service,
  headers: Record<string, string>,
  { method, path, query, body }: { method: string; path: string; query: URLSearchParams; body: string },
): string {
  // JSON protocol: `X-Amz-Target: Route53Resolver.CreateResolverRule`.
  if (service === 'route53resolver') return (headers['x-amz-target'] ?? '').replace(/^[^.]*\./, '');
  if (service === 'route53') {
    const rest = path.replace(/^\/2013-04-01/, '');
    return ROUTE53_ACTIONS.find(([m, p]) => m === method && p.test(rest))?.[2] ?? `Unknown:${method} ${rest}`;
  }
  const form = new URLSearchParams(body);
  return form.get('Action') ?? query.get('Action') ?? '';
}

/**
 * Starts an HTTP proxy on a free loopback port that forwards every request to `targetUrl` unchanged, except those
 * the interceptor or `handler` answer. Counts calls per action.
 */
export async function startAwsProxy(targetUrl: string, handler: RequestHandler): Promise<AwsProxy> {
  const counters = new Map<string, number>();
  const control: ProxyControl = {
    beforeForward: undefined,
    count: (action) => counters.get(action) ?? 0,
    counts: () => Object.fromEntries(counters),
    resetCounts: () => counters.clear(),
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the emulator must surface as a failing call, not a hung one.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`emulator proxy error: ${error instanceof Error ? error.stack : String(error)}`);
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const target = new URL(req.url ?? '/', 'http://proxy.invalid');
    const method = req.method ?? 'GET';
    const headers = endToEndHeaders(req.headers);
    const body = rawBody.toString();
    const service = serviceOf(headers, target.pathname);
    const action = actionOf(service, headers, { method, path: target.pathname, query: target.searchParams, body });
    const ctx: RequestContext = {
      service,
      action,
      method,
      path: target.pathname,
      query: target.searchParams,
      headers,
      body,
    };
    counters.set(action, (counters.get(action) ?? 0) + 1);

    const canned = (await control.beforeForward?.(ctx)) ?? (await handler(ctx));
    if (canned?.destroy === true) {
      req.socket.destroy();
      return;
    }
    if (canned) {
      res.writeHead(canned.status, {
        'content-type': 'text/xml',
        'x-amzn-requestid': randomUUID(),
        // Lower-cased so a test's `Content-Type` replaces the default instead of being sent beside it.
        ...Object.fromEntries(Object.entries(canned.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
        'content-length': String(Buffer.byteLength(canned.body)),
      });
      res.end(canned.body);
      return;
    }
    // Body forwarded as received (bytes, not the decoded text); moto does not check signatures.
    const { host: _host, ...forwardHeaders } = headers;
    const upstream = await request(`${targetUrl}${req.url ?? '/'}`, { method, headers: forwardHeaders, body: rawBody });
    res.writeHead(upstream.status, { ...upstream.headers, 'content-length': String(upstream.body.length) });
    res.end(upstream.body);
  }

  // Port 0: the OS picks a free port atomically with the bind.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}
