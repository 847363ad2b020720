/**
 * The servers `verify` asks, and the asking: the parent zone's authoritative servers (the hosted zone's delegation
 * set, or --server), resolvers inside the VPC (--resolver, asked recursively) and each running member's own DNS
 * server. Servers are asked in parallel, a server's questions
 * one after another.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { GetHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { UsageError } from '../args.js';
import { type DnsServer, queryDns, serverText } from '../dns/client.js';
import type { DnsMessage } from '../dns/message.js';
import type { Verdict } from './checks.js';

export interface Question {
  readonly name: string;
  readonly type: string;
  readonly judge: (m: DnsMessage) => Verdict;
  /** Ask with recursion desired (a resolver); authoritative servers are asked without. */
  readonly recursive?: boolean;
}

/** A server to ask, by name or address; `host` is resolved when asked. */
export interface Target {
  readonly role: 'parent' | 'resolver' | 'node';
  /** How the table names it: `ns-2048.awsdns-64.com`, `ns1 i-0abc…`. */
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly questions: readonly Question[];
}

export interface CheckResult extends Verdict {
  readonly question: string;
  readonly transport?: 'udp' | 'tcp';
  readonly latencyMs?: number;
}

export interface ServerResult {
  readonly role: Target['role'];
  readonly label: string;
  /** `address:port`, once the host is resolved. */
  readonly server?: string;
  readonly pass: boolean;
  readonly checks: readonly CheckResult[];
}

/** `HOST`, `HOST:PORT`, `[V6]:PORT` or a bare IPv6 address. */
export function parseServer(value: string, defaultPort = 53, flag = 'server'): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const hostPort = /^([^:]+):(\d+)$/.exec(value);
  const [host, port] = bracketed
    ? [bracketed[1], bracketed[2]]
    : hostPort
      ? [hostPort[1], hostPort[2]]
      : [value, undefined];
  const number = port === undefined ? defaultPort : Number(port);
  if (host === undefined || host === '' || !Number.isInteger(number) || number < 1 || number > 65535) {
    throw new UsageError(`--${flag} must be HOST, HOST:PORT or [IPv6]:PORT, got ${JSON.stringify(value)}`, 'verify');
  }
  return { host, port: number };
}

/** The hosted zone's own name servers: where resolvers ask about the cluster's name. */
export async function delegationSet(route53: Route53Client, zoneId: string): Promise<string[]> {
  const out = await route53.send(new GetHostedZoneCommand({ Id: zoneId }));
  return out.DelegationSet?.NameServers ?? [];
}

async function resolve(host: string, timeoutMs: number): Promise<string> {
  if (net.isIP(host) !== 0) return host;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no address within ${timeoutMs} ms`)), timeoutMs);
  });
  const addresses = await Promise.race([lookup(host, { all: true }), late]).finally(() => clearTimeout(timer));
  const chosen = addresses.find((a) => a.family === 4) ?? addresses[0];
  if (chosen === undefined) throw new Error(`${host} has no address`);
  return chosen.address;
}

async function ask(server: DnsServer, q: Question, timeoutMs: number): Promise<CheckResult> {
  const question = `${q.name} ${q.type}`;
  try {
    const answer = await queryDns(server, q.name, q.type, timeoutMs, { recursive: q.recursive === true });
    const verdict = q.judge(answer.message);
    return { question, ...verdict, transport: answer.transport, latencyMs: Math.round(answer.latencyMs * 10) / 10 };
  } catch (error) {
    return { question, pass: false, answer: 'no answer', reason: (error as Error).message };
  }
}

/** Asks one target every question; a host that does not resolve fails them all, saying so. */
export async function probe(target: Target, timeoutMs: number): Promise<ServerResult> {
  const { role, label } = target;
  let host: string;
  try {
    host = await resolve(target.host, timeoutMs);
  } catch (error) {
    const reason = `cannot resolve ${target.host}: ${(error as { code?: string }).code ?? (error as Error).message}`;
    const checks = target.questions.map((q) => ({ question: `${q.name} ${q.type}`, pass: false, answer: '-', reason }));
    return { role, label, pass: false, checks };
  }
  const server = { host, port: target.port };
  const checks: CheckResult[] = [];
  for (const q of target.questions) {
    // A server that did not answer once is not asked again: a dead node costs one timeout, not one per question.
    const silent = checks.find((c) => c.answer === 'no answer');
    const skipped = {
      question: `${q.name} ${q.type}`,
      pass: false,
      answer: 'not asked',
      reason: 'no answer to the first question',
    };
    checks.push(silent === undefined ? await ask(server, q, timeoutMs) : skipped);
  }
  return { role, label, server: serverText(server), pass: checks.every((c) => c.pass), checks };
}
