import { pino } from 'pino'
import { textLine } from './text-format.ts'

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
 * A pino logger writing one line per call: pino's JSON object, or in the
 * text format one human line (`<ISO time> <level> <message>`). Info and debug
 * go to `stdout`, warn and error to `stderr`, as the CLI always did.
 */
export function createLogger(options: LoggerOptions): Logger {
  const { format, stdout, stderr } = options
  const now = options.now ?? Date.now
  const destination = {
    write(line: string) {
      const sink = TO_STDERR.some((prefix) => line.startsWith(prefix)) ? stderr : stdout
      sink.write(format === 'json' ? line : textLine(line))
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
