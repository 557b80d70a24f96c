import type { ConnectRefused, SessionChange } from '../inspector/types.ts'
import {
  type ClientLine,
  eventLine,
  levelOf,
  type PendingLimits,
  refusalLine,
} from './client-lines.ts'
import { type Logger, type LogLevel, writes } from './logger.ts'

/** Where client events come from: the inspector's typed session changes and its refused CONNECTs. */
export interface ClientEventSource {
  onChange(listener: (change: SessionChange) => void): () => void
  onRefused(listener: (refused: ConnectRefused) => void): () => void
}

/**
 * Writes one log line per client event — connect, disconnect with its
 * reason, takeover, refusal, Will, expiry, deletion; subscriptions and
 * messages at debug — made from the events the inspector records, so the
 * log and the inspector never tell two stories. Returns the function that stops.
 */
export function logClientEvents(
  source: ClientEventSource,
  log: Logger,
  limits: PendingLimits,
): () => void {
  if (log.level === 'silent') return () => {}
  const write = (level: LogLevel, line: () => ClientLine) => {
    // nothing is built for a line of a level nobody reads (every message has one at debug)
    if (!writes(log, level)) return
    const { message, fields } = line()
    log[level](message, fields)
  }
  const stops = [
    source.onChange(({ clientId, event }) => {
      const level = levelOf(event)
      if (level) write(level, () => eventLine(clientId, event, limits))
    }),
    source.onRefused((refused) => write('warn', () => refusalLine(refused))),
  ]
  return () => {
    for (const stop of stops) stop()
  }
}
