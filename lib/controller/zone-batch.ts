/**
 * One zone's writes in a round: every placement's compare-and-swap goes in one ChangeResourceRecordSets request (as
 * few as fit Route 53's limits, never cutting a placement's part). Route 53 applies a request whole, so a request
 * that one placement spoils carries none of the others: they are sent again at once, without it.
 *
 * | Route 53's answer                                  | parts it names              | the others        |
 * |----------------------------------------------------|-----------------------------|-------------------|
 * | accepted                                           | –                           | written           |
 * | InvalidChangeBatch, every reason tied to a part    | conflict (re-read, re-plan) | sent again at once |
 * |   … a part named by a non-conflict reason          | refused                     | sent again at once |
 * | InvalidChangeBatch, a conflict not tied to a part  | every part: conflict (safe) | –                 |
 * | any other permanent rejection, or one not tied     | halves sent apart until the offending part is alone: refused |
 * | a transient error (throttling, network)            | every part: failed          | –                 |
 *
 * A part is tied to a reason by the record name Route 53 quotes (`[name='ns1.c1.example.com.', type='A']`,
 * `RRSet with DNS name c1.example.com. is not permitted …`). A placement too large for one request has several
 * parts (lib/provider/batches.ts's safe order): part n + 1 goes, in the next request, only once part n is written.
 */
import { canonicalName } from '../plan/names.js';
import type { Change } from '../plan/records.js';
import { type DeferredError, isPermanent, type PermanentError } from '../platform/errors.js';
import { packParts, type RequestLimits } from '../provider/batches.js';
import { ChangeBatchRejected, ConflictDetected, isConflictReason } from '../provider/route53.js';

/** One request's worth of one placement's changes. */
export interface Part {
  readonly key: string;
  /** Names it in the request's comment: the cluster, and `(2/3)` for a placement in several parts. */
  readonly label: string;
  readonly changes: readonly Change[];
}

export type PartResult =
  | { readonly kind: 'written'; readonly changeId: string | undefined }
  | { readonly kind: 'conflict'; readonly reasons: readonly string[] }
  | { readonly kind: 'refused'; readonly error: PermanentError }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'deferred'; readonly error: DeferredError };

/** How one zone's requests are sent. */
export interface ZoneSender {
  /** Sends one request (sendChangeBatch on the zone); returns its change id. */
  send(changes: readonly Change[], labels: readonly string[]): Promise<string | undefined>;
  readonly limits: RequestLimits;
  /** Undefined when a request may start; else why not (the invocation is short of time). */
  deferral(): DeferredError | undefined;
  /** Called for every request Route 53 accepted. */
  accepted(parts: readonly Part[], changeId: string | undefined): void;
}

/** What a failed request says about each of its parts, or that it must be cut in halves to tell. */
type Diagnosis = { readonly bisect: true } | { readonly bisect: false; readonly results: Map<string, PartResult> };

// `[name='ns1.c1.example.com.', type='A']`, and `DNS name ns1.c1.example.com. is …` (a name has a dot: not `DNS name in`).
const quoted = [/\bname='([^']+)'/gi, /\bDNS name (\S*\.\S*)/gi];

/** The record names a reason of Route 53's quotes, canonical. */
export function namesIn(reason: string): string[] {
  return quoted.flatMap((pattern) => [...reason.matchAll(pattern)].map((m) => canonicalName(m[1] ?? '')));
}

/** The parts each reason names (by the names of their records); a reason naming none is not tied. */
export function tieReasons(reasons: readonly string[], parts: readonly Part[]): Map<string, string[]> | undefined {
  const owners = new Map<string, string[]>();
  for (const part of parts) {
    for (const change of part.changes) {
      const name = canonicalName(change.record.name);
      owners.set(name, [...new Set([...(owners.get(name) ?? []), part.key])]);
    }
  }
  const byPart = new Map<string, string[]>();
  for (const reason of reasons) {
    const keys = [...new Set(namesIn(reason).flatMap((name) => owners.get(name) ?? []))];
    if (keys.length === 0) return undefined;
    for (const key of keys) byPart.set(key, [...(byPart.get(key) ?? []), reason]);
  }
  return byPart;
}

function diagnose(error: unknown, parts: readonly Part[]): Diagnosis {
  const alone = parts.length === 1;
  if (error instanceof ConflictDetected || error instanceof ChangeBatchRejected) {
    const byPart = tieReasons(error.messages, parts);
    if (byPart === undefined) {
      if (error instanceof ConflictDetected) {
        return { bisect: false, results: each(parts, { kind: 'conflict', reasons: error.messages }) };
      }
      if (!alone) return { bisect: true };
      return { bisect: false, results: each(parts, { kind: 'refused', error }) };
    }
    const results = new Map<string, PartResult>();
    for (const [key, reasons] of byPart) {
      const conflict = reasons.every(isConflictReason);
      const rejected =
        alone && error instanceof ChangeBatchRejected ? error : new ChangeBatchRejected(reasons, { cause: error });
      results.set(key, conflict ? { kind: 'conflict', reasons } : { kind: 'refused', error: rejected });
    }
    return { bisect: false, results };
  }
  if (isPermanent(error)) {
    return alone ? { bisect: false, results: each(parts, { kind: 'refused', error }) } : { bisect: true };
  }
  return { bisect: false, results: each(parts, { kind: 'failed', error }) };
}

const each = (parts: readonly Part[], result: PartResult) => new Map(parts.map((p) => [p.key, result]));

/**
 * Sends the parts (one per placement) in as few requests as fit, and sorts out a rejected request (see the table
 * above). Every part gets a result; none is sent twice once it is written.
 */
export async function sendParts(sender: ZoneSender, parts: readonly Part[]): Promise<Map<string, PartResult>> {
  const results = new Map<string, PartResult>();
  const queue = packParts(
    parts.map((p) => p.changes),
    sender.limits,
  ).map((indices) => indices.flatMap((i) => parts[i] ?? []));
  for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
    if (group.length === 0) continue;
    const deferral = sender.deferral();
    if (deferral !== undefined) {
      for (const part of group) results.set(part.key, { kind: 'deferred', error: deferral });
      continue;
    }
    try {
      const changeId = await sender.send(
        group.flatMap((p) => p.changes),
        group.map((p) => p.label),
      );
      for (const part of group) results.set(part.key, { kind: 'written', changeId });
      sender.accepted(group, changeId);
    } catch (error) {
      const diagnosis = diagnose(error, group);
      if (diagnosis.bisect) {
        const half = Math.ceil(group.length / 2);
        queue.unshift(group.slice(0, half), group.slice(half));
        continue;
      }
      for (const [key, result] of diagnosis.results) results.set(key, result);
      // The parts no reason named were not what Route 53 refused: they go again at once, together.
      queue.unshift(group.filter((p) => !diagnosis.results.has(p.key)));
    }
  }
  return results;
}

/** A placement's changes to write in a zone: its parts, in the order they must be applied. */
export interface ZoneWrite {
  readonly key: string;
  readonly cluster: string;
  readonly parts: readonly (readonly Change[])[];
}

export interface ZoneWritten {
  /** The last part's result: `written` once every part is. */
  readonly result: PartResult;
  /** The parts that were written, each with its request's change id. */
  readonly written: readonly { readonly changes: readonly Change[]; readonly changeId: string | undefined }[];
}

/**
 * Writes every placement's parts to one zone: the first part of each together, then the second part of those that
 * have one, and so on; a placement whose part is not written goes no further.
 */
export async function writeZone(sender: ZoneSender, writes: readonly ZoneWrite[]): Promise<Map<string, ZoneWritten>> {
  const done = new Map<string, ZoneWritten>();
  let going = [...writes];
  for (let step = 0; going.length > 0; step += 1) {
    const parts = going.flatMap((w): Part[] => {
      const changes = w.parts[step];
      if (changes === undefined) return [];
      const label = w.parts.length > 1 ? `${w.cluster} (${step + 1}/${w.parts.length})` : w.cluster;
      return [{ key: w.key, label, changes }];
    });
    const results = await sendParts(sender, parts);
    going = going.filter((w) => {
      const result = results.get(w.key) ?? { kind: 'failed', error: new Error(`no result for ${w.key}`) };
      const before = done.get(w.key)?.written ?? [];
      const changes = w.parts[step] ?? [];
      const written = result.kind === 'written' ? [...before, { changes, changeId: result.changeId }] : before;
      done.set(w.key, { result, written });
      return result.kind === 'written' && step + 1 < w.parts.length;
    });
  }
  return done;
}
