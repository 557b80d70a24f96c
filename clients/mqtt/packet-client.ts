import mqttPacket, {
  type IConnackPacket,
  type IConnectPacket,
  type IDisconnectPacket,
  type Packet,
  type Parser,
} from 'mqtt-packet'
import { ClientError } from '../errors.ts'
import { type Connection, openConnection } from './transport.ts'
import type { BrokerUrl } from './url.ts'

/** Which acknowledgements the client sends on its own when a packet arrives. */
export interface AckPolicy {
  /** PUBACK for an incoming QoS 1 PUBLISH. */
  puback: boolean
  /** PUBREC for an incoming QoS 2 PUBLISH. */
  pubrec: boolean
  /** PUBCOMP for an incoming PUBREL. */
  pubcomp: boolean
}

export type PacketOf<C extends Packet['cmd']> = Extract<Packet, { cmd: C }>

interface Waiter {
  match: (p: Packet) => boolean
  resolve: (p: Packet) => void
  reject: (err: Error) => void
}

export type ProtocolVersion = 3 | 4 | 5

/**
 * A packet-level MQTT 3.1, 3.1.1 and 5 client for what mqtt.js hides: DUP
 * flags, packet ids, session-present, return and reason codes, properties,
 * withheld acknowledgements. Packets
 * wait in an inbox until a caller takes them; it never sends PINGREQ on its
 * own, so a client with a keepalive that is left idle is dropped by the broker.
 */
export class PacketClient {
  readonly #connection: Connection
  readonly #inbox: Packet[] = []
  #waiters: Waiter[] = []
  #handlers = new Map<Packet['cmd'], (packet: Packet) => void>()
  #closeWaiters: (() => void)[] = []
  #nextId = 1
  #version: ProtocolVersion = 4
  #parser: Parser
  /** Topics the broker named by Topic Alias on this connection [MQTT-5: 3.3.2-12]. */
  readonly #aliases = new Map<number, string>()
  closed = false
  acks: AckPolicy = { puback: true, pubrec: true, pubcomp: true }

  private constructor(connection: Connection) {
    this.#connection = connection
    this.#parser = this.#newParser()
    connection.stream.on('data', (chunk: Buffer) => this.#parser.parse(chunk))
    connection.onClose(() => this.#onClose())
  }

  /** The protocol level of the last CONNECT sent (4 until then). */
  get protocolVersion(): ProtocolVersion {
    return this.#version
  }

  #newParser(): Parser {
    const parser = mqttPacket.parser({ protocolVersion: this.#version })
    parser.on('packet', (packet: Packet) => this.#deliver(packet))
    // a malformed packet from the broker ends the connection like a network failure
    parser.on('error', () => this.#connection.stream.destroy())
    return parser
  }

  static async open(url: BrokerUrl, timeoutMs: number): Promise<PacketClient> {
    return new PacketClient(await openConnection(url, timeoutMs))
  }

  /** Sends CONNECT and resolves with the CONNACK. */
  async connect(
    options: Omit<IConnectPacket, 'cmd' | 'protocolId'>,
    timeoutMs: number,
  ): Promise<IConnackPacket> {
    const protocolId = options.protocolVersion === 3 ? 'MQIsdp' : 'MQTT'
    const packet: IConnectPacket = { ...options, cmd: 'connect', protocolId }
    // the broker sends nothing before CONNECT, so a parser for the new level loses no bytes
    this.#version = options.protocolVersion ?? 4
    this.#parser = this.#newParser()
    if (options.clientId === '' && options.clean === false) {
      // mqtt-packet refuses to generate this CONNECT, yet brokers must answer it [MQTT-3.1.3-8]
      this.writeRaw(withoutCleanFlag(mqttPacket.generate({ ...packet, clean: true }), protocolId))
    } else {
      this.send(packet)
    }
    return this.next('connack', timeoutMs)
  }

  /** Writes bytes as they are, for packets mqtt-packet will not generate. */
  writeRaw(bytes: Buffer): void {
    if (this.closed) throw new ClientError('NOT_CONNECTED', 'cannot send: closed')
    this.#connection.stream.write(bytes)
  }

  send(packet: Packet): void {
    if (this.closed) throw new ClientError('NOT_CONNECTED', `cannot send ${packet.cmd}: closed`)
    this.#connection.stream.write(mqttPacket.generate(packet, { protocolVersion: this.#version }))
  }

  /** A packet id for the next outgoing PUBLISH, SUBSCRIBE or UNSUBSCRIBE (1–65535). */
  allocateId(): number {
    const id = this.#nextId
    this.#nextId = id === 65535 ? 1 : id + 1
    return id
  }

  /**
   * The oldest packet of kind `cmd` not taken yet, waiting up to `timeoutMs`
   * for one. Rejects with TIMEOUT, or CONNECTION_CLOSED once the connection is
   * gone and none is left.
   */
  next<C extends Packet['cmd']>(
    cmd: C,
    timeoutMs: number,
    match: (p: PacketOf<C>) => boolean = () => true,
    signal?: AbortSignal,
  ): Promise<PacketOf<C>> {
    const matches = (p: Packet): boolean => p.cmd === cmd && match(p as PacketOf<C>)
    const index = this.#inbox.findIndex(matches)
    if (index >= 0) return Promise.resolve(this.#inbox.splice(index, 1)[0] as PacketOf<C>)
    if (this.closed) {
      return Promise.reject(new ClientError('CONNECTION_CLOSED', `closed before a ${cmd} came`))
    }
    return new Promise((resolve, reject) => {
      const stop = (err: ClientError) => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter)
        waiter.reject(err)
      }
      const timer = setTimeout(
        () => stop(new ClientError('TIMEOUT', `no ${cmd} within ${timeoutMs} ms`)),
        timeoutMs,
      )
      const onAbort = () => stop(new ClientError('TIMEOUT', `stopped waiting for a ${cmd}`))
      const waiter: Waiter = {
        match: matches,
        resolve: (p) => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          resolve(p as PacketOf<C>)
        },
        reject: (err) => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          reject(err)
        },
      }
      this.#waiters.push(waiter)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Puts a packet taken by {@link next} back, first in the inbox. */
  putBack(packet: Packet): void {
    this.#inbox.unshift(packet)
  }

  /** Packets received and not taken, oldest first. */
  unread(cmd?: Packet['cmd']): Packet[] {
    return this.#inbox.filter((p) => cmd === undefined || p.cmd === cmd)
  }

  /**
   * Hands every later packet of kind `cmd` to `handler` instead of the inbox
   * (after the automatic acknowledgement, if any), e.g. for a stream of PUBLISHes.
   */
  handle<C extends Packet['cmd']>(cmd: C, handler: (packet: PacketOf<C>) => void): void {
    this.#handlers.set(cmd, handler as (packet: Packet) => void)
  }

  /** Removes and returns every unread packet of kind `cmd`, oldest first. */
  takeAll<C extends Packet['cmd']>(cmd: C): PacketOf<C>[] {
    const taken: PacketOf<C>[] = []
    for (let i = 0; i < this.#inbox.length; ) {
      const packet = this.#inbox[i] as Packet
      if (packet.cmd === cmd) {
        taken.push(packet as PacketOf<C>)
        this.#inbox.splice(i, 1)
      } else i++
    }
    return taken
  }

  /** Round-trips a PINGREQ: the broker has handled every packet sent before it. */
  async ping(timeoutMs: number): Promise<void> {
    this.send({ cmd: 'pingreq' })
    await this.next('pingresp', timeoutMs)
  }

  /** Resolves once the connection is closed (by either side); TIMEOUT after `timeoutMs`. */
  waitClosed(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#closeWaiters = this.#closeWaiters.filter((w) => w !== done)
        reject(new ClientError('TIMEOUT', `still open after ${timeoutMs} ms`))
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        resolve()
      }
      this.#closeWaiters.push(done)
    })
  }

  /**
   * Sends DISCONNECT (MQTT 5: with `fields`' reason code and properties),
   * closes and waits for the close. With `lingerMs` it first leaves the
   * broker that long to answer and close by itself, so that a DISCONNECT the
   * broker refuses with one of its own (MQTT 5, e.g. 0x82) is read even over
   * WebSocket, where closing our side closes both.
   */
  async disconnect(
    timeoutMs: number,
    fields: Omit<IDisconnectPacket, 'cmd'> = {},
    lingerMs = 0,
  ): Promise<void> {
    this.send({ ...fields, cmd: 'disconnect' })
    if (lingerMs > 0) await this.waitClosed(lingerMs).catch(() => {})
    if (!this.closed) this.#connection.stream.end()
    await this.waitClosed(timeoutMs)
  }

  /** Drops the connection without DISCONNECT, like a network failure. */
  async destroy(timeoutMs = 5000): Promise<void> {
    this.#connection.stream.destroy()
    await this.waitClosed(timeoutMs)
  }

  #deliver(packet: Packet): void {
    if (packet.cmd === 'publish') this.#resolveAlias(packet)
    this.#acknowledge(packet)
    const handler = this.#handlers.get(packet.cmd)
    if (handler) {
      handler(packet)
      return
    }
    const waiter = this.#waiters.find((w) => w.match(packet))
    if (waiter) {
      this.#waiters = this.#waiters.filter((w) => w !== waiter)
      waiter.resolve(packet)
      return
    }
    this.#inbox.push(packet)
  }

  #acknowledge(packet: Packet): void {
    if (this.closed) return
    if (packet.cmd === 'publish' && packet.messageId !== undefined) {
      if (packet.qos === 1 && this.acks.puback)
        this.send({ cmd: 'puback', messageId: packet.messageId })
      if (packet.qos === 2 && this.acks.pubrec)
        this.send({ cmd: 'pubrec', messageId: packet.messageId })
    }
    if (packet.cmd === 'pubrel' && this.acks.pubcomp) {
      this.send({ cmd: 'pubcomp', messageId: packet.messageId })
    }
  }

  /** Fills in the topic of a PUBLISH that names it by alias only, and learns new aliases. */
  #resolveAlias(packet: PacketOf<'publish'>): void {
    const alias = packet.properties?.topicAlias
    if (alias === undefined) return
    if (packet.topic === '') packet.topic = this.#aliases.get(alias) ?? ''
    else this.#aliases.set(alias, packet.topic)
  }

  #onClose(): void {
    this.closed = true
    for (const done of this.#closeWaiters) done()
    this.#closeWaiters = []
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w.reject(new ClientError('CONNECTION_CLOSED', 'the connection closed'))
  }
}

/** Clears CleanSession (bit 1 of the connect flags, after the fixed header, protocol name and level). */
function withoutCleanFlag(connect: Buffer, protocolId: string): Buffer {
  let offset = 1
  while ((connect[offset] as number) & 0x80) offset++ // remaining length: 1-4 bytes
  offset += 1 + 2 + protocolId.length + 1
  const out = Buffer.from(connect)
  out[offset] = (out[offset] as number) & ~0x02
  return out
}
