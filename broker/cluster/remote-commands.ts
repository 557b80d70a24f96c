import { randomUUID } from 'node:crypto'
import { type Aedes, onRouted, publishAsBroker } from '../aedes/instance.ts'
import { SessionLabError } from '../errors.ts'
import type { SessionRegistry } from '../inspector/registry.ts'

const REPLY_TIMEOUT_MS = 5_000

type Handler = (packet: { payload: Buffer | string }, done: () => void) => void

interface Request {
  requestId: string
  clientId: string
  replyTo: string
}

interface Reply {
  requestId: string
  disconnected: boolean
}

/**
 * Operator commands for a connection another node holds: the request goes
 * to that node over the cluster's message routing, which closes the
 * connection as an operator's disconnect would, waits until it is
 * unregistered, and answers. Clients cannot publish to `$SYS/` (see
 * rules/hooks.ts), so only nodes send these.
 */
export class RemoteCommands {
  readonly #id: string
  readonly #aedes: () => Aedes | null
  readonly #registry: () => SessionRegistry | null
  readonly #pending = new Map<string, (reply: Reply) => void>()

  constructor(id: string, aedes: () => Aedes | null, registry: () => SessionRegistry | null) {
    this.#id = id
    this.#aedes = aedes
    this.#registry = registry
  }

  /** Starts answering other nodes' requests and receiving their replies. */
  async listen(): Promise<void> {
    await this.#on(topic(this.#id, 'disconnect'), (packet, done) => {
      done()
      const request = parse<Request>(packet.payload)
      if (!request) return
      void this.#disconnectHere(request.clientId).then((disconnected) =>
        this.#send(topic(request.replyTo, 'reply'), { requestId: request.requestId, disconnected }),
      )
    })
    await this.#on(topic(this.#id, 'reply'), (packet, done) => {
      done()
      const reply = parse<Reply>(packet.payload)
      if (reply) this.#pending.get(reply.requestId)?.(reply)
    })
  }

  /**
   * Asks `node` to close the client's connection. Resolves with whether it
   * was connected there; rejects if the node does not answer in time.
   */
  disconnect(clientId: string, node: string): Promise<boolean> {
    const requestId = randomUUID()
    return new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId)
        reject(
          new SessionLabError(
            'INTERNAL',
            `node ${node} did not confirm disconnecting ${clientId} within ${REPLY_TIMEOUT_MS} ms`,
          ),
        )
      }, REPLY_TIMEOUT_MS)
      this.#pending.set(requestId, (reply) => {
        clearTimeout(timer)
        this.#pending.delete(requestId)
        resolve(reply.disconnected)
      })
      this.#send(topic(node, 'disconnect'), { requestId, clientId, replyTo: this.#id })
    })
  }

  async #disconnectHere(clientId: string): Promise<boolean> {
    const registry = this.#registry()
    const connection = registry?.online(clientId)
    if (!registry || !connection) return false
    connection.reason ??= 'admin'
    const closed = registry.closed(connection)
    connection.client.close()
    await closed
    return true
  }

  #on(t: string, handler: Handler): Promise<void> {
    const aedes = this.#aedes()
    if (!aedes) return Promise.resolve()
    return onRouted(aedes, t, handler)
  }

  #send(t: string, message: Request | Reply): void {
    const aedes = this.#aedes()
    if (!aedes) return
    const payload = Buffer.from(JSON.stringify(message))
    // QoS 0 between nodes: a lost command or reply times out on the asking side
    publishAsBroker(aedes, { topic: t, payload, qos: 0, retain: false }).catch(() => {})
  }
}

/** A node's message, or null for one that is not JSON (a listener must not throw into mqemitter). */
function parse<T>(payload: Buffer | string): T | null {
  try {
    return JSON.parse(String(payload)) as T
  } catch {
    return null
  }
}

function topic(node: string, what: 'disconnect' | 'reply'): string {
  return `$SYS/${node}/sessionlab/${what}`
}
