import { ClientError } from '../errors.ts'
import { PacketClient } from '../mqtt/packet-client.ts'
import type { BrokerUrl } from '../mqtt/url.ts'

/** The one publisher of a simulation: sequence-numbered messages, each awaited to its last ack. */
export class Publisher {
  readonly #client: PacketClient
  readonly #topic: string
  readonly #qos: 0 | 1 | 2
  readonly #padding: Buffer
  readonly #timeoutMs: number
  readonly #sentAt = new Map<number, number>()

  private constructor(
    client: PacketClient,
    topic: string,
    qos: 0 | 1 | 2,
    payloadBytes: number,
    timeoutMs: number,
  ) {
    this.#client = client
    this.#topic = topic
    this.#qos = qos
    this.#padding = Buffer.alloc(Math.max(0, payloadBytes - 4), 0x2e)
    this.#timeoutMs = timeoutMs
  }

  static async connect(
    url: BrokerUrl,
    options: {
      clientId: string
      topic: string
      qos: 0 | 1 | 2
      payloadBytes: number
      timeoutMs: number
    },
  ): Promise<Publisher> {
    const client = await PacketClient.open(url, options.timeoutMs)
    const connack = await client.connect(
      { clientId: options.clientId, clean: true, keepalive: 0, protocolVersion: 4 },
      options.timeoutMs,
    )
    if (connack.returnCode !== 0)
      throw new ClientError('CONNECT_REFUSED', `publisher refused: CONNACK ${connack.returnCode}`)
    return new Publisher(
      client,
      options.topic,
      options.qos,
      options.payloadBytes,
      options.timeoutMs,
    )
  }

  sentAt(seq: number): number | undefined {
    return this.#sentAt.get(seq)
  }

  /**
   * Publishes message `seq` and resolves once the broker has taken it: after
   * PUBACK (QoS 1), PUBCOMP (QoS 2), or a PINGREQ round-trip (QoS 0).
   */
  async publish(seq: number): Promise<void> {
    const client = this.#client
    const head = Buffer.alloc(4)
    head.writeUInt32BE(seq)
    const payload = Buffer.concat([head, this.#padding])
    const qos = this.#qos
    const base = {
      cmd: 'publish' as const,
      topic: this.#topic,
      payload,
      qos,
      retain: false,
      dup: false,
    }
    this.#sentAt.set(seq, performance.now())
    if (qos === 0) {
      client.send(base)
      await client.ping(this.#timeoutMs)
      return
    }
    const messageId = client.allocateId()
    const ofThis = (p: { messageId?: number }) => p.messageId === messageId
    client.send({ ...base, messageId })
    if (qos === 1) {
      await client.next('puback', this.#timeoutMs, ofThis)
      return
    }
    await client.next('pubrec', this.#timeoutMs, ofThis)
    client.send({ cmd: 'pubrel', messageId })
    await client.next('pubcomp', this.#timeoutMs, ofThis)
  }

  async close(): Promise<void> {
    if (!this.#client.closed) await this.#client.disconnect(this.#timeoutMs).catch(() => {})
  }
}
