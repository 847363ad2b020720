/**
 * The field guide's check, with the field guide's tool: dig (BIND's), run as an operator would, its output parsed into
 * the status, the flags and the records of each section.
 */
import { run } from './run.js';

export interface DigRecord {
  readonly name: string;
  readonly ttl: number;
  readonly type: string;
  readonly data: string;
}

export interface DigAnswer {
  readonly status: string;
  readonly flags: readonly string[];
  readonly answer: readonly DigRecord[];
  readonly authority: readonly DigRecord[];
  readonly additional: readonly DigRecord[];
  /** dig's own `Query time`, in whole milliseconds. */
  readonly queryTimeMs: number;
  /** What dig printed, for failure messages. */
  readonly text: string;
}

const SECTIONS = { ANSWER: 'answer', AUTHORITY: 'authority', ADDITIONAL: 'additional' } as const;

/** Parses dig's default output. */
export function parseDig(text: string): DigAnswer {
  const sections: Record<'answer' | 'authority' | 'additional', DigRecord[]> = {
    answer: [],
    authority: [],
    additional: [],
  };
  let current: DigRecord[] | undefined;
  for (const line of text.split('\n')) {
    const heading = /^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line)?.[1] as keyof typeof SECTIONS | undefined;
    if (heading !== undefined) {
      current = sections[SECTIONS[heading]];
      continue;
    }
    if (line.trim() === '' || line.startsWith(';')) {
      if (line.trim() === '') current = undefined;
      continue;
    }
    const [name = '', ttl = '', , type = '', ...data] = line.split(/\s+/);
    current?.push({ name, ttl: Number(ttl), type, data: data.join(' ') });
  }
  return {
    status: /status: ([A-Z]+)/.exec(text)?.[1] ?? 'NO ANSWER',
    flags: (/;; flags: ([a-z ]+);/.exec(text)?.[1] ?? '').split(' ').filter(Boolean),
    ...sections,
    queryTimeMs: Number(/;; Query time: (\d+) msec/.exec(text)?.[1] ?? Number.NaN),
    text,
  };
}

/**
 * `dig @host -p port name type …options`: one try, `timeoutS` seconds (dig's own minimum is 1).
 * dig exits 9 when no server answered: that is a result (status `NO ANSWER`), not an error.
 */
export async function dig(
  file: string,
  server: { host: string; port: number },
  name: string,
  type: string,
  options: readonly string[] = [],
  timeoutS = 3,
): Promise<DigAnswer> {
  const args = [`@${server.host}`, '-p', String(server.port), name, type, '+tries=1', `+time=${timeoutS}`, ...options];
  try {
    return parseDig((await run(file, args, (timeoutS + 5) * 1000)).stdout);
  } catch (error) {
    const text = (error as Error).message;
    if (/exited 9/.test(text)) return parseDig(text);
    throw error;
  }
}
