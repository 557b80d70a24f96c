import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import type { SessionChange } from '../../broker/inspector/types.ts'
import type { MetricSample } from '../../broker/metrics/history-types.ts'
import {
  LIVE_PATH,
  type LiveChange,
  parseClientMessage,
  type ServerMessage,
} from '../shared/messages.ts'
import { readCookie, type Viewer, verifyViewer } from './cookie.ts'
import type { ViewStore } from './views.ts'

/** Largest message a browser may send; it only sends pings. */
const MAX_PAYLOAD = 1024

/**
 * The live channel: WebSocket upgrades on `/live` of the HTTP server,
 * authenticated by the viewer cookie and refused from foreign origins.
 * Every session change goes to every open page; a persistent view with no
 * page open gets it in its missed list instead, handed over on the next
 * connection.
 */
export class LiveChannel {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD })
  readonly #secret: Buffer
  readonly #views: ViewStore
  readonly #now: () => number
  #seq = 0
  #clean = 0

  constructor(deps: { secret: Buffer; views: ViewStore; now: () => number }) {
    this.#secret = deps.secret
    this.#views = deps.views
    this.#now = deps.now
  }

  /** Takes upgrades on `/live`; any other upgrade path is not ours and is refused. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    )
  }

  /** Fans a session change out to open pages and away persistent views. */
  publish(change: SessionChange): void {
    // after a restart, on from the changes the kept views hold, so numbers still only increase
    this.#seq = Math.max(this.#seq, this.#views.highestSeq) + 1
    const live: LiveChange = { seq: this.#seq, clientId: change.clientId, event: change.event }
    this.#views.record(live)
    // a drain makes an event per message: encode only when a page is open
    if (this.#wss.clients.size === 0) return
    const text = JSON.stringify({ type: 'change', change: live } satisfies ServerMessage)
    for (const ws of this.#wss.clients) {
      if (ws.readyState === WebSocket.OPEN) ws.send(text)
    }
  }

  /** Sends a metric sample to every open page (views away miss nothing: the history route has it). */
  publishMetrics(sample: MetricSample): void {
    if (this.#wss.clients.size === 0) return
    const text = JSON.stringify({ type: 'metrics', sample } satisfies ServerMessage)
    for (const ws of this.#wss.clients) {
      if (ws.readyState === WebSocket.OPEN) ws.send(text)
    }
  }

  /** Open live connections, for the compare page. */
  get connections(): number {
    return this.#wss.clients.size
  }

  /** Open live connections of clean views (a clean view exists only while one is open). */
  get cleanConnections(): number {
    return this.#clean
  }

  close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate()
    return new Promise((resolve) => this.#wss.close(() => resolve()))
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const viewer = this.#admit(req)
    if (typeof viewer === 'number') refuse(socket, viewer)
    else {
      // the views kept by an earlier run are read first: the welcome says whether this one resumed
      void this.#views.loaded.then(() =>
        this.#wss.handleUpgrade(req, socket, head, (ws) => this.#connected(ws, viewer)),
      )
    }
  }

  /** The viewer an upgrade request is from, or the status that refuses it. */
  #admit(req: IncomingMessage): Viewer | Refusal {
    const path = (req.url ?? '').split('?')[0]
    if (path !== LIVE_PATH) return 404
    if (!sameOrigin(req)) return 403
    const value = readCookie(req.headers.cookie)
    const viewer = value === null ? null : verifyViewer(value, this.#secret, this.#now())
    return viewer ?? 401
  }

  #connected(ws: WebSocket, viewer: Viewer): void {
    let welcome: ServerMessage
    if (viewer.mode === 'persistent') {
      const { view, created } = this.#views.open(viewer.id, this.#now())
      view.open++
      ws.on('close', () => this.#views.closed(view, this.#now()))
      welcome = {
        type: 'welcome',
        mode: 'persistent',
        resumed: !created,
        ...this.#views.takeMissed(view),
      }
    } else {
      this.#clean++
      ws.on('close', () => this.#clean--)
      welcome = { type: 'welcome', mode: 'clean', resumed: false, missed: [], missedDropped: 0 }
    }
    ws.on('message', (data) => {
      // only pings are expected; anything else closes the channel [policy violation]
      if (parseClientMessage(data.toString()) === null) ws.close(1008, 'unexpected message')
    })
    ws.send(JSON.stringify(welcome))
  }
}

/** The Origin must be this server's own (http or https on the same Host). */
function sameOrigin(req: IncomingMessage): boolean {
  const { origin, host } = req.headers
  if (origin === undefined || host === undefined) return false
  return origin === `http://${host}` || origin === `https://${host}`
}

const REFUSALS = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' } as const
type Refusal = keyof typeof REFUSALS

function refuse(socket: Duplex, status: Refusal): void {
  const text = REFUSALS[status]
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}
