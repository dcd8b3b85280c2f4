/** What the toolkit logs through. `console` and pino loggers both satisfy it. */
export interface CacheLogger {
  warn(message: string, ...meta: unknown[]): void;
  error(message: string, ...meta: unknown[]): void;
  info?(message: string, ...meta: unknown[]): void;
  debug?(message: string, ...meta: unknown[]): void;
}

/**
 * Whether `value` can be used as a `CacheLogger` (has `warn()` and `error()`). Backends check
 * a `logger` option with it so every package rejects a bad one the same way.
 */
export function isCacheLogger(value: unknown): value is CacheLogger {
  if (typeof value !== 'object' || value === null) return false;
  const logger = value as Record<string, unknown>;
  return typeof logger.warn === 'function' && typeof logger.error === 'function';
}

/** Logs nothing. */
export const silentLogger: CacheLogger = Object.freeze({
  warn(): void {},
  error(): void {},
});

/**
 * Wraps a logger so that the same message is written at most once per `intervalMs`; the
 * suppressed count is appended to the next one that gets through. An outage makes every
 * operation fail the same way, and one line per failed GET would drown the app's own logs.
 */
export function rateLimitLogger(
  logger: CacheLogger,
  intervalMs = 30_000,
  now: () => number = Date.now,
): CacheLogger {
  const last = new Map<string, { at: number; suppressed: number }>();
  const gate = (level: 'warn' | 'error', message: string, meta: unknown[]): void => {
    const key = `${level}:${message}`;
    const time = now();
    const seen = last.get(key);
    if (seen !== undefined && time - seen.at < intervalMs) {
      seen.suppressed++;
      return;
    }
    const suffix =
      seen !== undefined && seen.suppressed > 0 ? ` (${seen.suppressed} similar suppressed)` : '';
    if (last.size > 1000) last.clear();
    last.set(key, { at: time, suppressed: 0 });
    logger[level](message + suffix, ...meta);
  };
  return {
    warn: (message, ...meta) => gate('warn', message, meta),
    error: (message, ...meta) => gate('error', message, meta),
    ...(logger.info ? { info: logger.info.bind(logger) } : {}),
    ...(logger.debug ? { debug: logger.debug.bind(logger) } : {}),
  };
}

/** The default: `console.warn`/`console.error`, rate-limited; info and debug are dropped. */
export function createDefaultLogger(): CacheLogger {
  return rateLimitLogger({
    warn: (message, ...meta) => console.warn(`[cache] ${message}`, ...meta),
    error: (message, ...meta) => console.error(`[cache] ${message}`, ...meta),
  });
}
