import { ClientError } from '../errors.ts'

/** Where a client connects: MQTT over TCP or over WebSocket. */
export type BrokerUrl =
  | { transport: 'tcp'; host: string; port: number; href: string }
  | { transport: 'ws'; href: string }

/**
 * Parses `mqtt://host[:1883]` or `ws://host[:port]/path` (`/mqtt` when no path
 * is given, as most brokers serve it there). Pure.
 */
export function parseBrokerUrl(text: string): BrokerUrl {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ClientError('BROKER_URL_INVALID', `not a URL: "${text}"`)
  }
  if (url.protocol === 'mqtt:' || url.protocol === 'tcp:') {
    if (url.pathname !== '' && url.pathname !== '/') {
      throw new ClientError('BROKER_URL_INVALID', `an mqtt:// URL has no path: "${text}"`)
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    const port = url.port === '' ? 1883 : Number(url.port)
    return { transport: 'tcp', host, port, href: `mqtt://${url.hostname}:${port}` }
  }
  if (url.protocol === 'ws:') {
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/mqtt'
    return { transport: 'ws', href: url.href }
  }
  throw new ClientError(
    'BROKER_URL_INVALID',
    `unsupported scheme "${url.protocol}" in "${text}": use mqtt://HOST:PORT or ws://HOST:PORT/PATH`,
  )
}
