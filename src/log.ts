// The logger (pino). One instance per process, created in main.ts and passed down. JSON lines by
// default (production: what log shippers read); LOG_FORMAT=pretty — the default in dev mode —
// writes one compact, readable line per entry instead, and the app logs one line per request
// (src/app.ts) rather than Fastify's two.

import pino, { type DestinationStream, type Logger } from 'pino';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export type LogFormat = 'json' | 'pretty';

/** Fastify's request logging as one line when the request completes (`GET /x 200 ms=3`), for pretty logs. */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = `${request.method} ${request.url} ${reply.statusCode}`;
    if (error) reply.log.error({ err: error, ms: Math.round(reply.elapsedTime) }, line);
    else reply.log.info({ ms: Math.round(reply.elapsedTime) }, line);
  }
}

/** pino `redact` option: credentials never reach the logs, whoever logs a request or its headers. */
export function logRedaction(): { paths: string[]; censor: string } {
  return { paths: ['req.headers.authorization', 'headers.authorization', '*.authorization'], censor: '[redacted]' };
}

/** The format a process logs in: LOG_FORMAT, where `auto` is pretty in dev mode and JSON otherwise. */
export function logFormatOf(config: { LOG_FORMAT: string; DEV_MODE: boolean }): LogFormat {
  return config.LOG_FORMAT === 'auto' ? (config.DEV_MODE ? 'pretty' : 'json') : config.LOG_FORMAT as LogFormat;
}

export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const options = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, redact: logRedaction() };
  if (format === 'json') return pino(options, destination);
  const out = destination ?? process.stdout;
  return pino(options, { write: (line: string) => out.write(prettyLine(line)) });
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };

/** One pino JSON line as `12:34:56.789 INFO  message key=value …` (an error's stack on the lines after). */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, msg, err, ...rest } = o;
  const when = typeof time === 'string' ? time.slice(11, 23) : '';
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`);
  const stack = err && typeof err === 'object' ? `\n  ${String((err as { stack?: string; message?: string }).stack ?? (err as { message?: string }).message)}` : '';
  return `${when} ${LEVELS[level as number] ?? String(level)} ${String(msg ?? '')}${fields.length ? ' ' + fields.join(' ') : ''}${stack}\n`;
}
