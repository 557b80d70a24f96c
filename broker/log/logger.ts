import { pino } from 'pino'

/**
 * The broker's log: one typed interface, pino behind it. Levels from the most
 * to the least severe; a logger writes its level and the ones above it.
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export const LOG_FORMATS = ['text', 'json'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

/** Structured fields of a line: keys of its JSON object (the text format shows only the message). */
export type LogFields = { readonly [key: string]: string | number | boolean | null | undefined }

export interface Logger {
  /** The least severe level written; 'silent' writes nothing. */
  readonly level: LogLevel | 'silent'
  error(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  debug(message: string, fields?: LogFields): void
}

/** Whether a line of `level` would be written: callers skip building lines nobody reads. */
export function writes(log: Logger, level: LogLevel): boolean {
  return log.level !== 'silent' && LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(log.level)
}

const nothing = () => {}

/** Writes nothing: `createBroker`'s default, so tests and embedders get no output. */
export const silentLogger: Logger = {
  level: 'silent',
  error: nothing,
  warn: nothing,
  info: nothing,
  debug: nothing,
}

/** Where lines go; `process.stdout`, or a test's capture. */
export interface LineSink {
  write(line: string): unknown
}

export interface LoggerOptions {
  level: LogLevel
  format: LogFormat
  /** info and debug lines. */
  stdout: LineSink
  /** warn and error lines. */
  stderr: LineSink
  /** ms since the epoch, for the lines' time (tests fix it). */
  now?: () => number
}

// pino's line starts with its level (formatters.level below): no parse to route it
const TO_STDERR = ['{"level":"warn"', '{"level":"error"']

/**
 * One line per call: in the JSON format pino's object; in the text format one
 * human line in Mosquitto's spirit, `<ISO time> <level> <message>` (the
 * message says it all; the structured fields are for the JSON format). Info
 * and debug go to `stdout`, warn and error to `stderr`, as the CLI always did.
 */
export function createLogger(options: LoggerOptions): Logger {
  return options.format === 'json' ? jsonLogger(options) : textLogger(options)
}

/**
 * Written directly, not through pino: its JSON would only be parsed back for
 * three of its fields, and a broker at info writes a line per connect and
 * disconnect (persistent session creation: 7% of the broker's CPU went to
 * that round trip; bench/RESULTS.md).
 */
function textLogger(options: LoggerOptions): Logger {
  const { level, stdout, stderr } = options
  const now = options.now ?? Date.now
  const logger: Logger = { level, error: nothing, warn: nothing, info: nothing, debug: nothing }
  for (const at of LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1)) {
    const sink = at === 'warn' || at === 'error' ? stderr : stdout
    const label = at.padEnd(5)
    logger[at] = (message) => {
      sink.write(`${new Date(now()).toISOString()} ${label} ${message}\n`)
    }
  }
  return logger
}

function jsonLogger(options: LoggerOptions): Logger {
  const { stdout, stderr } = options
  const now = options.now ?? Date.now
  const destination = {
    write(line: string) {
      const sink = TO_STDERR.some((prefix) => line.startsWith(prefix)) ? stderr : stdout
      sink.write(line)
    },
  }
  const logger = pino(
    {
      level: options.level,
      // no pid or hostname: one broker per process, and the collector knows the host
      base: null,
      timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  )
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (fields) logger[level](fields, message)
      else logger[level](message)
    }
  return {
    level: options.level,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
  }
}
