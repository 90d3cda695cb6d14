// The JSON logger (pino). One instance per process, created in main.ts and passed down.

import pino, { type DestinationStream, type Logger } from 'pino';

/** pino `redact` option: credentials never reach the logs, whoever logs a request or its headers. */
export function logRedaction(): { paths: string[]; censor: string } {
  return { paths: ['req.headers.authorization', 'headers.authorization', '*.authorization'], censor: '[redacted]' };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, redact: logRedaction() }, destination);
}
