import pino from 'pino';
import type { Config } from './config';

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * How the app logs: a line of words, its level, and fields (ids, counts, timings: never names, contacts or
 * addresses, rule 7). Callers that pass only the line log at info.
 */
export type Log = (line: string, level?: Level, fields?: Record<string, unknown>) => void;

/**
 * The server's log: one JSON object per line on stdout (time, level, msg, and the fields), for a council's log
 * collector; or, in development, one plain line each, for a person watching `npm start`.
 */
export function serverLog(config: Pick<Config, 'LOG_LEVEL' | 'production'>, stream: NodeJS.WritableStream = process.stdout, json = config.production): Log {
  if (!json) {
    const order: Level[] = ['debug', 'info', 'warn', 'error', 'fatal'];
    const least = config.LOG_LEVEL === 'trace' ? 0 : config.LOG_LEVEL === 'silent' ? order.length : order.indexOf(config.LOG_LEVEL);
    return (line, level = 'info', fields) => {
      if (order.indexOf(level) < least) return;
      const extra = fields ? ` ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}` : '';
      stream.write(`${level === 'info' ? '' : `${level.toUpperCase()}: `}${line}${extra}\n`);
    };
  }
  const logger = pino({ level: config.LOG_LEVEL, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, stream);
  return (line, level = 'info', fields) => logger[level](fields ?? {}, line);
}
