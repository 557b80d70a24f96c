import { onTestFinished } from 'vitest'
import { type BrokerDeps, type BrokerHandle, createBroker } from '../../broker/broker.ts'
import type { Config } from '../../broker/config.ts'
import { createLogger, type LogFormat, type LogLevel } from '../../broker/log/logger.ts'
import { tempDir, testConfig } from '../helpers/broker.ts'

type Stream = 'stdout' | 'stderr'

// generous for a loaded machine: only a line that never comes waits this long
const WAIT_MS = 10_000

/** A line the logger wrote, and to which stream. */
export interface Written {
  stream: Stream
  line: string
}

/** Everything a logger wrote, in order; tests wait for a line rather than for time. */
export class LogCapture {
  readonly written: Written[] = []
  readonly #waiters = new Set<{ test: (w: Written) => boolean; resolve: (w: Written) => void }>()

  sink(stream: Stream) {
    return {
      write: (line: string) => {
        const written = { stream, line }
        this.written.push(written)
        for (const waiter of this.#waiters) {
          if (!waiter.test(written)) continue
          this.#waiters.delete(waiter)
          waiter.resolve(written)
        }
      },
    }
  }

  /**
   * Resolves with the first line written (before or after the call) that
   * `test` accepts; rejects, naming `what`, if none comes within a few seconds.
   */
  next(test: (w: Written) => boolean, what = 'the line waited for'): Promise<Written> {
    const found = this.written.find(test)
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (w: Written) => {
          clearTimeout(timer)
          resolve(w)
        },
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter)
        reject(
          new Error(
            `no ${what} within ${WAIT_MS} ms; written:\n${this.written.map((w) => w.line).join('')}`,
          ),
        )
      }, WAIT_MS)
      this.#waiters.add(waiter)
    })
  }

  /** The first text line matching `pattern`. */
  line(pattern: RegExp): Promise<Written> {
    return this.next((w) => pattern.test(w.line), `line matching ${pattern}`)
  }

  /** The first JSON line whose object has every field of `fields`; resolves with the object. */
  async json(
    fields: Record<string, unknown>,
  ): Promise<Record<string, unknown> & { stream: Stream }> {
    const matches = (w: Written) => {
      const value = parse(w.line)
      return value !== null && Object.entries(fields).every(([k, v]) => value[k] === v)
    }
    const written = await this.next(matches, `JSON line with ${JSON.stringify(fields)}`)
    return { ...(parse(written.line) ?? {}), stream: written.stream }
  }
}

function parse(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** A fixed time for the lines, so a text line can be matched whole. */
export const LOG_TIME = Date.UTC(2026, 11, 4, 17, 25, 21, 123)
export const LOG_TIME_TEXT = '2026-12-04T17:25:21.123Z'

/**
 * A broker owned by the current test (memory store unless told otherwise)
 * logging into a capture, at `level` (info) in `format` (text).
 */
export async function startLoggedBroker(
  overrides: Partial<Config> = {},
  options: { level?: LogLevel; format?: LogFormat } & BrokerDeps = {},
): Promise<{ broker: BrokerHandle; log: LogCapture }> {
  const { level = 'info', format = 'text', ...deps } = options
  const log = new LogCapture()
  const logger = createLogger({
    level,
    format,
    stdout: log.sink('stdout'),
    stderr: log.sink('stderr'),
    now: () => LOG_TIME,
  })
  const config = testConfig({ store: 'memory', dataDir: tempDir(), ...overrides })
  const broker = await createBroker(config, logger, deps)
  onTestFinished(() => broker.close())
  return { broker, log }
}
