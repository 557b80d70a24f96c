import { ClientError } from '../errors.ts'
import { PacketClient } from '../mqtt/packet-client.ts'
import type { BrokerUrl } from '../mqtt/url.ts'
import { expirySeconds, type Strategy } from './schedule.ts'

export interface DeviceOptions {
  url: BrokerUrl
  clientId: string
  topic: string
  qos: 0 | 1 | 2
  strategy: Strategy
  timeoutMs: number
  /** When the publisher sent a sequence number (performance.now()), for latency. */
  sentAt: (seq: number) => number | undefined
}

/** What one device saw over a run. */
export interface DeviceStats {
  clientId: string
  /** Distinct messages received. */
  delivered: number
  /** Receipts of a message already received. */
  duplicated: number
  /** Publish to receipt, ms, one per first receipt. */
  latenciesMs: number[]
  /** Connect to ready (CONNACK, and SUBACK when it subscribes), ms, per reconnect. */
  reconnectsMs: number[]
  /** Persistent reconnects answered with session present = 0: the broker lost the session. */
  sessionsLost: number
}

/**
 * One simulated device on a packet-level client: it acknowledges as it
 * receives, and a PINGREQ round-trip before each drop makes sure the broker
 * has those acknowledgements, so a drop never turns into a redelivery.
 */
export class Device {
  readonly #o: DeviceOptions
  #client: PacketClient | null = null
  readonly #seen = new Map<number, number>()
  readonly #owed = new Set<number>()
  #onProgress: (() => void) | null = null
  readonly stats: DeviceStats
  /** Whether the device holds a subscription by its own account (SUBACK, or a resumed session). */
  subscribed = false
  online = false

  constructor(options: DeviceOptions) {
    this.#o = options
    this.stats = {
      clientId: options.clientId,
      delivered: 0,
      duplicated: 0,
      latenciesMs: [],
      reconnectsMs: [],
      sessionsLost: 0,
    }
  }

  /**
   * Connects; on the first connect, on every one with `resubscribe`, and with
   * `expiry:N` whenever the session is gone, subscribes.
   */
  async connect(first: boolean): Promise<void> {
    const started = performance.now()
    const { strategy, timeoutMs } = this.#o
    const expiry = expirySeconds(strategy)
    const client = await PacketClient.open(this.#o.url, timeoutMs)
    client.handle('publish', (p) => this.#receive(p.topic, p.payload))
    this.#client = client
    const connack = await client.connect(
      expiry === null
        ? {
            clientId: this.#o.clientId,
            clean: strategy !== 'persistent',
            keepalive: 0,
            protocolVersion: 4,
          }
        : {
            clientId: this.#o.clientId,
            // a fresh session at the start, the kept one after
            clean: first,
            keepalive: 0,
            protocolVersion: 5,
            properties: { sessionExpiryInterval: expiry },
          },
      timeoutMs,
    )
    const code = connack.returnCode ?? connack.reasonCode ?? 0
    if (code !== 0)
      throw new ClientError('CONNECT_REFUSED', `CONNACK ${code} for ${this.#o.clientId}`)
    if (strategy === 'persistent' && !first && !connack.sessionPresent) this.stats.sessionsLost++
    const resumes = strategy === 'persistent' || expiry !== null
    this.subscribed = resumes && !first ? connack.sessionPresent : false
    if (first || strategy === 'resubscribe' || (expiry !== null && !this.subscribed)) {
      const messageId = client.allocateId()
      client.send({
        cmd: 'subscribe',
        messageId,
        subscriptions: [{ topic: this.#o.topic, qos: this.#o.qos }],
      })
      await client.next('suback', timeoutMs, (p) => p.messageId === messageId)
      this.subscribed = true
    }
    this.online = true
    if (!first) this.stats.reconnectsMs.push(performance.now() - started)
  }

  /** Records that this device should receive `seq` (unless it already has). */
  owe(seq: number): void {
    if (!this.#seen.has(seq)) this.#owed.add(seq)
  }

  /** Waits until every owed message has arrived, or `timeoutMs` passed; resolves either way. */
  settle(timeoutMs: number): Promise<void> {
    if (this.#owed.size === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#onProgress = null
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      this.#onProgress = () => {
        if (this.#owed.size === 0) done()
      }
    })
  }

  /** Goes offline abruptly (no DISCONNECT), after the broker has every acknowledgement. */
  async drop(settleMs: number): Promise<void> {
    await this.settle(settleMs)
    const client = this.#client
    this.online = false
    // an expiry:N session may end while away: the next CONNACK says
    if (this.#o.strategy !== 'persistent') this.subscribed = false
    if (!client || client.closed) return
    await client.ping(this.#o.timeoutMs).catch(() => {})
    await client.destroy(this.#o.timeoutMs)
  }

  /** Disconnects; a device with a session that outlives it also ends that session, so nothing is left on the broker. */
  async finish(): Promise<void> {
    const { timeoutMs, strategy } = this.#o
    if (this.#client && !this.#client.closed)
      await this.#client.disconnect(timeoutMs).catch(() => {})
    const expiry = expirySeconds(strategy)
    if (strategy !== 'persistent' && !expiry) return
    // CleanSession=1 (Clean Start 1 and no expiry in MQTT 5) ends the session
    const client = await PacketClient.open(this.#o.url, timeoutMs)
    await client.connect(
      {
        clientId: this.#o.clientId,
        clean: true,
        keepalive: 0,
        protocolVersion: expiry === null ? 4 : 5,
      },
      timeoutMs,
    )
    await client.disconnect(timeoutMs)
  }

  /** Messages owed and not yet received. */
  get missing(): number {
    return this.#owed.size
  }

  #receive(topic: string, payload: Buffer | string): void {
    const bytes = Buffer.from(payload)
    if (topic !== this.#o.topic || bytes.length < 4) return
    const seq = bytes.readUInt32BE(0)
    const count = this.#seen.get(seq) ?? 0
    this.#seen.set(seq, count + 1)
    if (count > 0) {
      this.stats.duplicated++
      return
    }
    this.stats.delivered++
    const sent = this.#o.sentAt(seq)
    if (sent !== undefined) this.stats.latenciesMs.push(performance.now() - sent)
    this.#owed.delete(seq)
    this.#onProgress?.()
  }
}
