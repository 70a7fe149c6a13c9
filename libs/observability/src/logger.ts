import type { LoggerService } from '@nestjs/common';
import { currentTraceId } from './tracing';

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
/** Log level names, most to least severe. */
export type LogLevelName = keyof typeof LEVELS;

/**
 * Structured JSON logs, one object per line, with the service name and the active trace id
 * so a log line can be joined to its trace. Implements Nest's LoggerService.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly service: string,
    private readonly level: LogLevelName = 'info',
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  /** Lifecycle lines (started, stopped) that operators and supervisors rely on: written at any level. */
  lifecycle(message: Record<string, unknown>): void {
    this.write('info', message, ['Runtime'], true);
  }

  private write(level: LogLevelName, message: unknown, rest: unknown[], force = false): void {
    if (!force && LEVELS[level] > LEVELS[this.level]) return;
    const entry: Record<string, unknown> = { ts: new Date().toISOString(), level, service: this.service };
    const traceId = currentTraceId();
    if (traceId) entry.trace_id = traceId;
    if (message instanceof Error) {
      entry.msg = message.message;
      entry.stack = message.stack;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, message);
    } else {
      entry.msg = String(message);
    }
    // Nest passes the context name last.
    const ctx = rest.length > 0 ? rest[rest.length - 1] : undefined;
    if (typeof ctx === 'string') entry.context = ctx;
    for (const r of rest.slice(0, -1)) if (typeof r === 'string' && r.includes('\n')) entry.stack = r;
    this.out.write(`${JSON.stringify(entry)}\n`);
  }
}
