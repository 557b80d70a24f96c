import type { MetricSample } from '../../broker/metrics/history-types.ts'
import {
  type ClientMessage,
  LIVE_PATH,
  type LiveChange,
  parseServerMessage,
  type ServerMessage,
} from '../shared/messages.ts'

export interface LiveHandlers {
  welcome(message: Extract<ServerMessage, { type: 'welcome' }>): void
  change(change: LiveChange): void
  /** A metric sample (every 5 s), for the overview. */
  metrics(sample: MetricSample): void
  status(text: 'live' | 'reconnecting' | 'connecting'): void
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000]
const PING_MS = 25_000

/**
 * The page's live channel: reconnects with backoff (500 ms doubling to 8 s,
 * reset once a welcome arrives). Every connection starts with a welcome,
 * carrying what a persistent view missed.
 */
export function connectLive(handlers: LiveHandlers): void {
  let attempt = 0
  const open = () => {
    handlers.status(attempt === 0 ? 'connecting' : 'reconnecting')
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const ws = new WebSocket(`${scheme}://${location.host}${LIVE_PATH}`)
    const ping = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: 'ping' } satisfies ClientMessage))
      }
    }, PING_MS)
    ws.onmessage = (event) => {
      const message = parseServerMessage(String(event.data))
      if (message === null) return
      if (message.type === 'welcome') {
        attempt = 0
        handlers.status('live')
        handlers.welcome(message)
      } else if (message.type === 'metrics') {
        handlers.metrics(message.sample)
      } else {
        handlers.change(message.change)
      }
    }
    ws.onclose = () => {
      clearInterval(ping)
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] ?? 8000
      attempt++
      handlers.status('reconnecting')
      setTimeout(open, delay * (0.75 + Math.random() * 0.5))
    }
  }
  open()
}
