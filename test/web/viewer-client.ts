import { onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import type { BrokerHandle } from '../../broker/broker.ts'
import type { Config } from '../../broker/config.ts'
import { type DashboardOptions, dashboard } from '../../web/index.ts'
import { COOKIE_NAME } from '../../web/server/cookie.ts'
import { LIVE_PATH, parseServerMessage, type ServerMessage } from '../../web/shared/messages.ts'
import type { ViewAnswer } from '../../web/shared/ui.ts'
import { startBroker } from '../helpers/broker.ts'

/** A broker serving the dashboard, owned by the current test. */
export function startDashboard(
  overrides: Partial<Config> = {},
  options: DashboardOptions = {},
): Promise<BrokerHandle> {
  return startBroker({ store: 'memory', ...overrides }, { http: dashboard(options) })
}

/**
 * A browser as the server sees it: keeps the viewer cookie the pages set and
 * the CSRF token they carry, and sends both like the dashboard's own code.
 */
export class Viewer {
  cookie: string | null = null
  csrf: string | null = null

  constructor(readonly broker: BrokerHandle) {}

  get origin(): string {
    return this.broker.urls.http
  }

  /** Loads a page, keeping the cookie it sets and its CSRF token. */
  async open(path = '/'): Promise<Response> {
    const res = await this.fetch(path)
    const html = await res.clone().text()
    this.csrf = /<meta name="csrf" content="([^"]+)">/.exec(html)?.[1] ?? null
    return res
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookie !== null && !headers.has('cookie')) headers.set('cookie', this.cookie)
    const res = await fetch(`${this.broker.urls.http}${path}`, { ...init, headers })
    for (const set of res.headers.getSetCookie()) {
      const pair = set.split(';')[0] ?? ''
      if (pair.startsWith(`${COOKIE_NAME}=`)) this.cookie = pair
    }
    return res
  }

  /** A state-changing `/ui` call as the page makes it: JSON, CSRF header, same Origin. */
  post(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: this.origin,
        ...(this.csrf === null ? {} : { 'x-csrf-token': this.csrf }),
        ...headers,
      },
      body: JSON.stringify(body),
    })
  }

  /** `GET /ui/view`: this viewer's mode, role and view state as the page reads them. */
  async view(): Promise<ViewAnswer> {
    return (await (await this.fetch('/ui/view')).json()) as ViewAnswer
  }

  /** The raw signed value of the viewer cookie. */
  get cookieValue(): string {
    if (this.cookie === null) throw new Error('no cookie yet')
    return this.cookie.slice(COOKIE_NAME.length + 1)
  }

  async login(): Promise<void> {
    const res = await this.post('/ui/login', { token: this.broker.adminToken.token })
    if (res.status !== 200) throw new Error(`login failed: ${res.status}`)
    // a new viewer id after login (no session fixation), so a new CSRF token
    this.csrf = ((await res.json()) as { csrf: string }).csrf
  }

  /** Opens the live channel with this viewer's cookie (and the dashboard's Origin unless told). */
  live(headers: Record<string, string> = {}): Promise<LiveSocket> {
    return openLive(this.broker, {
      origin: this.origin,
      ...(this.cookie === null ? {} : { cookie: this.cookie }),
      ...headers,
    })
  }
}

/** A live-channel connection that queues the typed messages it receives. */
export class LiveSocket {
  readonly messages: ServerMessage[] = []
  #wake: (() => void) | null = null

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = parseServerMessage(data.toString())
      if (message === null) throw new Error(`not a server message: ${data.toString()}`)
      this.messages.push(message)
      this.#wake?.()
    })
  }

  /** The next message (of this type), waiting for it up to a few seconds. */
  async next<T extends ServerMessage['type']>(
    type: T,
    where: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + 5000
    for (;;) {
      const index = this.messages.findIndex(
        (m) => m.type === type && where(m as Extract<ServerMessage, { type: T }>),
      )
      if (index >= 0) {
        return this.messages.splice(0, index + 1).at(-1) as Extract<ServerMessage, { type: T }>
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no ${type} message within 5 s`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve())
      this.ws.close()
    })
  }
}

/** Opens `/live`; resolves when it opens, rejects with the HTTP status when refused. */
export function openLive(
  broker: BrokerHandle,
  headers: Record<string, string>,
): Promise<LiveSocket> {
  const url = `${broker.urls.http.replace(/^http/, 'ws')}${LIVE_PATH}`
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    const live = new LiveSocket(ws)
    onTestFinished(() => live.close())
    ws.once('open', () => resolve(live))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)))
    ws.once('error', reject)
  })
}
