/** Telemetry for the loop that keeps what it logs and counts, so tests and the benchmark can read it back. */
import type { Log, MetricSink } from '../../lib/platform/telemetry.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

/** Captures what the loop logs and counts. */
export class CapturedTelemetry {
  readonly lines: LogLine[] = [];
  readonly metrics: { name: string; value: number }[] = [];

  readonly log: Log = {
    debug: (message: unknown, ...rest: unknown[]) => this.#push('debug', message, rest),
    info: (message: unknown, ...rest: unknown[]) => this.#push('info', message, rest),
    warn: (message: unknown, ...rest: unknown[]) => this.#push('warn', message, rest),
    error: (message: unknown, ...rest: unknown[]) => this.#push('error', message, rest),
  } as Log;

  readonly sink: MetricSink = {
    addMetric: (name: string, _unit: unknown, value: number) => {
      this.metrics.push({ name, value });
    },
  } as MetricSink;

  #push(level: LogLine['level'], message: unknown, rest: unknown[]): void {
    const attributes = Object.assign({}, ...rest.filter((r) => typeof r === 'object' && r !== null));
    this.lines.push({ level, message: String(message), attributes });
  }

  /** Sum of a metric's values. */
  count(name: string): number {
    return this.metrics.filter((m) => m.name === name).reduce((sum, m) => sum + m.value, 0);
  }

  /** Log messages of a level, for readable assertions. */
  messages(level: LogLine['level']): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }

  clear(): void {
    this.lines.length = 0;
    this.metrics.length = 0;
  }
}
